// Bounded flows (Market::check, Market::tick): a tick out of proportion to the reserves is an
// error naming the field; nothing non-finite ever reaches the state or the snapshot. Property
// tests over seeded random extreme ticks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include "helpers.hpp"

using namespace market_test;

namespace {
bool all_finite(const Market& m) {
  const Snapshot& s = m.snapshot();
  bool ok = std::isfinite(s.hamiltonian) && std::isfinite(s.kappa) && std::isfinite(s.drift) &&
            std::isfinite(s.lambda) && std::isfinite(s.risk_lambda) && std::isfinite(s.utilisation) &&
            std::isfinite(s.imbalance) && std::isfinite(s.volatility);
  for (const auto& c : s.classes)
    ok &= std::isfinite(c.price) && c.price > 0.0 && std::isfinite(c.supply) && c.supply > 0.0 &&
          std::isfinite(c.credits) && c.credits > 0.0 && std::isfinite(c.risk_fee) && std::isfinite(c.fees);
  for (double p : s.regime_posterior) ok &= std::isfinite(p);
  for (double p : m.prices()) ok &= std::isfinite(p);
  return ok;
}
bool names_a_flow(const std::string& where) {
  for (const char* f : {".supply_in", ".usage", ".demand", ".value_out"})
    if (where.rfind("tick.flows[", 0) == 0 && where.size() > std::string(f).size() &&
        where.compare(where.size() - std::string(f).size(), std::string::npos, f) == 0)
      return true;
  return where == "tick";  // the representable-range guard
}
}  // namespace

TEST_CASE("bounded: the issue's huge ticks are rejected naming the field, and change nothing", "[market][bounded]") {
  auto m = make(five_classes());
  const auto before = m.snapshot();
  const auto reject = [&](ClassFlow f, const std::string& where) {
    Tick t{1.0, {f}};
    auto r = m.tick(t);
    REQUIRE_FALSE(r);
    CHECK(r.error().where == where);
    CHECK_THAT(r.error().message, Catch::Contains("out of proportion") && Catch::Contains("max_flow_ratio"));
    CHECK(m.snapshot().tick == before.tick);
    CHECK(m.supply()[f.cls] == before.classes[f.cls].supply);
  };
  reject({0, 0, 0, 1e160, 0, 1}, "tick.flows[0].demand");
  reject({1, 1e160, 0, 0, 0, 1}, "tick.flows[0].supply_in");
  reject({2, 0, 1e200, 0, 0, 1}, "tick.flows[0].usage");
  reject({3, 0, 0, 0, 1e12, 1}, "tick.flows[0].value_out");
  // The bound is max_flow_ratio times the larger of the current and the initial reserve.
  const double theta = m.credits()[0];
  CHECK(m.tick(Tick{1.0, {{0, 0, 0, 1000.0 * theta, 0, 1}}}));
  CHECK(all_finite(m));
}

TEST_CASE("bounded: random extreme ticks never leave a non-finite value", "[market][bounded]") {
  std::mt19937_64 rng(2024);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  const auto log_uniform = [&](double lo, double hi) { return std::exp(std::log(lo) + u(rng) * (std::log(hi) - std::log(lo))); };
  auto flat = five_classes();
  flat.market.lambda = 0.0;
  std::size_t accepted = 0, rejected = 0;
  for (const auto& config : {five_classes(), many_classes(8), skewed_classes(8), flat}) {
    auto m = make(config);
    for (int k = 0; k < 3000; ++k) {
      Tick t;
      t.dt = u(rng) < 0.3 ? 0.0 : log_uniform(1e-3, 1e3);
      for (std::size_t i = 0; i < m.size(); ++i) {
        if (u(rng) < 0.5) continue;
        ClassFlow f;
        f.cls = i;
        // Amounts from 1e-6 to 1e300 times the reserve (most beyond max_flow_ratio), or 0.
        const auto amount = [&](double reserve) {
          return u(rng) < 0.3 ? 0.0 : reserve * log_uniform(1e-6, u(rng) < 0.7 ? 1e3 : 1e300);
        };
        f.supply_in = amount(m.supply()[i]);
        f.usage = amount(m.supply()[i]);
        f.demand = amount(m.credits()[i]);
        f.value_out = amount(m.credits()[i]);
        if (u(rng) < 0.05) f.shock = log_uniform(1e-12, 10.0);
        t.flows.push_back(f);
      }
      const auto before = m.snapshot();
      auto r = m.tick(t);
      if (r) {
        ++accepted;
      } else {
        ++rejected;
        REQUIRE(names_a_flow(r.error().where));
        REQUIRE(m.snapshot().tick == before.tick);
      }
      REQUIRE(all_finite(m));
    }
  }
  CHECK(accepted > 1000);
  CHECK(rejected > 3000);
}

// At the curvature the tick ran with: the regime may change λ afterwards (any demand against no
// supply inflow reads as imbalance 1), which moves every price together.
TEST_CASE("bounded: within the accepted range the price is monotone in demand", "[market][bounded]") {
  std::mt19937_64 rng(77);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  TickGen gen(78, 0.3, 0.05);
  double worst = 0.0;
  for (const auto& config : {five_classes(), skewed_classes(8), unmodulated(many_classes(8))}) {
    auto m = make(config);
    for (int k = 0; k < 300; ++k) {
      REQUIRE(m.tick(gen.next(m)));  // wander
      const std::size_t c = static_cast<std::size_t>(u(rng) * static_cast<double>(m.size()));
      const double dt = u(rng) < 0.3 ? 0.0 : 5.0 * u(rng);
      const double limit = config.market.max_flow_ratio * std::max(m.credits()[c], config.classes[c].credits);
      // Demands spread over the whole accepted range, 1e-9 of the reserve up to the bound itself.
      double last = 0.0;
      for (int j = 0; j <= 40; ++j) {
        const double d = j == 0 ? 0.0 : limit * std::pow(10.0, -12.0 + 12.0 * j / 40.0);
        auto copy = m;
        REQUIRE(copy.tick(Tick{dt, {{c, 0, 0, d, 0, 1}}}));
        REQUIRE(all_finite(copy));
        const double p = price(config.classes[c].weight, m.lambda(), copy.supply()[c], copy.credits()[c]);
        // Near a floor the cut sub-steps land a little off it: a wobble of at most 1e-7 (sub-step counts change with the size), not a trend.
        worst = std::max(worst, (last - p) / last);
        REQUIRE(p >= last * (1 - 1e-5));
        last = p;
      }
    }
  }
  std::printf("bounded: largest relative price decrease with more demand: %.2g\n", worst);
}

TEST_CASE("bounded: reserves grown to the edge of the doubles are refused, not overflowed", "[market][bounded]") {
  // Flows keep each class on its level set, so only shocks (at dt = 0: no restoring) can grow H_i
  // without bound; ten-fold shocks reach Ψ² > 1.8e308 within ~150 ticks.
  auto m = make(unmodulated(five_classes()));
  bool refused = false;
  for (int k = 0; k < 400 && !refused; ++k) {
    const auto before = m.snapshot();
    auto r = m.tick(Tick{0.0, {{0, 0, 0, 0, 0, 10.0}}});
    if (!r) {
      refused = true;
      CHECK(r.error().where == "tick");
      CHECK_THAT(r.error().message, Catch::Contains("h100-80g") && Catch::Contains("representable"));
      CHECK(m.supply()[0] == before.classes[0].supply);
      CHECK(m.credits()[0] == before.classes[0].credits);
      CHECK(m.snapshot().tick == before.tick);
    }
    REQUIRE(all_finite(m));
  }
  CHECK(refused);
}
