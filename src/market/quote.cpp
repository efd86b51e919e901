#include "hanzo/hmm/market/quote.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hanzo/hmm/chain.hpp"
#include "hanzo/hmm/market/curve.hpp"

namespace hanzo::hmm::market {

namespace {

using hanzo::hmm::detail::format_number;

Error exhausted(const std::string& what) {
  return make_error(Errc::invalid_value, "quote", "liquidity exhausted: " + what);
}

bool amount_ok(double x) noexcept { return x > 0.0 && x <= std::numeric_limits<double>::max(); }  // NaN: false

Error bad_amount(double amount, const char* where) {
  return make_error(Errc::invalid_value, where, "must be finite and > 0, got " + format_number(amount));
}

double pool_price(const Pool& p, double psi, double theta) { return price(p.weight, p.lambda, psi, theta); }

// GPU-seconds a payment of `net` credits takes out along the level set, NaN past the curve's end.
double supply_out(const Pool& p, double net) { return level_out_for_in(p.weight, p.lambda, p.credits, p.supply, net); }

// The output of the same payment without fees, capped at Ψ (past the curve's end the whole supply).
double pre_fee_out(const Pool& p, double credits) {
  const double out = supply_out(p, credits);
  return out < p.supply ? out : p.supply;
}

}  // namespace

Result<Quote> quote_buy(const Pool& p, const Fees& fees, double credits) {
  if (!amount_ok(credits)) return bad_amount(credits, "quote.credits");
  const double risk = fees.risk * pre_fee_out(p, credits) / p.supply;
  const double rate = fees.market + risk;
  const double net = credits * (1.0 - rate);
  const double out = supply_out(p, net);
  if (!(out < p.supply - p.supply_floor))
    return exhausted("paying " + format_number(credits) + " credits would take supply from " +
                     format_number(p.supply) + " to " + format_number(p.supply - out) + " (floor " +
                     format_number(p.supply_floor) + ")");
  Quote q;
  q.side = Side::buy;
  q.amount_in = credits;
  q.amount_out = out;
  q.fee = credits * rate;
  q.fee_rate = rate;
  q.risk_fee_rate = risk;
  q.supply_after = p.supply - out;
  q.credits_after = p.credits + net;
  q.price_before = pool_price(p, p.supply, p.credits);
  q.price_after = pool_price(p, q.supply_after, q.credits_after);
  return q;
}

Result<Quote> quote_sell(const Pool& p, const Fees& fees, double supply) {
  if (!amount_ok(supply)) return bad_amount(supply, "quote.supply");
  const double gross = level_out_for_in(p.weight, p.lambda, p.supply, p.credits, supply);
  if (!(gross < p.credits - p.credits_floor))
    return exhausted("delivering " + format_number(supply) + " GPU-seconds would take credits from " +
                     format_number(p.credits) + " to " + format_number(p.credits - gross) + " (floor " +
                     format_number(p.credits_floor) + ")");
  Quote q;
  q.side = Side::sell;
  q.amount_in = supply;
  q.fee = gross * fees.market;
  q.amount_out = gross - q.fee;
  q.fee_rate = fees.market;
  q.supply_after = p.supply + supply;
  q.credits_after = p.credits - gross;
  q.price_before = pool_price(p, p.supply, p.credits);
  q.price_after = pool_price(p, q.supply_after, q.credits_after);
  return q;
}

Result<Quote> quote_buy_supply(const Pool& p, const Fees& fees, double supply) {
  if (!amount_ok(supply)) return bad_amount(supply, "quote.supply");
  if (!(supply < p.supply - p.supply_floor))
    return exhausted("wanted " + format_number(supply) + " GPU-seconds, " + format_number(p.supply - p.supply_floor) +
                     " are available above the floor");
  // The pool must receive `net` credits after fees; find the payment d with d(1 − f(d)) = net.
  const double net = level_in_for_out(p.weight, p.lambda, p.credits, p.supply, supply);
  double d = net / (1.0 - fees.market);
  if (fees.risk > 0.0) {
    // φ(d) = d(1 − f_m − λ_r g(d)/Ψ) − net, g the capped pre-fee output: increasing because
    // f_m + 2λ_r < 1 and g is concave with g(0) = 0. Newton inside the bracket [φ ≤ 0, φ ≥ 0].
    double lo = d, hi = net / (1.0 - fees.market - fees.risk);
    for (int it = 0; it < 100; ++it) {
      const double g = pre_fee_out(p, d);
      const double phi = d * (1.0 - fees.market - fees.risk * g / p.supply) - net;
      if (phi == 0.0) break;
      (phi < 0.0 ? lo : hi) = d;
      const double slope_g = g < p.supply ? 1.0 / pool_price(p, p.supply - g, p.credits + d) : 0.0;
      const double dphi = 1.0 - fees.market - fees.risk * (g + d * slope_g) / p.supply;
      double next = d - phi / dphi;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      const bool done = std::fabs(next - d) <= 4e-16 * d;
      d = next;
      if (done || hi - lo <= 4e-16 * hi) break;
    }
  }
  return quote_buy(p, fees, d);
}

Result<Quote> quote(const Pool& pool, const Fees& fees, Side side, double amount) {
  return side == Side::buy ? quote_buy(pool, fees, amount) : quote_sell(pool, fees, amount);
}

}  // namespace hanzo::hmm::market
