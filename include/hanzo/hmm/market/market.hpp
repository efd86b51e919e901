// The Hamiltonian market: K compute classes with state x = (Ψ, Θ) ∈ R^{2K}, invariant
// H = Σ w_i Ψ_i Θ_i + (λ/2) Σ (Ψ_i² + Θ_i²) held near its target κ, prices p_i = ∂_Ψi H / ∂_Θi H,
// swaps along each class's level set, and a market-regime HMM that modulates λ and the risk fee.
//
// The target is the Hamiltonian of a reference state at the current curvature, κ(t) = H(x_ref;
// λ(t)): x_ref is the initial state (κ = H at start), or that state scaled uniformly to meet a
// configured κ at the initial λ. So a change of λ moves H and κ together (by (Δλ/2)(|x|² − |x_ref|²)
// rather than (Δλ/2)|x|²): the regime reshapes prices without setting off the restoring force,
// whose price moves the regime would otherwise read as volatility (a feedback loop).
//
// A tick, in order (all-or-nothing: a bad tick is an Error and changes nothing):
//  1. shocks: Ψ_i ← shock_i Ψ_i (may change H);
//  2. the regime observation's utilisation and imbalance (regime.hpp), at the post-shock state;
//  3. flows F = (s−u, d−v) move x along the level set over the tick, jointly over all classes:
//     dx/dτ = P(x) F, P = I − ∇H∇Hᵀ/|∇H|², τ ∈ [0, 1], midpoint rule with sub-steps;
//  4. restoring: x moves down the gradient lines of H to H = κ + (H₀ − κ) e^{−α dt} (H₀ after the
//     shocks) — the exact solution of dH/dt = −α(H−κ) that the term −α(H−κ)∇H/|∇H|² prescribes —
//     by line searches along ∇H solved in closed form (H is quadratic along a line);
//  5. volatility from the end-of-tick prices, regime filter update, then λ(t) and λ_r(t) for
//     the next swaps and tick; the snapshot is filled at the new λ.
// Reserves never fall below reserve_floor × their initial value: an outflow that would take one
// there is cut (reported in Snapshot::cuts); a restoring step that would is held back.
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
  double lambda() const noexcept { return lambda_; }
  double risk_lambda() const noexcept { return risk_lambda_; }
  std::span<const double> supply() const noexcept { return psi_; }
  std::span<const double> credits() const noexcept { return theta_; }
  const RegimeTracker& regime() const noexcept { return regime_; }

 private:
  explicit Market(MarketConfig config, RegimeTracker regime);
  Result<void> check(const Tick& t);
  void modulate() noexcept;  // λ, λ_r from the regime posterior
  void refresh_prices() noexcept;
  void fill_snapshot() noexcept;
  Error bad_class(std::size_t cls) const;

  MarketConfig config_;
  RegimeTracker regime_;
  std::optional<std::size_t> congested_, shock_;  // regime states that modulate
  // State, structure of arrays.
  std::vector<double> w_, psi_, theta_, floor_psi_, floor_theta_, fees_, price_;
  std::vector<double> prev_price_;  // at the last tick's end (volatility baseline; swaps do not move it)
  // Per-tick scratch, sized once.
  std::vector<double> f_psi_, f_theta_, cut_psi_, cut_theta_, work_;
  std::vector<std::uint64_t> seen_;  // stamp per class: duplicate detection without allocating
  std::uint64_t stamp_{0};
  double lambda_{0.0}, risk_lambda_{0.0}, kappa_{0.0};
  double ref_cross_{0.0}, ref_square_{0.0};  // κ(λ) = ref_cross_ + λ ref_square_
  double decay_dt_{0.0}, decay_{1.0};        // e^{−α dt} of the last dt
  Snapshot snap_;
};

}  // namespace hanzo::hmm::market
