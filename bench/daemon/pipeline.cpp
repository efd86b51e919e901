// hanzo-daemon-bench: hanzo-hmmd end to end on the same footing as hanzo-passthrough-bench
// (issue 4, section 8): the daemon's own run_daemon() with its embedded mock cluster, the input
// topic pre-filled with the load generator's requests, timed from the first message consumed to
// the last decision acknowledged by the broker. No load generator competes for the cores.
//   throughput: --messages N requests (default 100,000) over --tenants T (1,000), median of --reps;
//   memory:     --memory N1,N2,...: N distinct tenants, one request each, produced in chunks as
//               the daemon consumes; resident memory (VmRSS) before and after, and per tenant.
// The last line is one JSON object with the figures.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "daemon.hpp"
#include "hanzo/hmm/kafka/producer.hpp"
#include "hanzo/hmm/loadgen/generator.hpp"

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

// Produces requests [from, to) to hanzo.hmm.requests; `distinct`: tenant i for request i.
void produce(const std::string& bootstrap, const Generator& gen, std::uint64_t from, std::uint64_t to, bool distinct,
             const std::atomic<std::uint64_t>* consumed = nullptr, std::uint64_t max_ahead = 0) {
  auto p = hanzo::hmm::kafka::Producer::create({{"bootstrap.servers", bootstrap}, {"linger.ms", "5"}});
  if (!p) die(p.error().to_string());
  hanzo::hmm::kafka::Record r;
  r.topic = "hanzo.hmm.requests";
  for (std::uint64_t i = from; i < to; ++i) {
    // Memory runs outpace the mock's retention (5 MiB per partition) unless they wait for the daemon.
    while (consumed && i - std::min(i, consumed->load()) > max_ahead) {
      p->poll(std::chrono::milliseconds(5));
    }
    auto rec = gen.request_record(i);
    r.key = distinct ? "tenant-" + std::to_string(i) : std::move(rec.key);
    r.value = std::move(rec.value);
    for (;;) {
      auto ok = p->produce(r);
      if (ok) break;
      if (!hanzo::hmm::kafka::is_queue_full(ok.error())) die(ok.error().to_string());
      p->poll(std::chrono::milliseconds(10));
    }
    p->poll(std::chrono::milliseconds(0));
  }
  if (auto ok = p->flush(std::chrono::seconds(60)); !ok) die(ok.error().to_string());
}

struct Run {
  double seconds{0};
  std::size_t rss_before{0}, rss_after{0};
};

std::optional<std::string> g_config;  // --config FILE: a daemon configuration to run with

Run run(std::uint64_t n, std::uint64_t tenants, bool distinct, bool prefill) {
  const Generator gen = make_generator(std::max<std::uint64_t>(tenants, 1));
  hanzo::hmm::actors::DaemonOptions o;
  o.embedded_kafka = true;
  o.metrics_listen = "127.0.0.1:0";
  o.config_path = g_config;
  if (const char* policy = std::getenv("HANZO_BENCH_SCHEDULER")) o.scheduler_policy = policy;
  Run result;
  std::atomic<std::uint64_t> consumed{0};
  std::thread feeder;
  Clock::time_point first{}, done{};
  o.on_embedded_cluster = [&](const std::string& bootstrap) {
    if (prefill) {
      produce(bootstrap, gen, 0, n, distinct);
    } else {
      feeder = std::thread([&, bootstrap] { produce(bootstrap, gen, 0, n, distinct, &consumed, 100000); });
    }
    result.rss_before = rss_bytes();
  };
  o.stop_when = [&](std::uint64_t c, std::uint64_t in_flight) {
    consumed = c;
    if (c > 0 && first == Clock::time_point{}) first = Clock::now();
    if (c < n || in_flight > 0) return false;
    done = Clock::now();
    result.rss_after = rss_bytes();
    return true;
  };
  const int rc = hanzo::hmm::actors::run_daemon(o);
  if (feeder.joinable()) feeder.join();
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

int main(int argc, char** argv) {
  bool quick = false;
  for (int i = 1; i < argc; ++i) quick |= !std::strcmp(argv[i], "--quick");
  const std::uint64_t n = arg(argc, argv, "--messages", quick ? 5000 : 100000);
  const std::uint64_t tenants = arg(argc, argv, "--tenants", 1000);
  const std::size_t reps = std::max<std::size_t>(1, arg(argc, argv, "--reps", quick ? 1 : 3));
  const auto memory = list_arg(argc, argv, "--memory");
  for (int i = 1; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], "--config")) g_config = argv[i + 1];

  std::vector<double> rates;
  for (std::size_t r = 0; r < reps; ++r) rates.push_back(static_cast<double>(n) / run(n, tenants, false, true).seconds);
  std::sort(rates.begin(), rates.end());
  const double median = rates[rates.size() / 2];
  std::printf("\nhanzo-hmmd end to end (embedded mock cluster, %llu pre-filled requests over %llu tenants, median of "
              "%zu): %.0f decisions/s\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(tenants), reps, median);

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
  std::printf("{\"bench\":\"daemon_pipeline\",\"messages\":%llu,\"tenants\":%llu,\"decisions_per_s\":%.0f,"
              "\"runs\":[%s],\"memory\":[%s]}\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(tenants), median, runs.c_str(),
              mem_json.c_str());
  return 0;
}
