// loadgen: drives hanzo-hmmd through Kafka with generated ticks, requests and feedback and
// reports decisions per second and request→decision latency (hanzo::loadgen does the work).
#include <chrono>
#include <atomic>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <unistd.h>

#include "commands.hpp"
#include "hanzo/hmm/loadgen/driver.hpp"
#include "options.hpp"
#include "output.hpp"

namespace hanzo::cli {

namespace {
const CommandInfo kInfo{
    "loadgen",
    "usage: hanzo-hmm loadgen --bootstrap HOST:PORT[,HOST:PORT...] [--tenants N] [--rate R | --max]\n"
    "                         [--window W] [--duration S] [--drain S] [--seed X] [--feedback-ratio F]\n"
    "                         [--tick-rate T] [--shock-at F] [--topic-prefix P] [--run-id ID]\n"
    "                         [--kafka-config FILE] [--json]\n\n"
    "Sends routing requests for tenants tenant-0 .. tenant-<N-1> (default 1000) to <P>.requests,\n"
    "market ticks with one supply shock of h100-80g (at fraction F of the run, default 0.5) to\n"
    "<P>.ticks (T per second, default 10; 0 for none) and feedback for a share F of the routed\n"
    "decisions (default 0.1) to <P>.feedback, and reads the decisions from <P>.decisions (P defaults\n"
    "to hanzo.hmm). Latency is steady-clock time from producing a request to receiving its decision.\n\n"
    "  --rate R      open loop: R requests/s on a fixed schedule (default 1000)\n"
    "  --max         closed loop: as fast as decisions come back, at most W outstanding (default 20000)\n"
    "  --duration S  seconds of sending (default 10); then up to --drain S (default 5) for the rest\n"
    "  --seed X      the traffic is a function of the seed (default 1); --run-id names the run\n"
    "                (request ids are <run-id>-<n>; default: unique per invocation)\n"
    "  --kafka-config FILE  librdkafka properties for every client, one KEY=VALUE per line\n"
    "                (# comments), e.g. security.protocol=SASL_SSL; they override the built-ins\n\n"
    "A progress line goes to stderr every second; the report to stdout (text, or one JSON object\n"
    "with --json). Ctrl-C stops sending and drains. Exit status: 0 if every request got a\n"
    "decision, 1 if some did not (the report says how many), 2 for usage or Kafka errors.\n",
    {{"bootstrap", true},
     {"tenants"},
     {"rate"},
     {"max"},
     {"window"},
     {"duration"},
     {"drain"},
     {"seed"},
     {"feedback-ratio"},
     {"tick-rate"},
     {"shock-at"},
     {"topic-prefix"},
     {"run-id"},
     {"kafka-config"},
     {"json"}}};

std::atomic<bool> g_stop{false};

void on_interrupt(int) {
  g_stop.store(true);
  std::signal(SIGINT, SIG_DFL);  // a second Ctrl-C ends it at once
}

// Unique per invocation: time and pid (request ids must not collide with an earlier run's).
std::string default_run_id() {
  const auto now = std::chrono::system_clock::now().time_since_epoch().count();
  char buf[32];
  std::snprintf(buf, sizeof buf, "lg-%llx-%x", static_cast<unsigned long long>(now) & 0xffffffffffULL,
                static_cast<unsigned>(::getpid()));
  return buf;
}
// KEY=VALUE lines (blank lines and # comments skipped); errors name the file and line.
hmm::Result<hmm::kafka::Config> read_kafka_config(const std::string& path) {
  std::ifstream in(path);
  using hmm::Errc;
  if (!in) return hmm::make_error(Errc::io_error, path, "cannot open");
  hmm::kafka::Config out;
  std::size_t line_no = 0;
  for (std::string line; std::getline(in, line);) {
    ++line_no;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto eq = line.find('=');
    auto trim = [](std::string x) {
      const auto b = x.find_first_not_of(" \t\r"), e = x.find_last_not_of(" \t\r");
      return b == std::string::npos ? std::string() : x.substr(b, e - b + 1);
    };
    const std::string key = eq == std::string::npos ? "" : trim(line.substr(0, eq));
    if (key.empty())
      return hmm::make_error(Errc::parse_error, path + ":" + std::to_string(line_no), "expected KEY=VALUE, got \"" + line + "\"");
    out.emplace_back(key, trim(line.substr(eq + 1)));
  }
  return out;
}
}  // namespace

int run_loadgen(std::span<const std::string> args) {
  using namespace hanzo::hmm;
  // --max and --json take no value: accept them bare.
  std::vector<std::string> fixed(args.begin(), args.end());
  for (std::size_t i = 0; i < fixed.size(); ++i)
    if (fixed[i] == "--max" || fixed[i] == "--json") fixed.insert(fixed.begin() + static_cast<std::ptrdiff_t>(++i), "true");
  Options options(kInfo);
  if (auto code = options.parse(fixed)) return *code;
  if (options.has("rate") && options.has("max")) return options.usage_error("--rate and --max exclude each other");

  loadgen::DriverOptions o;
  o.bootstrap = options.text("bootstrap");
  const auto tenants = options.integer("tenants", 1000);
  const auto window = options.integer("window", 20000);
  const auto seed = options.integer("seed", 1);
  const auto rate = options.number("rate", 1000.0, 0.0, true);
  const auto duration = options.number("duration", 10.0, 0.0, true);
  const auto drain = options.number("drain", 5.0, 0.0, false);
  const auto feedback = options.number("feedback-ratio", 0.1, 0.0, false);
  const auto tick_rate = options.number("tick-rate", 10.0, 0.0, false);
  const auto shock_at = options.number("shock-at", 0.5, 0.0, false);
  if (!tenants || !window || !seed || !rate || !duration || !drain || !feedback || !tick_rate || !shock_at)
    return kExitUsage;  // the option parser said which
  if (*tenants < 1) return options.usage_error("--tenants must be >= 1");
  if (*window < 1) return options.usage_error("--window must be >= 1");
  if (*feedback > 1.0) return options.usage_error("--feedback-ratio must be in [0, 1]");
  if (*shock_at > 1.0) return options.usage_error("--shock-at must be in [0, 1]");
  if (*tick_rate > 1000.0) return options.usage_error("--tick-rate must be at most 1000");
  if (!options.has("max")) o.rate = *rate;
  o.window = *window;
  o.duration_s = *duration;
  o.drain_s = *drain;
  o.tick_rate = *tick_rate;
  if (options.has("kafka-config")) {
    auto props = read_kafka_config(options.text("kafka-config"));
    if (!props) return fail(props.error());
    o.kafka = std::move(*props);
  }
  if (options.has("topic-prefix")) o.topics = loadgen::Topics::with_prefix(options.text("topic-prefix"));
  o.generator.seed = *seed;
  o.generator.tenants = *tenants;
  o.generator.feedback_ratio = *feedback;
  o.generator.shock_at = *shock_at;
  o.generator.run_id = options.has("run-id") ? options.text("run-id") : default_run_id();
  o.stop = &g_stop;
  o.on_progress = [](const loadgen::Progress& p) {
    std::fprintf(stderr, "loadgen %6.1f s  sent %llu  decided %llu  %.0f decisions/s  p99 %.2f ms  outstanding %llu\n",
                 p.elapsed_s, static_cast<unsigned long long>(p.sent), static_cast<unsigned long long>(p.decided),
                 p.decisions_per_s, p.p99_ms, static_cast<unsigned long long>(p.outstanding));
  };

  std::fprintf(stderr, "loadgen: run %s on %s: joining the decisions consumer group and warming up...\n",
               o.generator.run_id.c_str(), o.bootstrap.c_str());
  std::signal(SIGINT, on_interrupt);
  auto report = loadgen::run(o);
  std::signal(SIGINT, SIG_DFL);
  if (!report) return fail(report.error());
  if (options.has("json"))
    std::cout << loadgen::to_json(*report) << '\n';
  else
    std::cout << loadgen::to_text(*report);
  std::cout << std::flush;
  return report->missing == 0 ? 0 : 1;
}

}  // namespace hanzo::cli
