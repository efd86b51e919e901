// hanzo-passthrough-bench: the Kafka ceiling for hanzo-hmmd on this machine. Raw librdkafka on
// its in-process mock cluster, on the daemon's footing: the embedded cluster's topics and
// partition counts (one broker), the daemon's own client settings (daemon_settings.cpp), the
// load generator's requests fed as they are consumed (feeder.hpp), as hanzo-daemon-bench does.
// Two loops, one thread each, interleaved repetitions (ceiling, echo, ceiling, echo, ...):
//   ceiling: each request answered with the decision the daemon's library makes for it
//            (MarketMaker, default config, computed before the clock starts), keyed by tenant,
//            to the decisions partition equal to the request's; plus one --state-bytes record
//            per tenant per poll round, at most one per the daemon's default state interval
//            (0.2 s) and a last one for inputs after that, to the tenant-state topic on a second
//            producer (the daemon's changelog settings: linger.ms=0). Its state records wait
//            for nothing; the daemon's wait for the decisions they cover.
//   echo:    each request produced back unchanged to the decisions topic (a second reference).
// Timed from the first request consumed to the last answer acknowledged. Medians and spread;
// the last line is one JSON object.
// Usage: hanzo-passthrough-bench [--quick] [--messages N] [--tenants T] [--reps R]
//                                [--state-bytes B] [--ahead-mib M]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "hanzo/hmm/daemon/allocator.hpp"
#include "daemon_settings.hpp"
#include "hanzo/hmm/daemon/config.hpp"
#include "feeder.hpp"
#include "hanzo/hmm/mm/market_maker.hpp"
#include "hanzo/hmm/wire/decision.hpp"
#include "passthrough_loop.hpp"
#include "raw_kafka.hpp"

namespace {

using hanzo::hmm::loadgen::Generator;
constexpr const char* kProgram = "hanzo-passthrough-bench";
[[noreturn]] void die(const std::string& what) { raw_kafka::die(kProgram, what); }

// Decisions cover at most this many requests (2.9 KB each); past it, request i is answered with
// decision i % size: a real decision of the same run, its size from the same distribution.
constexpr std::uint64_t kMaxDecisions = 200000;

std::size_t arg(int argc, char** argv, const char* name, std::size_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], name)) return std::strtoull(argv[i + 1], nullptr, 10);
  return fallback;
}

// The decision the daemon's library makes for each request, in request order (each tenant's
// state evolves as in the daemon; no ticks, as in hanzo-daemon-bench).
std::vector<std::string> decide(const Generator& gen, std::uint64_t n) {
  auto mm = hanzo::hmm::mm::MarketMaker::create(hanzo::hmm::mm::default_config());
  if (!mm) die(mm.error().to_string());
  std::vector<std::string> out(std::min(n, kMaxDecisions));
  hanzo::hmm::routing::Decision d;
  for (std::uint64_t i = 0; i < out.size(); ++i) {
    const auto req = gen.request(i);
    if (auto ok = mm->route_request_into(d, req.tenant, req.request); !ok) die(ok.error().to_string());
    hanzo::hmm::wire::encode_decision_into(out[i], d);
  }
  return out;
}

struct Stats {
  double median, min, max;
};
Stats stats(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return {v[v.size() / 2], v.front(), v.back()};
}

