// What an emission family provides to the algorithms (a C++20 concept). A new family (say
// Poisson counts) is one header implementing these members; see categorical.hpp and gaussian.hpp.
//
// All state vectors are padded to `padded(num_states())` doubles; the padding must hold 0 in
// probability vectors and -inf in log vectors.
#pragma once

#include <concepts>
#include <cstddef>
#include <span>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/fit.hpp"
#include "hanzo/hmm/random.hpp"

namespace hanzo::hmm {

template <class F>
concept EmissionFamily = requires(const F& f, F& mf, const typename F::encoded_sequence& seq,
                                  std::span<const typename F::observation_type> obs,
                                  const typename F::observation_type& one, typename F::Stats& stats,
                                  const FitOptions& options, std::size_t t, double* scratch, double& offset,
                                  const double* gamma, Rng& rng) {
  typename F::observation_type;  // what a user passes for one time step
  typename F::encoded_sequence;  // a validated sequence in the family's internal form
  { f.num_states() } -> std::same_as<std::size_t>;
  // Validates and converts; errors name the offending position.
  { f.encode(obs) } -> std::same_as<Result<typename F::encoded_sequence>>;
  { F::length(seq) } -> std::same_as<std::size_t>;
  // Probabilities b_j(o_t) scaled by exp(-offset) (the family picks offset to avoid under/overflow).
  // Returns padded state values, either into scratch or a pointer to the family's own tables.
  { f.scaled(seq, t, scratch, offset) } -> std::same_as<const double*>;
  // log b_j(o_t).
  { f.log_prob(seq, t, scratch) } -> std::same_as<const double*>;
  // The same for one observation that has not been encoded (the online filter).
  { f.scaled_one(one, scratch, offset) } -> std::same_as<Result<const double*>>;
  // Expected sufficient statistics for the M-step.
  { f.make_stats() } -> std::same_as<typename F::Stats>;
  { f.accumulate(stats, seq, t, gamma) };
  { stats.merge(stats) };
  { mf.maximise(stats, options) };
  { f.sample(t, rng) } -> std::same_as<typename F::observation_type>;
};

}  // namespace hanzo::hmm
