// The market regime (src/market/regime.cpp) and how it modulates λ and the risk fee.
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace market_test;

namespace {
std::string label(const Market& m) { return m.snapshot().regime_label; }
double p_of(const Market& m, const char* state) {
  return m.snapshot().regime_posterior[*m.regime().state_index(state)];
}
}  // namespace

TEST_CASE("regime: defaults are the four documented regimes", "[market][regime]") {
  const RegimeParams p;
  CHECK(p.states == std::vector<std::string>{"slack", "balanced", "congested", "shock"});
  auto m = make(five_classes());
  CHECK(m.snapshot().regime_posterior == p.initial);  // before any tick: the initial distribution
  CHECK(label(m) == "balanced");
}

TEST_CASE("regime: a big supply shock moves the posterior to shock, and it comes back", "[market][regime]") {
  auto m = make(many_classes(16));
  for (int k = 0; k < 50; ++k) REQUIRE(m.tick(balanced_tick(m)));
  CHECK(label(m) == "balanced");
  CHECK(p_of(m, "shock") < 1e-3);
  const double lambda_calm = m.lambda();

  Tick t = balanced_tick(m);
  for (std::size_t i = 0; i < 8; ++i) t.flows[i].shock = 0.5;  // half the supply of half the classes
  REQUIRE(m.tick(t));
  CHECK(label(m) == "shock");
  CHECK(p_of(m, "shock") > 0.99);
  CHECK(m.snapshot().volatility > 0.05);
  // λ(t) = λ0 (1 + a P(congested) + b P(shock)), likewise λ_r.
  const auto& c = m.config().market;
  CHECK(m.lambda() == Approx(c.lambda * (1 + c.lambda_modulation.congested * p_of(m, "congested") +
                                         c.lambda_modulation.shock * p_of(m, "shock"))));
  CHECK(m.risk_lambda() == Approx(c.risk_fee * (1 + c.risk_fee_modulation.congested * p_of(m, "congested") +
                                                c.risk_fee_modulation.shock * p_of(m, "shock"))));
  CHECK(m.lambda() > 1.8 * lambda_calm);

  int back = -1;
  for (int k = 0; k < 100 && back < 0; ++k) {
    REQUIRE(m.tick(balanced_tick(m)));
    if (label(m) == "balanced") back = k;
  }
  CHECK(back > 0);   // the shock lasts more than one tick...
  CHECK(back < 60);  // ...and fades
  for (int k = 0; k < 50; ++k) REQUIRE(m.tick(balanced_tick(m)));
  CHECK(label(m) == "balanced");
  CHECK(p_of(m, "shock") < 1e-3);
  CHECK(m.lambda() == Approx(lambda_calm).epsilon(0.02));
}

TEST_CASE("regime: sustained excess usage and demand read as congested, idle capacity as slack", "[market][regime]") {
  auto m = make(many_classes(16));
  for (int k = 0; k < 30; ++k) {
    Tick t = balanced_tick(m);
    for (auto& f : t.flows) {
      f.usage = f.supply_in = 0.85 / 0.55 * f.usage;  // ρ ≈ 0.85, no net flow
      f.demand = f.value_out = 1.8 * m.prices()[f.cls] * f.usage;  // D ≈ 1.8 S: imbalance ≈ 0.29
    }
    REQUIRE(m.tick(t));
  }
  CHECK(label(m) == "congested");
  for (int k = 0; k < 30; ++k) {
    Tick t = balanced_tick(m);
    for (auto& f : t.flows) {
      f.usage = f.supply_in = 0.25 / 0.55 * f.usage;
      f.demand = f.value_out = 0.5 * m.prices()[f.cls] * f.usage;
    }
    REQUIRE(m.tick(t));
  }
  CHECK(label(m) == "slack");
}

TEST_CASE("regime: the observation is as documented", "[market][regime]") {
  auto m = make(unmodulated(five_classes()));
  Tick t;
  t.dt = 1.0;
  const double p1 = m.prices()[1];
  t.flows.push_back({1, 200.0, 300.0, 50.0 * p1, 0.0, 1.0});
  t.flows.push_back({3, 100.0, 0.0, 0.0, 0.0, 0.5});
  double total = 0;
  for (std::size_t i = 0; i < m.size(); ++i) total += m.supply()[i];
  const double after_shock = total - 0.5 * m.supply()[3];
  REQUIRE(m.tick(t));
  const auto& s = m.snapshot();
  CHECK(s.utilisation == Approx(300.0 / after_shock).epsilon(1e-14));
  // D = 50 GPU-seconds at class 1's (unshocked) price, S = 300.
  CHECK(s.imbalance == Approx((50.0 - 300.0) / 350.0).epsilon(1e-12));
  CHECK(s.volatility > 0.0);
}
