// Shared set-up for the tenant tests: seeded random base weights, deltas and features.
#pragma once

#include <cstddef>
#include <memory>
#include <random>
#include <vector>

#include "hanzo/hmm/tenant/tenant.hpp"

namespace tenant_test {

using namespace hanzo::hmm;
using namespace hanzo::hmm::tenant;

inline std::vector<float> random_floats(std::size_t n, std::uint64_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<float> u(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = u(rng);
  return v;
}

inline BaseWeights random_base(std::size_t k, std::size_t f, std::uint64_t seed = 1) {
  return BaseWeights::create(k, f, random_floats(k * f, seed)).value();
}

inline std::unique_ptr<const TenantContext> make_context(std::size_t k = 32, std::size_t f = 16,
                                                         AdapterParams adapter = {}) {
  TenantParams p;
  p.adapter = adapter;
  return TenantContext::create(p, random_base(k, f)).value();
}

// A strongly crisis-like observation under the default signals (rate, diversity, errors, cost).
inline std::vector<double> crisis_obs() { return {2.0, 0.5, 3.0, 2.5}; }
inline std::vector<double> exploitation_obs() { return {0.0, -1.2, -0.6, -0.4}; }

}  // namespace tenant_test