std::string list(const std::vector<double>& v) {
  std::string out;
  for (double x : v) out += (out.empty() ? "" : ",") + std::to_string(static_cast<long long>(x));
  return "[" + out + "]";
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  for (int i = 1; i < argc; ++i) quick |= !std::strcmp(argv[i], "--quick");
  const std::uint64_t n = arg(argc, argv, "--messages", quick ? 20000 : 100000);
  const std::uint64_t tenants = arg(argc, argv, "--tenants", 1000);
  const std::size_t reps = std::max<std::size_t>(1, arg(argc, argv, "--reps", quick ? 1 : 5));
  const std::size_t state_bytes = arg(argc, argv, "--state-bytes", 300);
  const double ahead_mib = static_cast<double>(arg(argc, argv, "--ahead-mib", 3));
  if (n == 0 || tenants == 0) die("--messages and --tenants must be >= 1");
  if (ahead_mib * 1048576.0 >= feeder::kMockPartitionBytes) die("--ahead-mib must be below the mock's 5 MiB per partition");

  // hanzo-daemon-bench's requests: same run id, tenants and sizes.
  hanzo::hmm::loadgen::GeneratorOptions go;
  go.run_id = "bench";
  go.tenants = tenants;
  auto gen = Generator::create(go);
  if (!gen) die(gen.error().to_string());
  const std::vector<std::string> decisions = decide(*gen, n);
  double decision_bytes = 0;
  for (const auto& d : decisions) decision_bytes += static_cast<double>(d.size());
  decision_bytes /= static_cast<double>(decisions.size());
  std::size_t min_d = SIZE_MAX, max_d = 0;
  for (const auto& d : decisions) min_d = std::min(min_d, d.size()), max_d = std::max(max_d, d.size());

  passthrough::Options o;
  o.messages = n;
  o.state_bytes = state_bytes;
  o.state_interval = hanzo::hmm::daemon::DaemonConfig{}.state_interval_seconds;  // the daemon's default
  o.ahead_bytes = ahead_mib * 1048576.0 * daemon_settings::partitions("requests");
  std::vector<double> ceiling, echo, ceiling_cpu, echo_cpu;  // per second; us of CPU per request
  passthrough::Result last;
  bool as_daemon = true;
  for (std::size_t r = 0; r < reps; ++r) {
    o.decisions = &decisions;
    o.print_settings = r == 0;
    last = passthrough::run(o, *gen);
    as_daemon &= last.settings_as_daemon;
    ceiling.push_back(static_cast<double>(n) / last.seconds);
    ceiling_cpu.push_back(last.cpu_seconds * 1e6 / static_cast<double>(n));
    o.decisions = nullptr;
    o.print_settings = false;
    const auto echoed = passthrough::run(o, *gen);
    echo.push_back(static_cast<double>(n) / echoed.seconds);
    echo_cpu.push_back(echoed.cpu_seconds * 1e6 / static_cast<double>(n));
    std::fprintf(stderr, "rep %zu: ceiling %.0f/s, echo %.0f/s\n", r + 1, ceiling.back(), echo.back());
  }
  const Stats c = stats(ceiling), e = stats(echo), cc = stats(ceiling_cpu), ec = stats(echo_cpu);
  std::string layout;
  for (const auto& t : daemon_settings::embedded_topics())
    layout += (layout.empty() ? "\"" : ",\"") + t.name + "\":" + std::to_string(t.partitions);
  const double dn = static_cast<double>(n);
  std::printf("Raw librdkafka %s on its mock cluster, the embedded daemon's layout (", rd_kafka_version_str());
  for (const auto& t : daemon_settings::embedded_topics()) std::printf("%s %d; ", t.name.c_str(), t.partitions);
  std::printf("1 broker) and client settings; %llu requests over %llu tenants, %llu pre-filled, the rest fed "
              "as consumed; %zu interleaved repetitions\n",
              static_cast<unsigned long long>(n), static_cast<unsigned long long>(tenants),
              static_cast<unsigned long long>(last.prefilled), reps);
  std::printf("settings that differ from the daemon: %s; the consumer is assigned the requests partitions "
              "(no group join), commits no offsets, and its state records wait for nothing\n",
              as_daemon ? "none" : "SEE ABOVE");
  std::printf("| loop | median/s | min-max/s |\n|---|---:|---:|\n");
  std::printf("| ceiling: real decisions (mean %.0f B, %zu-%zu) + %zu-byte state records | %.0f | %.0f-%.0f |\n",
              decision_bytes, min_d, max_d, state_bytes, c.median, c.min, c.max);
  std::printf("| echo: requests back | %.0f | %.0f-%.0f |\n", e.median, e.min, e.max);
  std::printf("ceiling per request: decision %.0f B (key + value), state %.0f B (%.3f records); CPU %.1f us "
              "(the whole process over the timed section, its broker included; the echo's %.1f us)\n",
              static_cast<double>(last.answer_bytes) / dn, static_cast<double>(last.state_bytes) / dn,
              static_cast<double>(last.state_records) / dn, cc.median, ec.median);
  std::printf("{\"bench\":\"daemon_passthrough\",\"allocator\":\"%s\",\"librdkafka\":\"%s\",\"messages\":%llu,\"tenants\":%llu,\"reps\":%zu,"
              "\"state_bytes\":%zu,\"settings_as_daemon\":%s,\"decision_bytes_mean\":%.1f,"
              "\"ceiling_per_s\":%.0f,\"ceiling_min\":%.0f,\"ceiling_max\":%.0f,"
              "\"echo_per_s\":%.0f,\"echo_min\":%.0f,\"echo_max\":%.0f,"
              "\"ceiling_answer_bytes_per_request\":%.1f,\"ceiling_state_bytes_per_request\":%.1f,"
              "\"ceiling_cpu_us_per_request\":%.2f,\"echo_cpu_us_per_request\":%.2f,"
              "\"layout\":{%s},\"runs\":{\"ceiling\":%s,\"echo\":%s}}\n",
              hanzo::hmm::allocator_name().c_str(), rd_kafka_version_str(), static_cast<unsigned long long>(n), static_cast<unsigned long long>(tenants),
              reps, state_bytes, as_daemon ? "true" : "false", decision_bytes, c.median, c.min, c.max, e.median, e.min,
              e.max, static_cast<double>(last.answer_bytes) / dn, static_cast<double>(last.state_bytes) / dn,
              cc.median, ec.median, layout.c_str(), list(ceiling).c_str(), list(echo).c_str());
  return as_daemon ? 0 : 1;
}
