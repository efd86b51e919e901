// Per-tenant regime filter: the core's online forward filter over one Gaussian HMM shared by all
// tenants (each filter holds a pointer to it, so a tenant's filter costs O(N) doubles).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hanzo/hmm/filter.hpp"
#include "hanzo/hmm/hmm.hpp"
#include "hanzo/hmm/tenant/params.hpp"

namespace hanzo::hmm::tenant {

// The filter's exact state (belief, log-likelihood accumulator parts, step count).
using RegimeState = OnlineFilter<DiagonalGaussian>::State;

// Builds the shared regime model; errors name the key ("tenants.regime.transitions[1]: ...").
Result<GaussianHmm> make_regime_model(const RegimeParams& params);

class RegimeFilter {
 public:
  // The model must outlive the filter.
  explicit RegimeFilter(const GaussianHmm& model) : filter_(model), model_(&model) {}

  // One request's observations. D values: Bayes update. Empty: no evidence, so the belief
  // becomes the one-step prediction (posterior x A). Any other length, a non-finite value or an
  // observation impossible under the model: an Error, and the filter is unchanged.
  Result<std::span<const double>> observe(const std::vector<double>& observations);

  std::span<const double> posterior() const noexcept { return filter_.posterior(); }
  Regime most_likely() const noexcept;  // ties go to the lower regime index
  double log_likelihood() const noexcept { return filter_.log_likelihood(); }
  std::uint64_t steps() const noexcept { return filter_.steps(); }
  std::size_t dim() const noexcept { return model_->emission().dim(); }
  // P(regime at t+k | observations so far) into out (N values).
  void predict(std::size_t k, std::span<double> out) const noexcept { filter_.predict(k, out); }

  RegimeState state() const { return filter_.state(); }
  // Exact restore; errors if the state's size does not fit the model.
  Result<void> restore(const RegimeState& s) { return filter_.restore(s); }

  // Bytes owned by this filter: the object and its [belief | spare | scratch] buffer of three
  // padded state vectors (the core's layout; the model is shared and not counted).
  std::size_t memory_bytes() const noexcept {
    return sizeof(*this) + 3 * padded(model_->num_states()) * sizeof(double);
  }

 private:
  OnlineFilter<DiagonalGaussian> filter_;
  const GaussianHmm* model_;
};

}  // namespace hanzo::hmm::tenant
