// The market regime: a Gaussian HMM filtered online over one observation per tick.
//
// Observation of a tick (all dimensionless; see Market::tick for when each is taken):
//   utilisation  ρ = Σ_i u_i / Σ_i Ψ_i  — usage over the tick against the supply available after
//                the tick's shocks (the Ψ-weighted mean of the per-class u_i/Ψ_i);
//   imbalance    (D − S)/(D + S) ∈ [−1, 1], 0 when both are 0 — the demand/supply ratio r = D/S
//                mapped monotonically to (r−1)/(r+1) so it stays bounded; D = Σ_i d_i/p_i is demand
//                in GPU-seconds at the post-shock prices, S = Σ_i s_i the supply inflow;
//   volatility   σ = √v, v ← (1−β) v + β · mean_i (ln p_i − ln p_i^prev)², an EWMA of squared
//                log-price changes from one tick's end to the next (swaps included; the price jump
//                of a curvature change alone is not).
#pragma once

#include <array>
#include <cmath>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "hanzo/hmm/filter.hpp"
#include "hanzo/hmm/hmm.hpp"
#include "hanzo/hmm/market/params.hpp"

namespace hanzo::hmm::market {

inline constexpr std::size_t kRegimeObservationDim = 3;

struct RegimeObservation {
  double utilisation{0.0};
  double imbalance{0.0};
  double volatility{0.0};
};

// The regime model plus its filter. Copies share the (immutable) model.
class RegimeTracker {
 public:
  static Result<RegimeTracker> create(const RegimeParams& params);

  // Folds in one observation; allocation-free. If the observation has probability 0 under the
  // current belief (possible only with zero transitions) the belief is just propagated one step.
  void update(const RegimeObservation& o);
  // The EWMA of squared log-price changes; returns the new σ.
  double fold_volatility(double mean_squared_log_change) noexcept {
    vol_var_ += beta_ * (mean_squared_log_change - vol_var_);
    return std::sqrt(vol_var_);
  }

  std::span<const double> posterior() const noexcept { return filter_.posterior(); }
  std::size_t most_likely() const noexcept;
  const std::vector<std::string>& states() const noexcept { return model_->states(); }
  std::optional<std::size_t> state_index(std::string_view name) const noexcept;
  double probability(std::optional<std::size_t> state) const noexcept { return state ? posterior()[*state] : 0.0; }
  const GaussianHmm& model() const noexcept { return *model_; }
  std::uint64_t steps() const noexcept { return filter_.steps(); }

 private:
  RegimeTracker(std::shared_ptr<const GaussianHmm> m, double beta)
      : model_(std::move(m)), filter_(*model_), obs_(kRegimeObservationDim, 0.0), beta_(beta) {}

  std::shared_ptr<const GaussianHmm> model_;  // stable address: the filter points at it
  OnlineFilter<DiagonalGaussian> filter_;
  std::vector<double> obs_;  // reused: the filter takes a vector
  double beta_;
  double vol_var_{0.0};
};

}  // namespace hanzo::hmm::market
