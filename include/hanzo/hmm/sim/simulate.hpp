// One simulated run: every policy on the same stream, scored against the oracle.
//
// Regret of a decision = E[U | oracle's model] - E[U | chosen model], under the truth at that
// request (so it is >= 0 exactly, and the oracle's is 0); mean utility is reported both expected
// and realised. Phases are before, during and after the outage.
#pragma once

#include <array>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/sim/world.hpp"

namespace hanzo::hmm::sim {

// Decisions made elsewhere on the same stream (e.g. by hanzo-hmmd through Kafka), scored like
// the policies: choices[t] is the catalogue index chosen for request t.
struct Replay {
  std::string name;
  std::vector<std::size_t> choices;
};

struct RunOptions {
  bool ablation{false};          // also run the router without each improvement (policy.hpp)
  std::size_t curve_points{100};  // samples of the cumulative regret curve
  std::vector<Replay> replays;    // scored after the routers, in this order
};

struct PhaseStats {
  std::size_t requests{0};
  double regret{0.0};            // summed
  double expected_utility{0.0};  // summed
};

struct PolicyReport {
  std::string name;
  double total_regret{0.0};
  double mean_expected_utility{0.0};
  double mean_realised_utility{0.0};
  std::array<PhaseStats, 3> phases{};
  // Outage: share of this policy's outage decisions that went to the failing model, overall and
  // counted from the moment it had seen the model fail 50 (200) times in the outage; empty when
  // it never saw that many failures.
  double share_before{0.0};  // of the decisions before the outage, for comparison
  double outage_share{0.0};
  std::size_t outage_failures{0};
  std::optional<double> share_after_50, share_after_200;
  // After recovery: decisions to the recovered model, and how many requests after the outage's
  // end the first one came (empty: never).
  std::size_t retries_after_recovery{0};
  std::optional<std::size_t> first_retry_after;
  double cost_per_success{0.0};  // credits (price x tokens) per successful request
  std::vector<double> regret_curve;  // cumulative regret at Report::curve_at
  std::vector<std::size_t> choices;  // catalogue index chosen for each request
};

struct Report {
  std::string preset;
  std::uint64_t seed{0};
  std::size_t tenants{0}, requests{0};
  std::string outage_model;
  std::size_t outage_start{0}, outage_end{0};  // request indices [start, end)
  std::vector<std::size_t> curve_at;          // request counts of the curve samples
  std::vector<PolicyReport> policies;          // oracle first, then baselines, then routers
  const PolicyReport* find(std::string_view name) const noexcept;
};

// Runs the oracle, cheapest, advertised-best, random, lowest-latency, thompson-tenant,
// thompson-segment and the router (spec.config.router) over spec's world.
Result<Report> run(WorldSpec spec, std::string preset_name, const RunOptions& options = {});

// "requests,<policy>,..." then one row per curve sample of cumulative regret (fixed 6 decimals).
std::string regret_csv(const Report& report);
// A fixed-width text table: per policy total and per-phase regret, utilities, outage figures.
std::string regret_table(const Report& report);

}  // namespace hanzo::hmm::sim
