// The Hamiltonian market: K compute classes with state x = (Ψ, Θ) ∈ R^{2K}, invariant
// H = Σ w_i Ψ_i Θ_i + (λ/2) Σ (Ψ_i² + Θ_i²) held near its target κ, prices p_i = ∂_Ψi H / ∂_Θi H,
// swaps along each class's level set, and a market-regime HMM that modulates λ and the risk fee.
//
// Each class i has a reference state x_ref,i: its initial (Ψ, Θ), or all of them scaled by one
// factor to meet a configured κ at the initial λ. Its targets at the current curvature are the
// energy κ_i(λ) = H_i(x_ref,i; λ) (κ = Σ κ_i) and the baseline price p_ref,i(λ) = p_i(x_ref,i; λ).
// A change of λ moves H_i and κ_i together, so the regime reshapes prices without setting off the
// restoring force (whose price moves the regime would otherwise read as volatility).
//
// Classes are isolated: flows and restoring act on each class's own level set and targets, so a
// tick changes the (Ψ_j, Θ_j) of a class j only through j's own flows (none: only its own
// recovery). The one intended coupling is the market-wide curvature λ(t), which the regime sets
// from all classes: at a fixed state p_j moves monotonically in λ, so its price stays within
// [p_j(λ_min), p_j(λ_max)], λ_min/max = λ0 × the modulation's min/max factor (the bound
// docs/market.md states and tests/market/test_recovery.cpp checks; 0 with modulation off).
//
// A tick, in order (all-or-nothing: a bad tick is an Error and changes nothing):
//  1. restoring and price recovery over the dt seconds since the last tick, per class, in closed
//     form: H_i ← κ_i + (H_i − κ_i) e^{−α dt} (the exact solution of dH_i/dt = −α(H_i − κ_i)) and
//     ln(p_i/p_ref,i) ← e^{−α dt} ln(p_i/p_ref,i); x_i is then the point of the level set H_i at
//     that price (unique: p_i is monotone along it). Without flows both deviations halve every
//     ln 2/α seconds (6.9 s at α = 0.1), and a price is within 5% of its baseline once
//     e^{−αt} |ln(p/p_ref)| ≤ ln 1.05. Recovery comes first so that the tick's own shocks and
//     flows show in its snapshot (at a 60 s cadence they would otherwise be gone already);
//  2. shocks: Ψ_i ← shock_i Ψ_i;
//  3. the regime observation's utilisation and imbalance (regime.hpp), at the post-shock state;
//  4. flows F_i = (s−u, d−v) move each class along its own level set over the tick:
//     dx_i/dτ = P_i(x) F_i, P_i = I − ∇H_i∇H_iᵀ/|∇H_i|², τ ∈ [0, 1], midpoint rule with sub-steps,
//     then x_i is put back on H_i exactly (scaled, which keeps its price);
//  5. volatility from the end-of-tick prices, regime filter update, then λ(t) and λ_r(t) for
//     the next swaps and tick; the snapshot is filled at the new λ.
// Bounded flows: a flow more than market.max_flow_ratio times the reserve it draws on (supply_in,
// usage: Ψ_i; demand, value_out: Θ_i; the larger of current and initial) is rejected naming the
// field, and a tick that would leave any reserve, H_i or price non-finite is rejected and undone:
// no state, snapshot or price is ever non-finite.
// Reserves never fall below reserve_floor × their initial value: an outflow that would take one
// there is cut (reported in Snapshot::cuts); a restoring step that would is held at the floor.
// Deterministic: the same config and the same ticks and swaps give bit-identical states.
// tick(), quote() and swap() do not allocate (swap errors aside).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "hanzo/hmm/market/curve.hpp"
#include "hanzo/hmm/market/params.hpp"
#include "hanzo/hmm/market/quote.hpp"
#include "hanzo/hmm/market/regime.hpp"
#include "hanzo/hmm/market/tick.hpp"

namespace hanzo::hmm::market {

class Market {
 public:
  static Result<Market> create(MarketConfig config);

  std::size_t size() const noexcept { return psi_.size(); }
  const MarketConfig& config() const noexcept { return config_; }
  const std::vector<ComputeClass>& classes() const noexcept { return config_.classes; }
  Result<std::size_t> index_of(std::string_view id) const;

  Result<void> tick(const Tick& t);
  const Snapshot& snapshot() const noexcept { return snap_; }
  std::span<const double> prices() const noexcept { return price_; }

  // Quotes at the current state and λ(t), λ_r(t); amount is credits (buy) or GPU-seconds (sell).
  Result<Quote> quote(std::size_t cls, Side side, double amount) const;
  Result<Quote> quote_buy_supply(std::size_t cls, double supply) const;
  // Quotes and applies; rejected (state unchanged) if amount_out < min_out.
  Result<Quote> swap(std::size_t cls, Side side, double amount, double min_out);

  Pool pool(std::size_t cls) const noexcept;
  Fees fees() const noexcept { return {config_.market.market_fee, risk_lambda_}; }
  double hamiltonian() const noexcept;
  double kappa() const noexcept { return kappa_; }  // κ(t), at the current λ
  // The class's targets at the current λ: κ_i(λ) and the baseline price p_ref,i(λ).
  double class_kappa(std::size_t cls) const noexcept;
  double baseline_price(std::size_t cls) const noexcept;
  double lambda() const noexcept { return lambda_; }
  double risk_lambda() const noexcept { return risk_lambda_; }
  std::span<const double> supply() const noexcept { return psi_; }
  std::span<const double> credits() const noexcept { return theta_; }
  const RegimeTracker& regime() const noexcept { return regime_; }

 private:
  explicit Market(MarketConfig config, RegimeTracker regime);
  Result<void> check(const Tick& t);
  Error flow_error(const Tick& t) const;  // names the first flow out of proportion
  bool recover(double lambda, double decay) noexcept;  // step 4; true if a floor held a class
  Result<void> finite_or_undo();
  void modulate() noexcept;  // λ, λ_r from the regime posterior
  void refresh_prices() noexcept;
  void fill_snapshot() noexcept;
  Error bad_class(std::size_t cls) const;

  MarketConfig config_;
  RegimeTracker regime_;
  std::optional<std::size_t> congested_, shock_;  // regime states that modulate
  // State, structure of arrays.
  std::vector<double> w_, psi_, theta_, floor_psi_, floor_theta_, fees_, price_;
  std::vector<double> ref_psi_, ref_theta_;       // x_ref per class
  std::vector<double> limit_psi_, limit_theta_;  // largest flow per tick / max_flow_ratio: initial reserves
  std::vector<double> prev_price_;  // at the last tick's end (volatility baseline; swaps do not move it)
  // Per-tick scratch, sized once.
  std::vector<double> f_psi_, f_theta_, cut_psi_, cut_theta_, work_;
  std::vector<double> saved_psi_, saved_theta_;  // the state before the tick, to undo a non-finite one
  std::vector<std::uint64_t> seen_;  // stamp per class: duplicate detection without allocating
  std::uint64_t stamp_{0};
  double lambda_{0.0}, risk_lambda_{0.0}, kappa_{0.0};
  double ref_cross_{0.0}, ref_square_{0.0};  // κ(λ) = ref_cross_ + λ ref_square_
  double decay_dt_{0.0}, decay_{1.0};        // e^{−α dt} of the last dt
  Snapshot snap_;
};

}  // namespace hanzo::hmm::market
