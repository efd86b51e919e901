#include <vector>

#include "hanzo/hmm/detail/algorithms.hpp"

namespace hanzo::hmm::detail {

void maximise_chain(MarkovChain& c, const AlignedVector& initial, const AlignedVector& transition,
                    const FitOptions& options) {
  const std::size_t n = c.size(), np = c.padded_size();
  const double nd = static_cast<double>(n);
  AlignedVector pi(np, 0.0), a(n * np, 0.0);

  double total = 0.0;
  for (std::size_t i = 0; i < n; ++i) total += initial[i];
  for (std::size_t i = 0; i < n; ++i)
    pi[i] = total > 0.0 ? (initial[i] + options.initial_pseudocount) / (total + nd * options.initial_pseudocount)
                        : c.initial(i);

  for (std::size_t i = 0; i < n; ++i) {
    // Expected transitions i -> j are A_ij times the accumulated factor.
    double row = 0.0;
    for (std::size_t j = 0; j < n; ++j) row += c.transition(i, j) * transition[i * np + j];
    for (std::size_t j = 0; j < n; ++j) {
      a[i * np + j] = row > 0.0 ? (c.transition(i, j) * transition[i * np + j] + options.transition_pseudocount) /
                                      (row + nd * options.transition_pseudocount)
                                : c.transition(i, j);
    }
  }
  c.assign(pi.data(), a.data());
}

}  // namespace hanzo::hmm::detail
