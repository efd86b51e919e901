// Options and report of Baum-Welch (expectation-maximisation) fitting.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm {

struct FitOptions {
  std::size_t max_iterations{100};
  // Stop when an iteration gains less than this in total log-likelihood (natural log).
  double tolerance{1e-6};
  // Gaussian variances never fall below this absolute value (prevents collapse onto one point).
  double variance_floor{1e-6};
  // Dirichlet pseudocounts added to the expected counts (0 = exact maximum likelihood). With
  // pseudocounts EM maximises the posterior, so the plain log-likelihood may dip slightly.
  double initial_pseudocount{0.0};
  double transition_pseudocount{0.0};
  double emission_pseudocount{0.0};
  // Worker threads for the E-step across sequences; 0 = all hardware threads. Results do not
  // depend on this number (sequences are reduced in a fixed order).
  std::size_t threads{1};
  // Called after each iteration with (iteration, log-likelihood before its update).
  std::function<void(std::size_t, double)> progress;
};

// Checks the options (names the field: "options.variance_floor").
Result<void> validate(const FitOptions& options);

struct FitReport {
  // Total log-likelihood of the training data under the initial model, then after each iteration.
  std::vector<double> log_likelihoods;
  std::size_t iterations{0};
  bool converged{false};
};

}  // namespace hanzo::hmm
