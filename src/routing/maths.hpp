// Small numeric helpers shared by the routing sources (internal).
#pragma once

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstddef>
#include <string>

namespace hanzo::hmm::routing::detail {

// Probabilities are floored here before renormalising, so every log is finite and a catalogue
// figure can never make a bin impossible for the feedback to revive.
inline constexpr double kProbFloor = 1e-6;

inline double normal_cdf(double z) noexcept { return 0.5 * std::erfc(-z * 0.7071067811865476); }
inline double logistic(double x) noexcept { return 1.0 / (1.0 + std::exp(-x)); }
inline double logit(double p) noexcept { return std::log(p / (1.0 - p)); }

// P(bin) of x ~ N(mu, sigma) for bins cut at the (already transformed) increasing edges.
template <std::size_t E>
std::array<double, E + 1> normal_bins(const std::array<double, E>& edges, double mu, double sigma) noexcept {
  std::array<double, E + 1> p{};
  double below = 0.0, total = 0.0;
  for (std::size_t i = 0; i <= E; ++i) {
    const double cdf = i < E ? normal_cdf((edges[i] - mu) / sigma) : 1.0;
    p[i] = std::max(cdf - below, kProbFloor);
    below = cdf;
    total += p[i];
  }
  for (auto& v : p) v /= total;
  return p;
}

// sum p ln p (<= 0); p > 0 throughout by the floor.
inline double neg_entropy(const double* p, std::size_t n) noexcept {
  double s = 0.0;
  for (std::size_t i = 0; i < n; ++i) s += p[i] > 0.0 ? p[i] * std::log(p[i]) : 0.0;
  return s;
}

template <std::size_t E>
int bin_of(double x, const std::array<double, E>& edges) noexcept {
  int b = 0;
  while (b < static_cast<int>(E) && x >= edges[static_cast<std::size_t>(b)]) ++b;
  return b;
}

// Representative value of each bin: geometric midpoints inside, one half-step beyond the ends
// (log-scale bins). For quality, arithmetic midpoints with 0 and 1 as the ends.
inline std::array<double, 4> geometric_reps(const std::array<double, 3>& e) noexcept {
  return {e[0] / std::sqrt(e[1] / e[0]), std::sqrt(e[0] * e[1]), std::sqrt(e[1] * e[2]), e[2] * std::sqrt(e[2] / e[1])};
}
inline std::array<double, 4> linear_reps(const std::array<double, 3>& e) noexcept {
  return {0.5 * e[0], 0.5 * (e[0] + e[1]), 0.5 * (e[1] + e[2]), 0.5 * (e[2] + 1.0)};
}

inline bool finite_positive(double x) noexcept { return std::isfinite(x) && x > 0.0; }
inline bool finite_non_negative(double x) noexcept { return std::isfinite(x) && x >= 0.0; }

// Appends x like printf's %.<precision>g (or %.<precision>f when fixed), without the locale and
// several times faster than std::to_chars with a precision: the decision's sentence is on the
// hot path (number_text.cpp).
void append_number(std::string& s, double x, int precision, bool fixed = false);

}  // namespace hanzo::hmm::routing::detail
