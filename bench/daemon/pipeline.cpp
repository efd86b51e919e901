// hanzo-daemon-bench: hanzo-hmmd end to end on the same footing as hanzo-passthrough-bench:
// the daemon's own run_daemon() with its embedded mock cluster, its requests topic fed with the
// load generator's requests as they are consumed (feeder.hpp: pre-filled up to --ahead-mib per
// partition before the daemon starts, the rest by a thread that stays that far ahead), timed
// from the first message consumed to the last decision acknowledged by the broker.
//   throughput: --messages N requests (default 100,000) over --tenants T (1,000), median of --reps;
//               after the last repetition, the Kafka bytes the daemon wrote per request
//               (decisions and tenant-state changelog, from the embedded cluster's topics);
//   memory:     --memory N1,N2,...: N distinct tenants, one request each; resident memory
//               (VmRSS) before and after, and per tenant.
// The last line is one JSON object with the figures.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "hanzo/hmm/daemon/allocator.hpp"
#include "daemon.hpp"
#include "cpu_time.hpp"
#include "daemon_settings.hpp"
#include "feeder.hpp"
#include "hanzo/hmm/loadgen/generator.hpp"
#include "topic_bytes.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using hanzo::hmm::loadgen::Generator;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "hanzo-daemon-bench: %s\n", what.c_str());
  std::exit(1);
}

std::size_t rss_bytes() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);)
    if (line.rfind("VmRSS:", 0) == 0) return std::stoull(line.substr(6)) * 1024;
  return 0;
}

Generator make_generator(std::uint64_t tenants) {
  hanzo::hmm::loadgen::GeneratorOptions go;
  go.run_id = "bench";
  go.tenants = tenants;
  auto g = Generator::create(go);
  if (!g) die(g.error().to_string());
  return std::move(*g);
}

struct Run {
  double seconds{0};
  double cpu_seconds{0};  // the process's CPU time over the timed section
  std::size_t rss_before{0}, rss_after{0};
  std::uint64_t prefilled{0};
  std::vector<std::pair<std::string, topic_bytes::Usage>> topics;  // when asked for
};

std::optional<std::string> g_config;  // --config FILE: a daemon configuration to run with
double g_ahead_bytes = 0;             // the feeder's bound (all requests partitions)

// Reads the embedded cluster's topics while the daemon (and so the cluster) is still up.
std::vector<std::pair<std::string, topic_bytes::Usage>> measure_topics(const std::string& bootstrap) {
  std::vector<std::pair<std::string, topic_bytes::Usage>> out;
  for (const char* role : {"requests", "decisions", "tenant_state"}) {
    std::string error;
    const std::string name = daemon_settings::topic(role);
    out.emplace_back(name, topic_bytes::measure(bootstrap, name, error));
    if (!error.empty()) std::fprintf(stderr, "hanzo-daemon-bench: %s\n", error.c_str());
  }
  return out;
}

