// Quotes on one class's pool: pure functions of the pool, the fees and the size.
//
// Buy (credits in, GPU-seconds out): paying d credits moves the pool along its level set by
// Θ' = Θ + d(1−f), Ψ' = Ψ − ΔΨ; the fee d·f leaves the pool (revenue), so the class invariant
// κ_i is conserved by every swap and a round trip loses exactly the fees paid.
// Fee f = f_m + f_r with the risk fee f_r = λ_r · ΔΨ_pre / Ψ, ΔΨ_pre the output of the same
// payment with no fee (capped at Ψ). Sell (GPU-seconds in, credits out): the pool pays the level-
// set amount, the seller gets it less the market fee f_m (no risk fee: supply is not drawn).
// A quote that would leave no real root or a reserve at or below its floor is rejected.
#pragma once

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::market {

enum class Side : unsigned char { buy, sell };

struct Pool {
  double weight{1.0};    // w_i
  double lambda{0.0};    // λ(t)
  double supply{0.0};    // Ψ_i
  double credits{0.0};   // Θ_i
  double supply_floor{0.0};   // a swap may not leave Ψ at or below this
  double credits_floor{0.0};  // nor Θ
};

struct Fees {
  double market{0.0};  // f_m
  double risk{0.0};    // λ_r(t)
};

struct Quote {
  Side side{Side::buy};
  double amount_in{0.0};   // buy: credits paid (fee included); sell: GPU-seconds delivered
  double amount_out{0.0};  // buy: GPU-seconds received; sell: credits received (fee deducted)
  double fee{0.0};         // credits kept as revenue
  double fee_rate{0.0};    // f = f_m + f_r
  double risk_fee_rate{0.0};                    // f_r
  double supply_after{0.0}, credits_after{0.0};  // the pool after the swap
  double price_before{0.0}, price_after{0.0};    // marginal prices, credits per GPU-second
  // Credits per GPU-second actually paid or received.
  double average_price() const noexcept { return side == Side::buy ? amount_in / amount_out : amount_out / amount_in; }
};

// Pay `credits` (> 0, finite) for GPU-seconds.
Result<Quote> quote_buy(const Pool& pool, const Fees& fees, double credits);
// The inverse: the payment that buys exactly `supply` GPU-seconds (quote_buy of the returned
// amount_in gives amount_out = supply up to rounding). Requires f_m + 2λ_r < 1 (validated by the
// market config), which makes the payment→output map strictly increasing.
Result<Quote> quote_buy_supply(const Pool& pool, const Fees& fees, double supply);
// Deliver `supply` GPU-seconds (> 0, finite) for credits.
Result<Quote> quote_sell(const Pool& pool, const Fees& fees, double supply);
// Dispatch on side: amount is credits for a buy, GPU-seconds for a sell.
Result<Quote> quote(const Pool& pool, const Fees& fees, Side side, double amount);

}  // namespace hanzo::hmm::market
