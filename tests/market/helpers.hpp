// Configurations and random ticks shared by the market tests.
#pragma once

#include <cmath>
#include <random>
#include <string>
#include <vector>

#include "hanzo/hmm/market/market.hpp"

namespace market_test {

using namespace hanzo::hmm::market;

// The five classes of the issue, with unequal weights, supplies and pools.
inline MarketConfig five_classes() {
  MarketConfig c;
  c.classes = {{"h100-80g", 1.0, 4000.0, 12000.0, 80.0},
               {"a100-80g", 0.9, 6000.0, 9000.0, 80.0},
               {"l40s-48g", 0.8, 3000.0, 3000.0, 48.0},
               {"l4-24g", 0.6, 8000.0, 2500.0, 24.0},
               {"cpu", 0.5, 20000.0, 1000.0, 0.0}};
  c.market.lambda = 0.15;  // largest modulated λ = 0.3 < 0.5
  return c;
}

// n classes with weights in [0.6, 1.4], supplies over two decades and prices over one.
inline MarketConfig many_classes(std::size_t n, std::uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  MarketConfig c;
  for (std::size_t i = 0; i < n; ++i) {
    const double supply = 100.0 * std::pow(100.0, u(rng)), price = 0.3 * std::pow(10.0, u(rng));
    c.classes.push_back({"c" + std::to_string(i), 0.6 + 0.8 * u(rng), supply, price * supply, 24.0});
  }
  return c;
}

// Supplies and pools drawn independently over two decades each: prices spread over four, the
// stiff corner of the dynamics (the joint projection drains the small side of lopsided classes).
inline MarketConfig skewed_classes(std::size_t n, std::uint64_t seed = 7) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  MarketConfig c;
  for (std::size_t i = 0; i < n; ++i)
    c.classes.push_back({"c" + std::to_string(i), 0.6 + 0.8 * u(rng), 100.0 * std::pow(100.0, u(rng)),
                         100.0 * std::pow(100.0, u(rng)), 24.0});
  return c;
}

// Regime modulation off: λ and λ_r stay at their base values, so prices only move with the state.
inline MarketConfig unmodulated(MarketConfig c) {
  c.market.lambda_modulation = {0.0, 0.0};
  c.market.risk_fee_modulation = {0.0, 0.0};
  return c;
}

inline Market make(const MarketConfig& c) { return Market::create(c).value(); }

// Random ticks: flows up to `scale` × the current reserves, occasional shocks.
struct TickGen {
  std::mt19937_64 rng;
  double scale;
  double shock_probability;
  explicit TickGen(std::uint64_t seed, double scale_ = 0.1, double shock_p = 0.02)
      : rng(seed), scale(scale_), shock_probability(shock_p) {}
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); }
  Tick next(const Market& m) {
    Tick t;
    t.dt = uniform(0.0, 2.0);
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (uniform(0, 1) < 0.3) continue;
      ClassFlow f;
      f.cls = i;
      const double psi = m.supply()[i], theta = m.credits()[i];
      f.supply_in = uniform(0, scale) * psi;
      f.usage = uniform(0, scale) * psi;
      f.demand = uniform(0, scale) * theta;
      f.value_out = uniform(0, scale) * theta;
      if (uniform(0, 1) < shock_probability) f.shock = std::exp(uniform(std::log(0.05), std::log(5.0)));
      t.flows.push_back(f);
    }
    return t;
  }
};

// Flows that keep every class's reserves and prices where they are, at ~55% utilisation.
inline Tick balanced_tick(const Market& m, double dt = 1.0) {
  Tick t;
  t.dt = dt;
  for (std::size_t i = 0; i < m.size(); ++i) {
    const double u = 0.55 * m.supply()[i], d = m.prices()[i] * u;
    t.flows.push_back({i, u, u, d, d, 1.0});
  }
  return t;
}

}  // namespace market_test
