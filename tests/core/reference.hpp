// Independent reference implementations for the core tests. Nothing here calls the library:
// brute-force enumeration of all state paths, and plain long double forward / Viterbi passes.
// Emissions enter as a likelihood table lik[t][i] = P(o_t | s_t = i) (or its log), so the same
// code serves categorical and Gaussian models.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace ref {

using LD = long double;
using Vec = std::vector<double>;
using Mat = std::vector<std::vector<double>>;
using LVec = std::vector<LD>;
using LMat = std::vector<LVec>;

inline constexpr LD kPi = 3.141592653589793238462643383279502884L;

// ---- deterministic random numbers (splitmix64; our own transforms, platform independent) ----
struct Gen {
  std::uint64_t s;
  explicit Gen(std::uint64_t seed) : s(seed * 0x9e3779b97f4a7c15ULL + 0x632be59bd9b4e019ULL) {}
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }  // [0, 1)
  double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(uniform() * static_cast<double>(n)); }
  double normal() {  // Box-Muller, one variate per call
    const double u = 1.0 - uniform(), v = uniform();
    return std::sqrt(-2.0 * std::log(u)) * std::cos(2.0 * 3.14159265358979323846 * v);
  }
  std::size_t pick(const Vec& p) {  // index from a distribution
    const double u = uniform();
    double acc = 0.0;
    std::size_t last = 0;
    for (std::size_t i = 0; i < p.size(); ++i) {
      if (p[i] <= 0.0) continue;
      acc += p[i];
      last = i;
      if (u < acc) return i;
    }
    return last;
  }
};

// ---- model descriptions (plain data) ----
struct Chain {
  Vec pi;
  Mat a;
  std::size_t n() const { return pi.size(); }
};

// lik[t][i] = P(o_t | s_t = i) for a categorical model with emission rows b[i][k].
inline LMat categorical_lik(const Mat& b, const std::vector<int>& obs) {
  LMat lik(obs.size(), LVec(b.size()));
  for (std::size_t t = 0; t < obs.size(); ++t)
    for (std::size_t i = 0; i < b.size(); ++i) lik[t][i] = b[i][static_cast<std::size_t>(obs[t])];
  return lik;
}

// log N(x; mean, diag(var)), computed in long double from the textbook formula.
inline LD gaussian_log_density(const Vec& x, const Vec& mean, const Vec& var) {
  LD s = 0;
  for (std::size_t d = 0; d < x.size(); ++d) {
    const LD dev = static_cast<LD>(x[d]) - static_cast<LD>(mean[d]);
    s += std::log(2 * kPi * static_cast<LD>(var[d])) + dev * dev / static_cast<LD>(var[d]);
  }
  return -s / 2;
}

inline LMat gaussian_lik(const Mat& means, const Mat& vars, const Mat& obs) {
  LMat lik(obs.size(), LVec(means.size()));
  for (std::size_t t = 0; t < obs.size(); ++t)
    for (std::size_t i = 0; i < means.size(); ++i) lik[t][i] = std::exp(gaussian_log_density(obs[t], means[i], vars[i]));
  return lik;
}

// ---- brute force over all N^T paths ----

// P(path, O) as a product.
inline LD path_probability(const Chain& c, const LMat& lik, const std::vector<std::size_t>& path) {
  LD p = static_cast<LD>(c.pi[path[0]]) * lik[0][path[0]];
  for (std::size_t t = 1; t < path.size(); ++t) p *= static_cast<LD>(c.a[path[t - 1]][path[t]]) * lik[t][path[t]];
  return p;
}

// log P(path, O) as a sum of logs (independent of the product above; -inf if impossible).
inline LD path_log_probability(const Chain& c, const LMat& lik, const std::vector<std::size_t>& path) {
  LD s = std::log(static_cast<LD>(c.pi[path[0]])) + std::log(lik[0][path[0]]);
  for (std::size_t t = 1; t < path.size(); ++t)
    s += std::log(static_cast<LD>(c.a[path[t - 1]][path[t]])) + std::log(lik[t][path[t]]);
  return s;
}

struct Enumeration {
  LD total{0};                          // P(O)
  LMat joint_state;                     // T x N: P(s_t = i, O)
  std::vector<LMat> joint_pair;         // T-1 x N x N: P(s_t = i, s_t+1 = j, O)
  LD best{0};                           // max over paths of P(path, O)
  std::vector<std::vector<std::size_t>> argmax;  // every path attaining `best` (when best > 0)
};

// Calls fn(path) for every path in lexicographic order.
template <class Fn>
void for_each_path(std::size_t n, std::size_t len, Fn&& fn) {
  std::vector<std::size_t> path(len, 0);
  for (;;) {
    fn(path);
    std::size_t k = len;
    while (k > 0 && path[k - 1] + 1 == n) path[--k] = 0;
    if (k == 0) return;
    ++path[k - 1];
  }
}

inline Enumeration enumerate(const Chain& c, const LMat& lik) {
  const std::size_t n = c.n(), T = lik.size();
  Enumeration e;
  e.joint_state.assign(T, LVec(n, 0));
  e.joint_pair.assign(T > 0 ? T - 1 : 0, LMat(n, LVec(n, 0)));
  for_each_path(n, T, [&](const std::vector<std::size_t>& path) {
    const LD p = path_probability(c, lik, path);
    e.total += p;
    for (std::size_t t = 0; t < T; ++t) e.joint_state[t][path[t]] += p;
    for (std::size_t t = 0; t + 1 < T; ++t) e.joint_pair[t][path[t]][path[t + 1]] += p;
    // Products of the same factors in another order can differ in the last bit: group near-ties.
    if (p > e.best * (1 + 1e-15L)) {
      e.best = p;
      e.argmax.assign(1, path);
    } else if (p > 0 && p >= e.best * (1 - 1e-15L)) {
      e.argmax.push_back(path);
    }
  });
  return e;
}

