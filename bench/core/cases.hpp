// Shared model/data generation for the core benchmark.
#pragma once

#include <cstdint>
#include <vector>

#include "core/harness.hpp"
#include "hanzo/hmm/hmm.hpp"

namespace bench {

// Random stochastic rows bounded away from 0 (GHMM treats probabilities below 1e-8 as 0).
inline std::vector<std::vector<double>> random_rows(std::size_t rows, std::size_t cols, hanzo::hmm::Rng& rng) {
  std::vector<std::vector<double>> m(rows, std::vector<double>(cols));
  for (auto& r : m) {
    double s = 0;
    for (auto& x : r) s += (x = 0.2 + rng.uniform());
    for (auto& x : r) x /= s;
  }
  return m;
}

inline std::vector<double> flatten(const std::vector<std::vector<double>>& m) {
  std::vector<double> out;
  for (const auto& r : m) out.insert(out.end(), r.begin(), r.end());
  return out;
}

inline std::vector<std::string> state_names(std::size_t n) {
  std::vector<std::string> s;
  for (std::size_t i = 0; i < n; ++i) s.push_back("s" + std::to_string(i));
  return s;
}

void run_gaussian_cases(const Settings& s, std::vector<Row>& rows);

}  // namespace bench
