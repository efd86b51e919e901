// The run loop: advance the world, let every policy choose, score against the oracle, feed back.
#include <algorithm>
#include <cmath>
#include <memory>

#include "hanzo/hmm/sim/policy.hpp"
#include "hanzo/hmm/sim/simulate.hpp"

namespace hanzo::hmm::sim {

namespace {

// Per-policy counters beyond PolicyReport's.
struct Tally {
  double realised{0.0}, cost{0.0};
  std::size_t successes{0}, outage_decisions{0}, outage_to_model{0}, before_to_model{0};
  std::array<std::size_t, 2> after_n{}, after_to_model{};  // decisions after 50 / 200 failures
};

constexpr std::array<std::size_t, 2> kFailureMarks{50, 200};

}  // namespace

const PolicyReport* Report::find(std::string_view name) const noexcept {
  for (const auto& p : policies)
    if (p.name == name) return &p;
  return nullptr;
}

Result<Report> run(WorldSpec spec, std::string preset_name, const RunOptions& options) {
  auto world = World::create(std::move(spec));
  if (!world) return std::move(world).error();
  World& w = *world;
  const std::uint64_t seed = w.spec().seed;
  std::vector<std::unique_ptr<Policy>> policies;
  policies.push_back(make_oracle());
  policies.push_back(make_cheapest());
  policies.push_back(make_advertised_best());
  policies.push_back(make_random(seed));
  policies.push_back(make_lowest_latency());
  policies.push_back(make_thompson(ThompsonScope::tenant, seed));
  policies.push_back(make_thompson(ThompsonScope::segment, seed));
  auto variants = std::vector<std::pair<std::string, routing::RouterParams>>{{"router", w.spec().config.router}};
  if (options.ablation)
    for (auto& v : ablation_variants(w.spec().config.router)) variants.push_back(std::move(v));
  for (auto& [name, params] : variants) {
    auto p = make_router(w, name, params);
    if (!p) return std::move(p).error().within(name);
    policies.push_back(std::move(*p));
  }
  for (const auto& r : options.replays) {
    if (r.choices.size() != w.spec().requests) return make_error(Errc::invalid_value, r.name, "one choice per request");
    policies.push_back(make_replay(r.name, r.choices));
  }

  const std::size_t n = w.spec().requests, k = policies.size();
  Report rep;
  rep.preset = std::move(preset_name);
  rep.seed = seed;
  rep.tenants = w.spec().tenants;
  rep.requests = n;
  rep.outage_model = w.spec().config.models[w.outage_model()].name;
  rep.outage_start = static_cast<std::size_t>(std::ceil(w.spec().outage.start * static_cast<double>(n)));
  rep.outage_end = static_cast<std::size_t>(std::ceil(w.spec().outage.end * static_cast<double>(n)));
  rep.policies.resize(k);
  std::vector<Tally> tally(k);
  for (std::size_t i = 0; i < k; ++i) rep.policies[i].name = policies[i]->name();
  const std::size_t every = std::max<std::size_t>(1, n / std::max<std::size_t>(1, options.curve_points));
  const std::size_t failing = w.outage_model();

  std::vector<std::size_t> feasible;
  for (std::size_t t = 0; t < n; ++t) {
    if (auto ok = w.advance(t); !ok) return std::move(ok).error();
    const Request r = w.request(t);
    feasible.clear();
    for (std::size_t m = 0; m < w.models(); ++m)
      if (w.feasible(r, m)) feasible.push_back(m);
    const Step step{w, r, feasible};
    const Phase phase = w.phase(t);
    double best = -INFINITY;
    for (const std::size_t m : feasible) best = std::max(best, w.expected_utility(r, m));
    const double tokens = std::ceil(static_cast<double>(r.request.input.size()) / 4.0) + 256.0;
    for (std::size_t i = 0; i < k; ++i) {
      auto chosen = policies[i]->choose(step);
      if (!chosen) return std::move(chosen).error().within(policies[i]->name());
      const std::size_t m = *chosen;
      rep.policies[i].choices.push_back(m);
      if (std::find(feasible.begin(), feasible.end(), m) == feasible.end())
        return make_error(Errc::invalid_value, policies[i]->name(), "chose an infeasible model");
      const Outcome o = w.outcome(r, m);
      const double eu = w.expected_utility(r, m);
      PolicyReport& pr = rep.policies[i];
      Tally& ty = tally[i];
      pr.total_regret += best - eu;
      auto& ph = pr.phases[static_cast<std::size_t>(phase)];
      ++ph.requests;
      ph.regret += best - eu;
      ph.expected_utility += eu;
      ty.realised += o.utility;
      ty.cost += o.price_per_token * tokens;
      ty.successes += o.success ? 1 : 0;
      if (phase == Phase::before) {
        ty.before_to_model += m == failing ? 1 : 0;
      } else if (phase == Phase::during) {
        ++ty.outage_decisions;
        for (std::size_t j = 0; j < 2; ++j)
          if (pr.outage_failures >= kFailureMarks[j]) {
            ++ty.after_n[j];
            ty.after_to_model[j] += m == failing ? 1 : 0;
          }
        if (m == failing) {
          ++ty.outage_to_model;
          pr.outage_failures += o.success ? 0 : 1;
        }
      } else if (phase == Phase::after && m == failing) {
        if (pr.retries_after_recovery++ == 0) pr.first_retry_after = t - rep.outage_end;
      }
      if (auto ok = policies[i]->observe(step, m, o); !ok) return std::move(ok).error().within(policies[i]->name());
    }
    if ((t + 1) % every == 0 || t + 1 == n) {
      rep.curve_at.push_back(t + 1);
      for (auto& pr : rep.policies) pr.regret_curve.push_back(pr.total_regret);
    }
  }
  for (std::size_t i = 0; i < k; ++i) {
    PolicyReport& pr = rep.policies[i];
    const Tally& ty = tally[i];
    double eu = 0.0;
    for (const auto& ph : pr.phases) eu += ph.expected_utility;
    pr.mean_expected_utility = eu / static_cast<double>(n);
    pr.mean_realised_utility = ty.realised / static_cast<double>(n);
    const std::size_t before = pr.phases[0].requests;
    pr.share_before = before ? static_cast<double>(ty.before_to_model) / static_cast<double>(before) : 0.0;
    pr.outage_share = ty.outage_decisions ? static_cast<double>(ty.outage_to_model) / static_cast<double>(ty.outage_decisions) : 0.0;
    std::optional<double>* marks[2] = {&pr.share_after_50, &pr.share_after_200};
    for (std::size_t j = 0; j < 2; ++j)
      if (pr.outage_failures >= kFailureMarks[j] && ty.after_n[j] > 0)
        *marks[j] = static_cast<double>(ty.after_to_model[j]) / static_cast<double>(ty.after_n[j]);
    pr.cost_per_success = ty.successes ? ty.cost / static_cast<double>(ty.successes) : 0.0;
  }
  return rep;
}

}  // namespace hanzo::hmm::sim
