// Quotes for an amount of GPU-seconds (Market::quote_buy_supply, which `hanzo-hmm market quote`
// and the Kafka quote answer use) against an independent computation: the level set integrated
// numerically, dΘ/dΨ = −p(Ψ, Θ), in long double with RK4, never touching curve.hpp.
#include <catch2/catch.hpp>

#include <cstdio>

#include "helpers.hpp"

using namespace market_test;

namespace {
using LD = long double;
LD hand_price(LD w, LD lam, LD psi, LD theta) { return (w * theta + lam * psi) / (w * psi + lam * theta); }

// RK4 for dy/dx = f(x, y) from x0 over `span`; returns y at the end.
template <class F>
LD rk4(F f, LD x, LD y, LD span, int steps = 20000) {
  const LD h = span / steps;
  for (int k = 0; k < steps; ++k) {
    const LD k1 = f(x, y), k2 = f(x + h / 2, y + h * k1 / 2), k3 = f(x + h / 2, y + h * k2 / 2), k4 = f(x + h, y + h * k3);
    y += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6;
    x += h;
  }
  return y;
}
// Θ after Ψ falls by q along the level set through (psi, theta): dΘ/dΨ = −p.
LD theta_after_buying(LD w, LD lam, LD psi, LD theta, LD q) {
  return rk4([&](LD x, LD y) { return -hand_price(w, lam, x, y); }, psi, theta, -q);
}
// Ψ after Θ grows by c along the level set: dΨ/dΘ = −1/p.
LD psi_after_paying(LD w, LD lam, LD psi, LD theta, LD c) {
  return rk4([&](LD y, LD x) { return -1 / hand_price(w, lam, x, y); }, theta, psi, c);
}
}  // namespace

TEST_CASE("amount quote: without fees the cost is the integral of the marginal price", "[market][quote]") {
  auto c = five_classes();
  c.market.market_fee = 0.0;
  c.market.risk_fee = 0.0;
  auto m = make(unmodulated(c));
  for (std::size_t i = 0; i < m.size(); ++i)
    for (const double share : {1e-4, 0.01, 0.1, 0.5, 0.9}) {
      const double q = share * m.supply()[i];
      const auto quote = m.quote_buy_supply(i, q).value();
      const LD expected = theta_after_buying(c.classes[i].weight, m.lambda(), m.supply()[i], m.credits()[i], q) -
                          static_cast<LD>(m.credits()[i]);
      CHECK(quote.amount_in == Approx(static_cast<double>(expected)).epsilon(1e-10));
      CHECK(quote.amount_out == Approx(q).epsilon(1e-12));
      CHECK(quote.price_after == Approx(static_cast<double>(hand_price(c.classes[i].weight, m.lambda(),
                                                                       m.supply()[i] - q, m.credits()[i] + expected)))
                                     .epsilon(1e-10));
    }
}

TEST_CASE("amount quote: with fees, the part that reaches the pool is the integral", "[market][quote]") {
  auto m = make(five_classes());
  const auto fees = m.fees();
  for (std::size_t i = 0; i < m.size(); ++i)
    for (const double share : {0.001, 0.1, 0.6}) {
      const double q = share * m.supply()[i];
      const auto quote = m.quote_buy_supply(i, q).value();
      const LD w = m.classes()[i].weight, lam = m.lambda(), psi = m.supply()[i], theta = m.credits()[i];
      // f = f_m + λ_r ΔΨ_pre/Ψ, ΔΨ_pre what the whole payment would buy without a fee.
      const LD pre = psi - psi_after_paying(w, lam, psi, theta, quote.amount_in);
      const LD f = fees.market + fees.risk * pre / psi;
      const LD into_pool = theta_after_buying(w, lam, psi, theta, q) - theta;
      CHECK(static_cast<double>(quote.amount_in * (1 - f)) == Approx(static_cast<double>(into_pool)).epsilon(1e-9));
      CHECK(quote.fee == Approx(static_cast<double>(quote.amount_in * f)).epsilon(1e-9));
    }
}

TEST_CASE("amount quote: at 3,600 GPU-s the marginal price is about 10% low", "[market][quote]") {
  // The shipped configuration's h100 pool (config/hanzo-hmm.toml): Ψ = Θ = 36,000 at λ = 0.005.
  MarketConfig c;
  c.classes = {{"h100-80g", 1, 36000, 36000, 80}};
  c.market.lambda = 0.005;
  auto m = make(unmodulated(c));
  const auto q = m.quote_buy_supply(0, 3600).value();
  const double no_fee = static_cast<double>(theta_after_buying(1, 0.005, 36000, 36000, 3600) - 36000) / 3600;
  std::printf("amount quote: 3600 GPU-s of h100: marginal %.4f, level-set average %.4f without fees, %.4f with\n",
              m.prices()[0], no_fee, q.average_price());
  CHECK(no_fee == Approx(1.11).epsilon(2e-3));  // ≈ Θ/(Ψ − q) = 36000/32400 = 1.111 of constant product
  CHECK(m.prices()[0] / q.average_price() < 0.9);
}