Run run(std::uint64_t n, std::uint64_t tenants, bool distinct, bool measure) {
  const Generator gen = make_generator(std::max<std::uint64_t>(tenants, 1));
  hanzo::hmm::actors::DaemonOptions o;
  o.embedded_kafka = true;
  o.metrics_listen = "127.0.0.1:0";
  o.config_path = g_config;
  if (const char* policy = std::getenv("HANZO_BENCH_SCHEDULER")) o.scheduler_policy = policy;
  if (const char* threads = std::getenv("HANZO_BENCH_THREADS")) o.scheduler_threads = std::strtoul(threads, nullptr, 10);
  Run result;
  std::atomic<std::uint64_t> consumed{0};
  std::unique_ptr<feeder::Feeder> feed;
  std::string bootstrap;
  Clock::time_point first{}, done{}, progress = Clock::now();
  double cpu_first = 0;
  std::uint64_t last_consumed = 0;
  o.on_embedded_cluster = [&](const std::string& bs) {
    bootstrap = bs;
    auto make = [&gen, distinct](std::uint64_t i) {
      auto r = gen.request_record(i);
      return feeder::Record{distinct ? "tenant-" + std::to_string(i) : std::move(r.key), std::move(r.value)};
    };
    feed = std::make_unique<feeder::Feeder>(bs, daemon_settings::topic("requests"), n, make, g_ahead_bytes, consumed);
    feed->prefill();  // before the daemon consumes anything: no producer on the cores at first
    result.prefilled = feed->prefilled();
    feed->start();
    result.rss_before = rss_bytes();
  };
  o.stop_when = [&](std::uint64_t c, std::uint64_t in_flight) {
    consumed = c;
    const auto now = Clock::now();
    if (c > 0 && first == Clock::time_point{}) first = now, cpu_first = cpu_time::process_seconds();
    if (c != last_consumed) last_consumed = c, progress = now;
    if (c < n && now - progress > std::chrono::seconds(30)) {
      // Not a hang: the mock cluster keeps 5 MiB per requests partition and drops the rest.
      std::fprintf(stderr, "hanzo-daemon-bench: nothing consumed for 30 s after %llu of %llu requests: requests "
                   "were lost (the mock keeps 5 MiB per partition; lower --ahead-mib)\n",
                   static_cast<unsigned long long>(c), static_cast<unsigned long long>(n));
      std::_Exit(1);
    }
    if (c < n || in_flight > 0) return false;
    done = now;
    result.cpu_seconds = cpu_time::process_seconds() - cpu_first;
    result.rss_after = rss_bytes();
    if (measure) result.topics = measure_topics(bootstrap);
    return true;
  };
  const int rc = hanzo::hmm::actors::run_daemon(o);
  if (feed) feed->join();
  if (rc != 0) die("hanzo-hmmd exited " + std::to_string(rc));
  result.seconds = std::chrono::duration<double>(done - first).count();
  return result;
}

std::size_t arg(int argc, char** argv, const char* name, std::size_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], name)) return std::strtoull(argv[i + 1], nullptr, 10);
  return fallback;
}

std::vector<std::uint64_t> list_arg(int argc, char** argv, const char* name) {
  std::vector<std::uint64_t> out;
  for (int i = 1; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], name)) {
      std::stringstream ss(argv[i + 1]);
      for (std::string item; std::getline(ss, item, ',');) out.push_back(std::stoull(item));
    }
  return out;
}

}  // namespace

// Every flag this program knows: an unknown one (or a value missing) exits 2 instead of silently
// running a long benchmark with the defaults.
void check_flags(int argc, char** argv) {
  constexpr const char* kUsage =
      "usage: hanzo-daemon-bench [--quick] [--messages N] [--tenants T] [--reps R] [--memory N1,N2,...] "
      "[--config FILE] [--ahead-mib M]\n";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--help" || a == "-h") {
      std::fputs(kUsage, stdout);
      std::exit(0);
    }
    if (a == "--quick") continue;
    const bool valued = a == "--messages" || a == "--tenants" || a == "--reps" || a == "--memory" || a == "--config" ||
                        a == "--ahead-mib";
    if (!valued || i + 1 >= argc) {
      std::fprintf(stderr, "hanzo-daemon-bench: %s: %s\n%s", a.c_str(), valued ? "needs a value" : "unknown option",
                   kUsage);
      std::exit(2);
    }
    ++i;
  }
}

