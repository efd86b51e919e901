// simulate: the decision-quality benchmark in-process. A seeded world the router cannot see,
// the router and the baselines on one request stream, regret against the oracle.
#include <fstream>
#include <iostream>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "commands.hpp"
#include "hanzo/hmm/daemon/config.hpp"
#include "hanzo/hmm/loadgen/sim_loop.hpp"
#include "hanzo/hmm/sim/simulate.hpp"
#include "options.hpp"
#include "output.hpp"
#include "svg_plot.hpp"

namespace hanzo::cli {

namespace {
const CommandInfo kInfo{
    "simulate",
    "usage: hanzo-hmm simulate [--preset small|full] [--seed N] [--tenants N] [--requests N]\n"
    "                          [--ablation] [--format json|table] [--json OUT.json] [--csv OUT.csv]\n"
    "                          [--svg OUT.svg] [--kafka HOST:PORT [--no-feedback]\n"
    "                          [--daemon-metrics URL] [--kafka-timeout S]]\n"
    "                          [--daemon-config OUT.toml]\n\n"
    "Runs the router and the baselines (oracle, cheapest, advertised-best, random, lowest-latency\n"
    "with cooldown, Thompson sampling per tenant and per segment) on one seeded request stream of a\n"
    "simulated world whose true model quality, success and latency differ from the catalogue's, with\n"
    "an outage, a supply shock and a latency drift (see include/hanzo/hmm/sim/world.hpp).\n"
    "Utility per request: success x quality - cost_weight x price per token - a penalty when the\n"
    "latency exceeds the tenant's bound; regret = the oracle's expected utility - the policy's.\n\n"
    "--preset small (8 tenants, 3000 requests; default) or full (40 tenants, 20000 requests);\n"
    "--tenants (>= 4) and --requests (>= 10) override it; --seed (default 1) seeds everything.\n"
    "--ablation adds the router without each of its improvements. stdout: one JSON object\n"
    "(--format json, default) or a text table (--format table); --json also writes the JSON to a\n"
    "file, --csv the cumulative regret per policy over time, --svg a chart of it. Bad flags: exit 2.\n\n"
    "End to end: --daemon-config writes the hanzo-hmmd configuration of this world (its catalogue,\n"
    "market and router, without the shared base the daemon does not keep) and exits; --kafka plays\n"
    "the same stream against a fresh hanzo-hmmd started with it (closed loop per tenant: requests,\n"
    "decisions, feedback drawn from the world, the supply shock as a tick) and scores its decisions\n"
    "as the policy router-e2e (router-e2e-no-feedback with --no-feedback, which sends none) beside\n"
    "the in-process ones. --daemon-metrics (the daemon's http://HOST:PORT/metrics) makes a tenant's\n"
    "next request wait until the daemon has consumed its feedback, not only the broker; without it\n"
    "the daemon may see a request before the feedback just sent. --kafka-timeout (default 60)\n"
    "bounds any wait without progress.\n",
    {{"preset"}, {"seed"}, {"tenants"}, {"requests"}, {"ablation"}, {"format"}, {"json"}, {"csv"}, {"svg"},
     {"kafka"}, {"no-feedback"}, {"kafka-timeout"}, {"daemon-config"}, {"daemon-metrics"}}};

boost::json::value optional(const std::optional<double>& x) { return x ? boost::json::value(*x) : nullptr; }

boost::json::object to_json(const hmm::sim::Report& r) {
  boost::json::object out;
  out["preset"] = r.preset;
  out["seed"] = r.seed;
  out["tenants"] = r.tenants;
  out["requests"] = r.requests;
  out["outage"] = {{"model", r.outage_model}, {"start", r.outage_start}, {"end", r.outage_end}};
  boost::json::array policies;
  for (const auto& p : r.policies) {
    boost::json::object o;
    o["name"] = p.name;
    o["total_regret"] = p.total_regret;
    o["mean_expected_utility"] = p.mean_expected_utility;
    o["mean_realised_utility"] = p.mean_realised_utility;
    boost::json::object phases;
    for (std::size_t i = 0; i < p.phases.size(); ++i)
      phases[hmm::sim::kPhaseNames[i]] = {{"requests", p.phases[i].requests},
                                          {"regret", p.phases[i].regret},
                                          {"expected_utility", p.phases[i].expected_utility}};
    o["phases"] = std::move(phases);
    o["share_before_outage"] = p.share_before;
    o["outage_share"] = p.outage_share;
    o["outage_failures"] = p.outage_failures;
    o["share_after_50_failures"] = optional(p.share_after_50);
    o["share_after_200_failures"] = optional(p.share_after_200);
    o["retries_after_recovery"] = p.retries_after_recovery;
    o["first_retry_after"] = p.first_retry_after ? boost::json::value(*p.first_retry_after) : nullptr;
    o["cost_per_success"] = p.cost_per_success;
    policies.push_back(std::move(o));
  }
  out["policies"] = std::move(policies);
  return out;
}

bool write_file(const std::string& path, const std::string& text) {
  std::ofstream f(path);
  f << text;
  return static_cast<bool>(f);
}

boost::json::object to_json(const hmm::loadgen::SimLoopResult& r, bool feedback) {
  return {{"feedback", feedback},
          {"requests_sent", r.requests_sent},
          {"decisions", r.decisions},
          {"duplicates", r.duplicates},
          {"foreign", r.foreign},
          {"feedback_sent", r.feedback_sent},
          {"feedback_confirmations", r.confirmations},
          {"ticks_sent", r.ticks_sent},
          {"max_in_flight", r.max_in_flight},
          {"shock_price_mismatch", r.shock_price_mismatch},
          {"elapsed_s", r.elapsed_s}};
}

// --kafka: the world played through a running hanzo-hmmd; its choices become a replay scored with
// the policies, the loop's counts go to `out`. An exit code when it could not run.
std::optional<int> play_through_daemon(const Options& options, const hmm::sim::WorldSpec& spec,
                                       hmm::sim::RunOptions& run, boost::json::object& out) {
  hmm::loadgen::SimLoopOptions loop;
  loop.bootstrap = options.text("kafka");
  loop.feedback = !options.has("no-feedback");
  if (options.has("daemon-metrics")) loop.metrics_url = options.text("daemon-metrics");
  const auto timeout = options.number("kafka-timeout", loop.timeout_s, 0.0, true);
  if (!timeout) return kExitUsage;
  loop.timeout_s = *timeout;
  if (auto ok = loop.validate(); !ok) return options.usage_error("--kafka: " + ok.error().to_string());
  auto played = hmm::loadgen::play_world(spec, loop);
  if (!played) return fail(played.error());
  out = to_json(*played, loop.feedback);
  run.replays.push_back({loop.feedback ? "router-e2e" : "router-e2e-no-feedback", std::move(played->choices)});
  return std::nullopt;
}

}  // namespace

int run_simulate(std::span<const std::string> args) {
  using namespace hanzo::hmm;
  std::vector<std::string> fixed(args.begin(), args.end());
  for (std::size_t i = 0; i < fixed.size(); ++i)  // --ablation and --no-feedback take no value
    if (fixed[i] == "--ablation" || fixed[i] == "--no-feedback") fixed.insert(fixed.begin() + static_cast<std::ptrdiff_t>(++i), "true");
  Options options(kInfo);
  if (auto code = options.parse(fixed)) return *code;
  const std::string format = options.has("format") ? options.text("format") : "json";
  if (format != "json" && format != "table") return options.usage_error("--format: expected json or table");
  auto spec = sim::preset(options.has("preset") ? options.text("preset") : "small");
  if (!spec) return options.usage_error("--preset: " + spec.error().message);
  const auto seed = options.integer("seed", 1);
  const auto tenants = options.integer("tenants", spec->tenants);
  const auto requests = options.integer("requests", spec->requests);
  if (!seed || !tenants || !requests) return kExitUsage;
  if (*tenants < spec->segments.size() || *tenants > 100000)
    return options.usage_error("--tenants: expected " + std::to_string(spec->segments.size()) + " to 100000");
  if (*requests < 10 || *requests > 100000000) return options.usage_error("--requests: expected 10 to 100000000");
  spec->seed = *seed;
  spec->tenants = *tenants;
  spec->requests = *requests;
  if (options.has("daemon-config")) {
    daemon::DaemonConfig daemon_config;
    daemon_config.engine = spec->config;
    daemon_config.engine.router.shared_base = false;  // the daemon keeps no pool
    if (!write_file(options.text("daemon-config"), daemon::render_config(daemon_config)))
      return fail(make_error(Errc::io_error, options.text("daemon-config"), "cannot be written"));
    return 0;
  }
  if (!options.has("kafka") && (options.has("no-feedback") || options.has("kafka-timeout") || options.has("daemon-metrics")))
    return options.usage_error("--no-feedback, --daemon-metrics and --kafka-timeout need --kafka");
  sim::RunOptions run_options;
  run_options.ablation = options.has("ablation");
  boost::json::object kafka_json;
  if (options.has("kafka"))
    if (auto code = play_through_daemon(options, *spec, run_options, kafka_json)) return *code;
  auto report = sim::run(std::move(*spec), options.has("preset") ? options.text("preset") : "small", run_options);
  if (!report) return fail(report.error());

  auto json = to_json(*report);
  if (!run_options.replays.empty()) {
    // The in-process twin of the daemon's router: the same parameters without the shared base.
    const auto* e2e = report->find(run_options.replays.front().name);
    if (const auto* twin = report->find("router-no-shared-base")) {
      std::size_t same = 0;
      for (std::size_t t = 0; t < e2e->choices.size(); ++t) same += e2e->choices[t] == twin->choices[t] ? 1 : 0;
      kafka_json["same_choice_as_" + twin->name] = static_cast<double>(same) / static_cast<double>(e2e->choices.size());
    }
    json["kafka"] = std::move(kafka_json);
  }
  if (options.has("json") && !write_file(options.text("json"), boost::json::serialize(json) + "\n"))
    return fail(make_error(Errc::io_error, options.text("json"), "cannot be written"));
  if (options.has("csv") && !write_file(options.text("csv"), sim::regret_csv(*report)))
    return fail(make_error(Errc::io_error, options.text("csv"), "cannot be written"));
  if (options.has("svg")) {
    LineChart chart;
    chart.title = "Cumulative regret vs the oracle (preset " + report->preset + ", seed " + std::to_string(*seed) + ")";
    chart.x_label = "requests";
    chart.y_label = "cumulative regret (utility)";
    for (const auto n : report->curve_at) chart.x.push_back(static_cast<double>(n));
    for (const auto& p : report->policies) chart.series.push_back({p.name, p.regret_curve});
    chart.band_from = static_cast<double>(report->outage_start);
    chart.band_to = static_cast<double>(report->outage_end);
    chart.band_label = "outage of " + report->outage_model;
    if (!write_file(options.text("svg"), render_svg(chart)))
      return fail(make_error(Errc::io_error, options.text("svg"), "cannot be written"));
  }
  if (format == "table") std::cout << sim::regret_table(*report) << std::flush;
  else print_json(json);
  return 0;
}

}  // namespace hanzo::cli
