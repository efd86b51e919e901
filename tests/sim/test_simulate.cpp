// A whole run on the small preset: the oracle bounds every policy, runs are reproducible, the
// router learns the outage, recovers, and beats the simple baselines.
#include <catch2/catch.hpp>

#include "hanzo/hmm/sim/simulate.hpp"

namespace sim = hanzo::hmm::sim;

namespace {

sim::Report run_small(std::uint64_t seed, bool ablation = false) {
  auto spec = sim::preset("small").value();
  spec.seed = seed;
  sim::RunOptions o;
  o.ablation = ablation;
  return sim::run(std::move(spec), "small", o).value();
}

const sim::PolicyReport& get(const sim::Report& r, std::string_view name) {
  const auto* p = r.find(name);
  REQUIRE(p != nullptr);
  return *p;
}

}  // namespace

TEST_CASE("sim run: the oracle is an upper bound and regret is never negative", "[sim][run]") {
  const auto r = run_small(1, true);
  REQUIRE(r.policies.size() == 8 + 5);
  const auto& oracle = get(r, "oracle");
  CHECK(oracle.total_regret == 0.0);
  for (const auto& p : r.policies) {
    INFO(p.name);
    CHECK(p.total_regret >= 0.0);
    for (const auto& ph : p.phases) CHECK(ph.regret >= 0.0);
    CHECK(p.mean_expected_utility <= oracle.mean_expected_utility + 1e-12);
    CHECK(p.phases[0].requests + p.phases[1].requests + p.phases[2].requests == r.requests);
    // Regret is the utility gap to the oracle, phase by phase.
    for (std::size_t i = 0; i < 3; ++i)
      CHECK(p.phases[i].regret == Approx(oracle.phases[i].expected_utility - p.phases[i].expected_utility).margin(1e-6));
    // The curve is cumulative, ends at the total and never falls.
    REQUIRE(p.regret_curve.size() == r.curve_at.size());
    CHECK(p.regret_curve.back() == Approx(p.total_regret));
    for (std::size_t j = 1; j < p.regret_curve.size(); ++j) CHECK(p.regret_curve[j] >= p.regret_curve[j - 1]);
  }
}

TEST_CASE("sim run: the same seed gives the same CSV, another seed another", "[sim][run]") {
  const auto a = sim::regret_csv(run_small(3));
  CHECK(a == sim::regret_csv(run_small(3)));
  CHECK(a != sim::regret_csv(run_small(4)));
  CHECK(a.rfind("requests,oracle,cheapest,advertised-best,random,lowest-latency,thompson-tenant,thompson-segment,router\n", 0) == 0);
}

TEST_CASE("sim run: the router beats random and cheapest, and learns the outage", "[sim][run]") {
  for (const std::uint64_t seed : {1, 2, 3}) {
    const auto r = run_small(seed);
    INFO("seed " << seed << "\n" << sim::regret_table(r));
    const auto& router = get(r, "router");
    CHECK(router.total_regret < get(r, "random").total_regret);
    CHECK(router.total_regret < get(r, "cheapest").total_regret);
    CHECK(router.total_regret < get(r, "advertised-best").total_regret);
    CHECK(router.total_regret < get(r, "thompson-tenant").total_regret);
    // The failing model's share drops once it fails, and it is tried again after recovery.
    CHECK(router.share_before > 0.05);
    CHECK(router.outage_share < 0.05);
    CHECK(router.outage_share < 0.5 * router.share_before);
    CHECK(router.retries_after_recovery > 0);
    // A policy that cannot learn keeps sending traffic to it.
    CHECK(get(r, "advertised-best").outage_share > 0.3);
  }
}