int main(int argc, char** argv) {
  check_flags(argc, argv);
  bool quick = false;
  for (int i = 1; i < argc; ++i) quick |= !std::strcmp(argv[i], "--quick");
  const std::uint64_t n = arg(argc, argv, "--messages", quick ? 5000 : 100000);
  const std::uint64_t tenants = arg(argc, argv, "--tenants", 1000);
  const std::size_t reps = std::max<std::size_t>(1, arg(argc, argv, "--reps", quick ? 1 : 3));
  const auto memory = list_arg(argc, argv, "--memory");
  for (int i = 1; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], "--config")) g_config = argv[i + 1];
  const double ahead_mib = static_cast<double>(arg(argc, argv, "--ahead-mib", 3));
  if (ahead_mib * 1048576.0 >= feeder::kMockPartitionBytes) die("--ahead-mib must be below the mock's 5 MiB per partition");
  g_ahead_bytes = ahead_mib * 1048576.0 * daemon_settings::partitions("requests");

  std::vector<double> rates, cpu_us;
  Run last;
  for (std::size_t r = 0; r < reps; ++r) {
    last = run(n, tenants, false, r + 1 == reps);
    rates.push_back(static_cast<double>(n) / last.seconds);
    cpu_us.push_back(last.cpu_seconds * 1e6 / static_cast<double>(n));
  }
  std::sort(rates.begin(), rates.end());
  const double median = rates[rates.size() / 2];
  std::sort(cpu_us.begin(), cpu_us.end());
  const double cpu_median = cpu_us[cpu_us.size() / 2];
  std::printf("\nhanzo-hmmd end to end (embedded mock cluster, %llu requests over %llu tenants, %llu pre-filled, "
              "the rest fed as consumed; median of %zu): %.0f decisions/s, %.1f us of CPU per request (the whole "
              "process, its broker included)\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(tenants),
              static_cast<unsigned long long>(last.prefilled), reps, median, cpu_median);
  std::string topics_json;
  for (const auto& [name, u] : last.topics) {
    std::printf("%s: %d partitions, %llu records, %.0f B each (key + value + headers; mean of the %llu retained), "
                "%.0f B per request\n",
                name.c_str(), u.partitions, static_cast<unsigned long long>(u.records), u.mean_bytes(),
                static_cast<unsigned long long>(u.retained), u.total_bytes() / static_cast<double>(n));
    topics_json += std::string(topics_json.empty() ? "" : ",") + "\"" + name + "\":{\"partitions\":" +
                   std::to_string(u.partitions) + ",\"records\":" + std::to_string(u.records) +
                   ",\"mean_bytes\":" + std::to_string(u.mean_bytes()) +
                   ",\"bytes_per_request\":" + std::to_string(u.total_bytes() / static_cast<double>(n)) + "}";
  }

  std::string mem_json;
  for (const auto m : memory) {
    const Run r = run(m, m, true, false);
    const double per = (static_cast<double>(r.rss_after) - static_cast<double>(r.rss_before)) / static_cast<double>(m);
    std::printf("%llu distinct tenants: RSS %.1f MiB -> %.1f MiB, %.0f bytes per tenant (%.1f s)\n",
                static_cast<unsigned long long>(m), static_cast<double>(r.rss_before) / 1048576.0,
                static_cast<double>(r.rss_after) / 1048576.0, per, r.seconds);
    mem_json += std::string(mem_json.empty() ? "" : ",") + "{\"tenants\":" + std::to_string(m) +
                ",\"rss_before\":" + std::to_string(r.rss_before) + ",\"rss_after\":" + std::to_string(r.rss_after) +
                ",\"bytes_per_tenant\":" + std::to_string(static_cast<long long>(per)) + "}";
  }
  std::string runs;
  for (double x : rates) runs += (runs.empty() ? "" : ",") + std::to_string(static_cast<long long>(x));
  std::printf("{\"bench\":\"daemon_pipeline\",\"allocator\":\"%s\",\"messages\":%llu,\"tenants\":%llu,\"decisions_per_s\":%.0f,"
              "\"cpu_us_per_request\":%.2f,\"runs\":[%s],\"topics\":{%s},\"memory\":[%s]}\n",
              hanzo::hmm::allocator_name().c_str(), static_cast<unsigned long long>(n),
              static_cast<unsigned long long>(tenants), median, cpu_median, runs.c_str(),
              topics_json.c_str(), mem_json.c_str());
  return 0;
}
