#include "hanzo/hmm/market/regime.hpp"

#include <algorithm>
#include <cmath>

namespace hanzo::hmm::market {

// Default regimes, one step = one tick. Observation columns: utilisation ρ, imbalance, volatility σ
// (regime.hpp). The rationale, per state:
//   slack      idle capacity (ρ ≈ 0.25), demand below supply, calm prices;
//   balanced   ρ ≈ 0.55, demand ≈ supply, σ ≈ 1% per tick;
//   congested  ρ ≈ 0.85, demand above supply, prices drifting (σ ≈ 2%);
//   shock      capacity lost or added at once: σ ≈ 15% with a wide spread, ρ and imbalance loosely
//              pinned (a supply loss raises ρ but also prices, which lowers demand in GPU-seconds).
// Normal regimes are sticky (0.94 per tick) and rarely jump to shock (0.2–0.5%); a shock decays
// within ~7 ticks unless the observations keep it there, mostly back to balanced.
RegimeParams::RegimeParams()
    : states{"slack", "balanced", "congested", "shock"},
      initial{0.2, 0.6, 0.15, 0.05},
      transitions{{0.94, 0.05, 0.008, 0.002},
                  {0.03, 0.94, 0.028, 0.002},
                  {0.005, 0.05, 0.94, 0.005},
                  {0.01, 0.09, 0.05, 0.85}},
      means{{0.25, -0.3, 0.005}, {0.55, 0.0, 0.01}, {0.85, 0.3, 0.02}, {0.9, 0.0, 0.15}},
      variances{{0.0225, 0.09, 1e-4}, {0.0225, 0.04, 1e-4}, {0.0225, 0.09, 4e-4}, {0.09, 0.16, 0.01}} {}

namespace {
Result<GaussianHmm> build(const RegimeParams& p) {
  for (std::size_t i = 0; i < p.means.size(); ++i)
    if (p.means[i].size() != kRegimeObservationDim)
      return make_error(Errc::invalid_dimension, "regime.means[" + std::to_string(i) + "]",
                        "has " + std::to_string(p.means[i].size()) +
                            " entries, expected 3 (utilisation, imbalance, volatility)",
                        static_cast<std::ptrdiff_t>(i));
  if (!(p.volatility_decay > 0.0 && p.volatility_decay <= 1.0))
    return make_error(Errc::invalid_value, "regime.volatility_decay",
                      "must be in (0, 1], got " + hanzo::hmm::detail::format_number(p.volatility_decay));
  auto m = make_gaussian_hmm(p.states, p.initial, p.transitions, p.means, p.variances);
  if (!m) {
    Error e = std::move(m).error();
    e.where = "regime." + (e.where.empty() ? std::string("model") : e.where);
    return e;
  }
  return m;
}
}  // namespace

Result<void> RegimeParams::validate() const {
  auto m = build(*this);
  if (!m) return std::move(m).error();
  return {};
}

Result<RegimeTracker> RegimeTracker::create(const RegimeParams& params) {
  auto m = build(params);
  if (!m) return std::move(m).error();
  return RegimeTracker(std::make_shared<const GaussianHmm>(std::move(*m)), params.volatility_decay);
}

void RegimeTracker::update(const RegimeObservation& o) {
  obs_[0] = o.utilisation;
  obs_[1] = o.imbalance;
  obs_[2] = o.volatility;
  if (!filter_.update(obs_)) filter_.skip();
}

std::size_t RegimeTracker::most_likely() const noexcept {
  const auto p = posterior();
  return static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin());
}

std::optional<std::size_t> RegimeTracker::state_index(std::string_view name) const noexcept {
  const auto& s = states();
  const auto it = std::find(s.begin(), s.end(), name);
  if (it == s.end()) return std::nullopt;
  return static_cast<std::size_t>(it - s.begin());
}

}  // namespace hanzo::hmm::market
