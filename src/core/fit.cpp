#include <cmath>
#include <utility>
#include <vector>

#include "hanzo/hmm/detail/algorithms.hpp"

namespace hanzo::hmm {

Result<void> validate(const FitOptions& o) {
  auto bad = [](const char* field, const char* why) {
    return make_error(Errc::invalid_value, std::string("options.") + field, why);
  };
  if (std::isnan(o.tolerance)) return bad("tolerance", "must not be NaN");
  if (!std::isfinite(o.variance_floor) || !(o.variance_floor > 0.0))
    return bad("variance_floor", "must be finite and > 0 (a variance of 0 makes the likelihood unbounded)");
  for (auto [name, v] : {std::pair{"initial_pseudocount", o.initial_pseudocount},
                         std::pair{"transition_pseudocount", o.transition_pseudocount},
                         std::pair{"emission_pseudocount", o.emission_pseudocount}})
    if (!std::isfinite(v) || v < 0.0) return bad(name, "must be finite and >= 0");
  return {};
}

}  // namespace hanzo::hmm

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
