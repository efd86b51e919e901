// Brute-force HMM answers by enumerating every state path: slow, obviously right, and independent
// of the library, for checking the CLI's numbers on short sequences.
#pragma once

#include <cmath>
#include <cstddef>
#include <functional>
#include <vector>

namespace hanzo::test {

struct Reference {
  std::vector<double> initial;
  std::vector<std::vector<double>> transitions;
  // emission(state, t): density or probability of observation t in that state.
  std::function<double(std::size_t, std::size_t)> emission;
  std::size_t length{0};

  // Calls fn(path, joint probability) for all N^T paths.
  template <class Fn>
  void each_path(Fn fn) const {
    const std::size_t n = initial.size();
    std::vector<std::size_t> path(length, 0);
    for (;;) {
      double p = initial[path[0]] * emission(path[0], 0);
      for (std::size_t t = 1; t < length; ++t) p *= transitions[path[t - 1]][path[t]] * emission(path[t], t);
      fn(path, p);
      std::size_t t = 0;
      while (t < length && ++path[t] == n) path[t++] = 0;
      if (t == length) return;
    }
  }
  double likelihood() const {
    double total = 0.0;
    each_path([&](const auto&, double p) { total += p; });
    return total;
  }
  // gamma[t][i] = P(s_t = i | observations)
  std::vector<std::vector<double>> posteriors() const {
    std::vector<std::vector<double>> g(length, std::vector<double>(initial.size(), 0.0));
    double total = 0.0;
    each_path([&](const auto& path, double p) {
      total += p;
      for (std::size_t t = 0; t < length; ++t) g[t][path[t]] += p;
    });
    for (auto& row : g)
      for (double& x : row) x /= total;
    return g;
  }
  // The most probable path and its joint probability.
  std::pair<std::vector<std::size_t>, double> best_path() const {
    std::vector<std::size_t> best;
    double best_p = -1.0;
    each_path([&](const auto& path, double p) {
      if (p > best_p) best_p = p, best = path;
    });
    return {best, best_p};
  }
};

inline Reference dice_reference(const std::vector<int>& rolls) {
  const double f = 1.0 / 6.0;
  const std::vector<std::vector<double>> b{{f, f, f, f, f, f}, {0.1, 0.1, 0.1, 0.1, 0.1, 0.5}};
  return {{0.5, 0.5}, {{0.7, 0.3}, {0.4, 0.6}},
          [b, rolls](std::size_t s, std::size_t t) { return b[s][static_cast<std::size_t>(rolls[t] - 1)]; },
          rolls.size()};
}

// tests/data/gaussian.json
inline Reference gaussian_reference(const std::vector<std::vector<double>>& xs) {
  const std::vector<std::vector<double>> mean{{0.0, 1.0}, {0.5, -2.0}}, var{{1.0, 0.25}, {4.0, 2.0}};
  return {{0.8, 0.2}, {{0.95, 0.05}, {0.1, 0.9}},
          [=](std::size_t s, std::size_t t) {
            double p = 1.0;
            for (std::size_t d = 0; d < 2; ++d) {
              const double z = xs[t][d] - mean[s][d];
              p *= std::exp(-0.5 * z * z / var[s][d]) / std::sqrt(2 * M_PI * var[s][d]);
            }
            return p;
          },
          xs.size()};
}

}  // namespace hanzo::test
