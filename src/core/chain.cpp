#include "hanzo/hmm/chain.hpp"

#include <cmath>
#include <cstdio>
#include <limits>
#include <unordered_set>

namespace hanzo::hmm {

const char* to_string(Errc code) noexcept {
  switch (code) {
    case Errc::invalid_dimension: return "invalid_dimension";
    case Errc::invalid_probability: return "invalid_probability";
    case Errc::not_normalised: return "not_normalised";
    case Errc::invalid_variance: return "invalid_variance";
    case Errc::invalid_value: return "invalid_value";
    case Errc::duplicate_label: return "duplicate_label";
    case Errc::unknown_symbol: return "unknown_symbol";
    case Errc::wrong_dimension: return "wrong_dimension";
    case Errc::empty_sequence: return "empty_sequence";
    case Errc::impossible_sequence: return "impossible_sequence";
    case Errc::parse_error: return "parse_error";
    case Errc::io_error: return "io_error";
  }
  return "unknown";
}

namespace detail {

std::string format_number(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}

Result<void> check_probability_row(const double* values, std::size_t count, const std::string& field,
                                   std::ptrdiff_t row) {
  double total = 0.0;
  for (std::size_t j = 0; j < count; ++j) {
    const double p = values[j];
    if (!std::isfinite(p) || p < 0.0 || p > 1.0) {
      const std::string where = field + "[" + std::to_string(j) + "]";
      return make_error(Errc::invalid_probability, where,
                        "probability " + format_number(p) + " is not a finite number in [0, 1]", row,
                        static_cast<std::ptrdiff_t>(j));
    }
    total += p;
  }
  if (std::fabs(total - 1.0) > kRowSumTolerance) {
    return make_error(Errc::not_normalised, field,
                      "sums to " + format_number(total) + ", must sum to 1 within 1e-6", row);
  }
  return {};
}

void renormalise_row(const double* in, std::size_t count, double* out) {
  double total = 0.0;
  for (std::size_t j = 0; j < count; ++j) total += in[j];
  // Rows off by tolerance-level drift would leak probability mass every step, so they are
  // rescaled; rows that already sum to 1 up to rounding are kept bit for bit (round trips).
  const bool exact = std::fabs(total - 1.0) <= 16 * std::numeric_limits<double>::epsilon();
  for (std::size_t j = 0; j < count; ++j) out[j] = exact ? in[j] : in[j] / total;
}

Result<void> check_unique_labels(const std::vector<std::string>& labels, const std::string& field) {
  std::unordered_set<std::string> seen;
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const auto where = field + "[" + std::to_string(i) + "]";
    if (labels[i].empty()) return make_error(Errc::invalid_value, where, "label is empty", static_cast<std::ptrdiff_t>(i));
    if (!seen.insert(labels[i]).second)
      return make_error(Errc::duplicate_label, where, "duplicate label \"" + labels[i] + "\"",
                        static_cast<std::ptrdiff_t>(i));
  }
  return {};
}

}  // namespace detail

Result<MarkovChain> MarkovChain::create(std::vector<std::string> states, const std::vector<double>& initial,
                                        const std::vector<std::vector<double>>& transitions) {
  const std::size_t n = states.size();
  if (n == 0) return make_error(Errc::invalid_dimension, "states", "at least one state is required");
  if (n > kMaxStates)
    return make_error(Errc::invalid_dimension, "states", "at most " + std::to_string(kMaxStates) + " states are supported");
  if (auto ok = detail::check_unique_labels(states, "states"); !ok) return std::move(ok).error();
  if (initial.size() != n)
    return make_error(Errc::invalid_dimension, "initial",
                      "has " + std::to_string(initial.size()) + " entries, expected " + std::to_string(n) +
                          " (one per state)");
  if (auto ok = detail::check_probability_row(initial.data(), n, "initial", -1); !ok) return std::move(ok).error();
  if (transitions.size() != n)
    return make_error(Errc::invalid_dimension, "transitions",
                      "has " + std::to_string(transitions.size()) + " rows, expected " + std::to_string(n));
  for (std::size_t i = 0; i < n; ++i) {
    const auto field = "transitions[" + std::to_string(i) + "]";
    if (transitions[i].size() != n)
      return make_error(Errc::invalid_dimension, field,
                        "has " + std::to_string(transitions[i].size()) + " columns, expected " + std::to_string(n),
                        static_cast<std::ptrdiff_t>(i));
    if (auto ok = detail::check_probability_row(transitions[i].data(), n, field, static_cast<std::ptrdiff_t>(i)); !ok)
      return std::move(ok).error();
  }

  MarkovChain c;
  c.n_ = n;
  c.np_ = padded(n);
  c.states_ = std::move(states);
  c.pi_.assign(c.np_, 0.0);
  c.a_.assign(n * c.np_, 0.0);
  detail::renormalise_row(initial.data(), n, c.pi_.data());
  for (std::size_t i = 0; i < n; ++i) detail::renormalise_row(transitions[i].data(), n, c.a_.data() + i * c.np_);
  c.rebuild_derived();
  return c;
}

void MarkovChain::assign(const double* pi, const double* a) {
  for (std::size_t i = 0; i < np_; ++i) pi_[i] = i < n_ ? pi[i] : 0.0;
  for (std::size_t i = 0; i < n_; ++i)
    for (std::size_t j = 0; j < np_; ++j) a_[i * np_ + j] = j < n_ ? a[i * np_ + j] : 0.0;
  rebuild_derived();
}

void MarkovChain::rebuild_derived() {
  const double ninf = -std::numeric_limits<double>::infinity();
  log_pi_.assign(np_, ninf);
  at_.assign(n_ * np_, 0.0);
  log_a_.assign(n_ * np_, ninf);
  for (std::size_t i = 0; i < n_; ++i) {
    log_pi_[i] = std::log(pi_[i]);
    for (std::size_t j = 0; j < n_; ++j) {
      const double p = a_[i * np_ + j];
      at_[j * np_ + i] = p;
      log_a_[i * np_ + j] = std::log(p);
    }
  }
}

std::vector<double> MarkovChain::initial_vector() const { return {pi_.begin(), pi_.begin() + static_cast<std::ptrdiff_t>(n_)}; }

std::vector<std::vector<double>> MarkovChain::transition_rows() const {
  std::vector<std::vector<double>> rows(n_);
  for (std::size_t i = 0; i < n_; ++i) rows[i].assign(a_.begin() + static_cast<std::ptrdiff_t>(i * np_),
                                                      a_.begin() + static_cast<std::ptrdiff_t>(i * np_ + n_));
  return rows;
}

}  // namespace hanzo::hmm
