// Quotes and swaps on one pool (src/market/quote.cpp): invariants, no-arbitrage, rejections.
#include <catch2/catch.hpp>

#include <random>

#include "hanzo/hmm/market/curve.hpp"
#include "hanzo/hmm/market/quote.hpp"

using namespace hanzo::hmm::market;

namespace {
double energy(const Pool& p, double psi, double theta) { return class_energy(p.weight, p.lambda, psi, theta); }
Pool after(Pool p, const Quote& q) {
  p.supply = q.supply_after;
  p.credits = q.credits_after;
  return p;
}
struct Random {
  std::mt19937_64 rng;
  explicit Random(std::uint64_t s) : rng(s) {}
  double u(double lo = 0, double hi = 1) { return std::uniform_real_distribution<double>(lo, hi)(rng); }
  double log_u(double lo, double hi) { return std::exp(u(std::log(lo), std::log(hi))); }
  Pool pool() {
    Pool p;
    p.weight = u(0.3, 2.0);
    p.lambda = u() < 0.2 ? 0.0 : u(0.0, 0.95) * p.weight;
    p.supply = log_u(1.0, 1e5);
    p.credits = log_u(1.0, 1e5);
    return p;
  }
  Fees fees() { return {u(0.0, 0.01), u(0.0, 0.2)}; }
};
}  // namespace

TEST_CASE("quote: constant product by hand", "[market][quote]") {
  // λ = 0, w = 2, Ψ = 100, Θ = 200. Paying 50: pre-fee output 100·50/250 = 20, risk fee
  // 0.1·20/100 = 0.02, f = 0.03, net 48.5, output 100·48.5/248.5.
  const Pool p{2.0, 0.0, 100.0, 200.0};
  const auto q = quote_buy(p, {0.01, 0.1}, 50.0).value();
  CHECK(q.risk_fee_rate == Approx(0.02).epsilon(1e-14));
  CHECK(q.fee_rate == Approx(0.03).epsilon(1e-14));
  CHECK(q.fee == Approx(1.5).epsilon(1e-14));
  CHECK(q.amount_out == Approx(100.0 * 48.5 / 248.5).epsilon(1e-14));
  CHECK(q.credits_after == Approx(248.5).epsilon(1e-15));
  CHECK(q.price_before == 2.0);
  CHECK(q.price_after == Approx(248.5 / (100.0 - q.amount_out)).epsilon(1e-14));
  CHECK(q.average_price() == Approx(50.0 / q.amount_out).epsilon(1e-15));
  // Selling 25 GPU-seconds: gross 200·25/125 = 40, less the 1% market fee.
  const auto s = quote_sell(p, {0.01, 0.1}, 25.0).value();
  CHECK(s.amount_out == Approx(39.6).epsilon(1e-14));
  CHECK(s.fee == Approx(0.4).epsilon(1e-14));
  CHECK(s.risk_fee_rate == 0.0);
}

TEST_CASE("quote: swaps keep κ_i (exactly without fees - the fee leaves the pool)", "[market][quote]") {
  Random r(11);
  for (int k = 0; k < 2000; ++k) {
    const Pool p = r.pool();
    const bool no_fees = k % 2 == 0;
    const Fees f = no_fees ? Fees{} : r.fees();
    const double kappa = energy(p, p.supply, p.credits);
    const bool buy = r.u() < 0.5;
    const double amount = (buy ? p.credits : p.supply) * r.log_u(1e-9, 3.0);
    const auto q = buy ? quote_buy(p, f, amount) : quote_sell(p, f, amount);
    if (!q) continue;  // exhausted: tested below
    CHECK(energy(p, q->supply_after, q->credits_after) == Approx(kappa).epsilon(1e-12));
    CHECK(q->supply_after > 0.0);
    CHECK(q->credits_after > 0.0);
    if (buy) {
      CHECK(q->credits_after - p.credits == Approx(amount - q->fee).margin(1e-15 * q->credits_after));
      CHECK(q->price_after >= q->price_before);  // buying supply raises its price
    } else {
      CHECK(p.credits - q->credits_after == Approx(q->amount_out + q->fee).margin(1e-15 * p.credits));
      CHECK(q->price_after <= q->price_before);
    }
    if (no_fees) CHECK(q->fee == 0.0);
  }
}

