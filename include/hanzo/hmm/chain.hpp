// The hidden Markov chain: state names, initial distribution pi and transition matrix A.
// Validated on construction; stores padded, transposed and log copies for the kernels.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "hanzo/hmm/aligned.hpp"
#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm {

// Rows of probabilities must sum to 1 within this tolerance.
inline constexpr double kRowSumTolerance = 1e-6;
// State indices are stored in 16 bits on Viterbi back-pointer tables.
inline constexpr std::size_t kMaxStates = 65535;

class MarkovChain {
 public:
  // Validates: at least one state, unique non-empty names, |initial| = N, A is N x N, every entry
  // finite in [0, 1], every row (and initial) sums to 1 within kRowSumTolerance.
  // Rows are renormalised exactly after validation.
  static Result<MarkovChain> create(std::vector<std::string> states, const std::vector<double>& initial,
                                    const std::vector<std::vector<double>>& transitions);

  std::size_t size() const noexcept { return n_; }
  std::size_t padded_size() const noexcept { return np_; }
  const std::vector<std::string>& states() const noexcept { return states_; }
  double initial(std::size_t i) const noexcept { return pi_[i]; }
  double transition(std::size_t i, std::size_t j) const noexcept { return a_[i * np_ + j]; }
  std::vector<double> initial_vector() const;
  std::vector<std::vector<double>> transition_rows() const;

  // Padded views for the algorithms (rows of np_ doubles; padding 0, or -inf in the log copies).
  const double* pi() const noexcept { return pi_.data(); }
  const double* log_pi() const noexcept { return log_pi_.data(); }
  const double* a() const noexcept { return a_.data(); }
  const double* a_transposed() const noexcept { return at_.data(); }
  const double* log_a() const noexcept { return log_a_.data(); }

  // Replaces pi and A with already-valid values (rows of np_ doubles, as from fitting).
  void assign(const double* pi, const double* a);

 private:
  void rebuild_derived();

  std::size_t n_{0};
  std::size_t np_{0};
  std::vector<std::string> states_;
  AlignedVector pi_, log_pi_, a_, at_, log_a_;
};

namespace detail {
// Checks one probability row; `field` names it in errors ("transitions[2]", "initial").
Result<void> check_probability_row(const double* values, std::size_t count, const std::string& field,
                                   std::ptrdiff_t row);
Result<void> check_unique_labels(const std::vector<std::string>& labels, const std::string& field);
// Copies a validated probability row, rescaling it to sum to 1 unless it already does up to rounding.
void renormalise_row(const double* in, std::size_t count, double* out);
std::string format_number(double x);
}  // namespace detail

}  // namespace hanzo::hmm
