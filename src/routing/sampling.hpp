// Dirichlet draws for Thompson sampling (internal). Our own transforms over hanzo::hmm::Rng, so a
// seeded decision is the same with every standard library.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "hanzo/hmm/random.hpp"
#include "maths.hpp"

namespace hanzo::hmm::routing::detail {

// Gamma(shape, 1) by Marsaglia and Tsang; shape < 1 through Gamma(shape + 1) * U^(1/shape).
inline double sample_gamma(double shape, Rng& rng) noexcept {
  double boost = 1.0;
  if (shape < 1.0) {
    boost = std::pow(rng.uniform() + 0x1.0p-54, 1.0 / shape);
    shape += 1.0;
  }
  const double d = shape - 1.0 / 3.0, c = 1.0 / std::sqrt(9.0 * d);
  for (;;) {
    double x, v;
    do {
      x = rng.normal();
      v = 1.0 + c * x;
    } while (v <= 0.0);
    v = v * v * v;
    const double u = rng.uniform();
    if (u < 1.0 - 0.0331 * x * x * x * x || std::log(u + 0x1.0p-54) < 0.5 * x * x + d * (1.0 - v + std::log(v)))
      return boost * d * v;
  }
}

// Replaces the probability vector p[0..n) by a draw from Dirichlet(concentration * p), floored
// like every other likelihood so the logs stay finite.
inline void sample_dirichlet(double* p, std::size_t n, double concentration, Rng& rng) noexcept {
  double sum = 0.0;
  for (std::size_t b = 0; b < n; ++b) sum += (p[b] = sample_gamma(concentration * p[b], rng));
  double total = 0.0;
  for (std::size_t b = 0; b < n; ++b) total += (p[b] = std::max(sum > 0.0 ? p[b] / sum : 1.0 / double(n), kProbFloor));
  for (std::size_t b = 0; b < n; ++b) p[b] /= total;
}

// The decision's generator: FNV-1a over the tenant and the request id, so the same request of
// the same tenant always draws the same likelihoods.
inline std::uint64_t decision_seed(std::string_view tenant, std::string_view request_id) noexcept {
  std::uint64_t h = 14695981039346656037ULL;
  for (const char ch : tenant) h = (h ^ static_cast<std::uint8_t>(ch)) * 1099511628211ULL;
  h = (h ^ 0xffU) * 1099511628211ULL;  // separator: ("ab", "c") != ("a", "bc")
  for (const char ch : request_id) h = (h ^ static_cast<std::uint8_t>(ch)) * 1099511628211ULL;
  return h;
}

}  // namespace hanzo::hmm::routing::detail