TEST_CASE("quote: no round trip gains - each loses exactly its fees", "[market][quote]") {
  Random r(12);
  int trips = 0;
  for (int k = 0; k < 3000; ++k) {
    const Pool p = r.pool();
    const Fees f = k % 3 == 0 ? Fees{} : r.fees();
    if (r.u() < 0.5) {  // buy, then sell the supply back
      const auto b = quote_buy(p, f, p.credits * r.log_u(1e-8, 2.0));
      if (!b) continue;
      const auto s = quote_sell(after(p, *b), f, b->amount_out);
      REQUIRE(s);  // the pool can always take back what it gave
      const double loss = b->amount_in - s->amount_out;
      CHECK(loss >= b->fee + s->fee - 1e-10 * b->amount_in);
      CHECK(loss == Approx(b->fee + s->fee).margin(1e-10 * b->amount_in));
      CHECK(s->supply_after == Approx(p.supply).epsilon(1e-10));
    } else {  // sell, then buy back with the proceeds: at most the supply sold comes back
      const auto s = quote_sell(p, f, p.supply * r.log_u(1e-8, 2.0));
      if (!s) continue;
      const auto b = quote_buy(after(p, *s), f, s->amount_out);
      REQUIRE(b);
      CHECK(b->amount_out <= s->amount_in * (1 + 1e-12));
    }
    ++trips;
  }
  CHECK(trips > 2500);
}

TEST_CASE("quote: the inverse quote inverts the quote", "[market][quote]") {
  Random r(13);
  for (int k = 0; k < 2000; ++k) {
    const Pool p = r.pool();
    const Fees f = r.fees();
    const double want = p.supply * r.log_u(1e-9, 0.99);
    const auto inv = quote_buy_supply(p, f, want);
    if (!inv) {
      CHECK_THAT(inv.error().message, Catch::Contains("liquidity exhausted"));
      continue;
    }
    CHECK(inv->amount_out == Approx(want).epsilon(1e-10));
    const auto fwd = quote_buy(p, f, inv->amount_in).value();
    CHECK(fwd.amount_out == inv->amount_out);
    // And the other way round.
    const double pay = p.credits * r.log_u(1e-9, 1.0);
    if (auto q = quote_buy(p, f, pay)) CHECK(quote_buy_supply(p, f, q->amount_out)->amount_in == Approx(pay).epsilon(1e-9));
  }
}

TEST_CASE("quote: exhausted liquidity and bad amounts are rejected with a reason", "[market][quote]") {
  const Pool curved{1.0, 0.1, 1000.0, 1000.0};  // the curve ends at Θ = √(2κ/λ) ≈ 4690
  auto q = quote_buy(curved, {}, 5000.0);
  REQUIRE_FALSE(q);
  CHECK(q.error().where == "quote");
  CHECK_THAT(q.error().message, Catch::Contains("liquidity exhausted"));
  CHECK(quote_buy(curved, {}, 3000.0));
  CHECK_FALSE(quote_sell(curved, {}, 5000.0));
  CHECK_FALSE(quote_buy_supply(curved, {}, 1000.0));
  CHECK(quote_buy_supply(curved, {}, 999.0));
  // Constant product never runs out, but a floor still binds.
  Pool flat{1.0, 0.0, 1000.0, 1000.0, 100.0, 100.0};
  CHECK(quote_buy(flat, {}, 8000.0));
  CHECK_FALSE(quote_buy(flat, {}, 10000.0));  // would leave 90.9 < 100
  CHECK_FALSE(quote_buy_supply(flat, {}, 900.0));
  // Bad sizes name the field.
  for (double bad : {0.0, -1.0, std::nan(""), HUGE_VAL}) {
    CHECK(quote_buy(flat, {}, bad).error().where == "quote.credits");
    CHECK(quote_sell(flat, {}, bad).error().where == "quote.supply");
    CHECK(quote_buy_supply(flat, {}, bad).error().where == "quote.supply");
  }
}

TEST_CASE("quote: bigger trades pay more per GPU-second - fees only add", "[market][quote]") {
  Random r(14);
  for (int k = 0; k < 500; ++k) {
    const Pool p = r.pool();
    const double a = p.credits * r.log_u(1e-6, 0.5), b = a * r.u(1.01, 3.0);
    const auto qa = quote_buy(p, {}, a), qb = quote_buy(p, {}, b);
    if (!qa || !qb) continue;
    CHECK(qa->average_price() >= qa->price_before * (1 - 1e-12));
    CHECK(qb->average_price() >= qa->average_price() * (1 - 1e-12));
    const auto fee = quote_buy(p, r.fees(), a);
    if (fee) CHECK(fee->amount_out <= qa->amount_out);
  }
}