// beta[t][i] = P(o_t+1..T-1 | s_t = i), by enumerating every suffix s_t+1..T-1.
inline LMat backward_by_suffixes(const Chain& c, const LMat& lik) {
  const std::size_t n = c.n(), T = lik.size();
  LMat beta(T, LVec(n, 0));
  for (std::size_t t = 0; t < T; ++t) {
    for (std::size_t i = 0; i < n; ++i) {
      if (t + 1 == T) {
        beta[t][i] = 1;
        continue;
      }
      LD s = 0;
      for_each_path(n, T - 1 - t, [&](const std::vector<std::size_t>& suffix) {
        LD p = 1;
        std::size_t prev = i;
        for (std::size_t u = 0; u < suffix.size(); ++u) {
          p *= static_cast<LD>(c.a[prev][suffix[u]]) * lik[t + 1 + u][suffix[u]];
          prev = suffix[u];
        }
        s += p;
      });
      beta[t][i] = s;
    }
  }
  return beta;
}

// Unscaled forward/backward in long double (exponent range to 1e-4931: fine for T in the
// thousands). Gives gamma and xi for sequences too long to enumerate.
struct ForwardBackward {
  LD total{0};
  LMat alpha, beta;  // T x N, unnormalised
  LD gamma(std::size_t t, std::size_t i) const { return alpha[t][i] * beta[t][i] / total; }
};
inline ForwardBackward forward_backward(const Chain& c, const LMat& lik) {
  const std::size_t n = c.n(), T = lik.size();
  ForwardBackward fb{0, LMat(T, LVec(n, 0)), LMat(T, LVec(n, 0))};
  for (std::size_t t = 0; t < T; ++t)
    for (std::size_t j = 0; j < n; ++j) {
      LD pred = 0;
      if (t == 0) pred = c.pi[j];
      else
        for (std::size_t i = 0; i < n; ++i) pred += fb.alpha[t - 1][i] * static_cast<LD>(c.a[i][j]);
      fb.alpha[t][j] = pred * lik[t][j];
    }
  for (std::size_t t = T; t-- > 0;)
    for (std::size_t i = 0; i < n; ++i) {
      if (t + 1 == T) {
        fb.beta[t][i] = 1;
        continue;
      }
      LD s = 0;
      for (std::size_t j = 0; j < n; ++j) s += static_cast<LD>(c.a[i][j]) * lik[t + 1][j] * fb.beta[t + 1][j];
      fb.beta[t][i] = s;
    }
  for (std::size_t i = 0; i < n && T > 0; ++i) fb.total += fb.alpha[T - 1][i];
  return fb;
}

// ---- streaming references for long sequences ----

// Neumaier-compensated long double sum.
struct Sum {
  LD s{0}, c{0};
  void add(LD x) {
    const LD t = s + x;
    c += std::fabs(s) >= std::fabs(x) ? (s - t) + x : (x - t) + s;
    s = t;
  }
  LD value() const { return s + c; }
};

// Scaled forward pass in long double. lik(t, i) -> P(o_t | i) (return 1 for a missing
// observation). on_step(t, alpha_hat, log P(o_0..t)) sees each normalised alpha. Returns log P(O)
// or -inf.
template <class Lik, class OnStep>
LD forward(const Chain& c, std::size_t T, Lik&& lik, OnStep&& on_step) {
  const std::size_t n = c.n();
  LVec alpha(n), next(n);
  Sum ll;
  for (std::size_t t = 0; t < T; ++t) {
    LD s = 0;
    for (std::size_t j = 0; j < n; ++j) {
      LD pred = 0;
      if (t == 0) {
        pred = c.pi[j];
      } else {
        for (std::size_t i = 0; i < n; ++i) pred += alpha[i] * static_cast<LD>(c.a[i][j]);
      }
      next[j] = pred * static_cast<LD>(lik(t, j));
      s += next[j];
    }
    if (!(s > 0)) return -std::numeric_limits<LD>::infinity();
    for (std::size_t j = 0; j < n; ++j) alpha[j] = next[j] / s;
    ll.add(std::log(s));
    on_step(t, alpha, ll.value());
  }
  return ll.value();
}

template <class Lik>
LD forward(const Chain& c, std::size_t T, Lik&& lik) {
  return forward(c, T, lik, [](std::size_t, const LVec&, LD) {});
}

// max over paths of log P(path, O) in long double log space. log_lik(t, i) -> log P(o_t | i).
template <class LogLik>
LD viterbi_score(const Chain& c, std::size_t T, LogLik&& log_lik) {
  const std::size_t n = c.n();
  const LD ninf = -std::numeric_limits<LD>::infinity();
  LMat la(n, LVec(n));
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < n; ++j) la[i][j] = std::log(static_cast<LD>(c.a[i][j]));
  LVec delta(n), next(n);
  for (std::size_t j = 0; j < n; ++j) delta[j] = std::log(static_cast<LD>(c.pi[j])) + static_cast<LD>(log_lik(0, j));
  Sum shift;  // renormalise by the maximum so the scores keep full precision
  for (std::size_t t = 0;; ++t) {
    LD m = ninf;
    for (LD d : delta) m = d > m ? d : m;
    if (m == ninf) return ninf;
    for (LD& d : delta) d -= m;
    shift.add(m);
    if (t + 1 == T) return shift.value();
    for (std::size_t j = 0; j < n; ++j) {
      LD best = ninf;
      for (std::size_t i = 0; i < n; ++i) best = std::max(best, delta[i] + la[i][j]);
      next[j] = best + static_cast<LD>(log_lik(t + 1, j));
    }
    delta.swap(next);
  }
}

}  // namespace ref
