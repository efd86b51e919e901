// The tick integrator on raw arrays (internal to the market library).
#pragma once

#include <cstddef>

namespace hanzo::hmm::market::detail {

struct StateView {
  std::size_t n;
  const double* w;
  double* psi;
  double* theta;
  const double* floor_psi;
  const double* floor_theta;
};

double hamiltonian(const double* w, double lambda, const double* psi, const double* theta, std::size_t n) noexcept;

// Integrates dx/dτ = P(x) F (the market calls it per class, n = 1: classes are isolated) over τ ∈ [0, 1] with the midpoint rule on n equal sub-steps, n the
// smallest count for which the initial velocity shrinks no reserve by more than `eta` of itself
// per sub-step (capped at max_substeps). Flows that would take a coordinate below its floor within
// a sub-step are cut so it lands on the floor, together with the compensation the other classes
// would have made for them; the cut amounts are added to cut_psi / cut_theta. work: 6n doubles.
// Returns n.
unsigned flow_along_level_set(const StateView& s, double lambda, const double* f_psi, const double* f_theta,
                              double eta, unsigned max_substeps, double* cut_psi, double* cut_theta,
                              double* work) noexcept;

}  // namespace hanzo::hmm::market::detail
