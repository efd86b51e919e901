// Random model specifications (plain data, fixed seeds), samplers that do not use the library,
// and builders that turn a specification into a library model.
#pragma once

#include <cmath>
#include <string>
#include <vector>

#include "hanzo/hmm/hmm.hpp"
#include "reference.hpp"

namespace fx {

using namespace ref;

enum class Shape { dense, sparse, left_right };
inline const char* shape_name(Shape s) {
  return s == Shape::dense ? "dense" : s == Shape::sparse ? "sparse" : "left-right";
}

// A distribution over n entries; each entry is 0 with probability zero_p (one is always kept).
inline Vec random_dist(Gen& g, std::size_t n, double zero_p) {
  Vec p(n);
  std::size_t nonzero = 0;
  for (auto& x : p) {
    x = g.uniform() < zero_p ? 0.0 : g.uniform(0.05, 1.0);
    nonzero += x > 0.0;
  }
  if (nonzero == 0) p[g.below(n)] = 1.0;
  double s = 0.0;
  for (double x : p) s += x;
  for (auto& x : p) x /= s;
  return p;
}

// dense: all entries > 0; sparse: about a third structural zeros; left_right: starts in state 0,
// moves only to the same or a higher state.
inline Chain random_chain(Gen& g, std::size_t n, Shape shape) {
  Chain c;
  if (shape == Shape::left_right) {
    c.pi.assign(n, 0.0);
    c.pi[0] = 1.0;
    for (std::size_t i = 0; i < n; ++i) {
      Vec row(n, 0.0);
      const Vec tail = random_dist(g, n - i, 0.0);
      for (std::size_t k = 0; k < tail.size(); ++k) row[i + k] = tail[k];
      c.a.push_back(row);
    }
  } else {
    const double zp = shape == Shape::sparse ? 0.35 : 0.0;
    c.pi = random_dist(g, n, zp);
    for (std::size_t i = 0; i < n; ++i) c.a.push_back(random_dist(g, n, zp));
  }
  return c;
}

struct CatSpec {
  Chain chain;
  Mat b;  // N x M
};
struct GaussSpec {
  Chain chain;
  Mat means, vars;  // N x D
};

inline CatSpec random_cat(Gen& g, std::size_t n, std::size_t m, Shape shape) {
  CatSpec s{random_chain(g, n, shape), {}};
  for (std::size_t i = 0; i < n; ++i) s.b.push_back(random_dist(g, m, shape == Shape::sparse ? 0.35 : 0.0));
  return s;
}

inline GaussSpec random_gauss(Gen& g, std::size_t n, std::size_t d, Shape shape) {
  GaussSpec s{random_chain(g, n, shape), {}, {}};
  for (std::size_t i = 0; i < n; ++i) {
    Vec mu(d), var(d);
    for (std::size_t k = 0; k < d; ++k) {
      mu[k] = g.uniform(-2.0, 2.0);
      var[k] = g.uniform(0.3, 2.0);
    }
    s.means.push_back(mu);
    s.vars.push_back(var);
  }
  return s;
}

// Samplers independent of the library's generate().
inline std::vector<std::size_t> sample_states(const Chain& c, Gen& g, std::size_t T) {
  std::vector<std::size_t> s;
  for (std::size_t t = 0; t < T; ++t) s.push_back(t == 0 ? g.pick(c.pi) : g.pick(c.a[s.back()]));
  return s;
}
inline std::vector<int> sample_obs(const CatSpec& m, Gen& g, std::size_t T) {
  std::vector<int> o;
  for (std::size_t s : sample_states(m.chain, g, T)) o.push_back(static_cast<int>(g.pick(m.b[s])));
  return o;
}
inline Mat sample_obs(const GaussSpec& m, Gen& g, std::size_t T) {
  Mat o;
  for (std::size_t s : sample_states(m.chain, g, T)) {
    Vec x(m.means[s].size());
    for (std::size_t k = 0; k < x.size(); ++k) x[k] = m.means[s][k] + std::sqrt(m.vars[s][k]) * g.normal();
    o.push_back(x);
  }
  return o;
}

inline LMat lik(const CatSpec& m, const std::vector<int>& obs) { return categorical_lik(m.b, obs); }
inline LMat lik(const GaussSpec& m, const Mat& obs) { return gaussian_lik(m.means, m.vars, obs); }

inline std::vector<std::string> names(std::size_t n) {
  std::vector<std::string> v;
  for (std::size_t i = 0; i < n; ++i) v.push_back("s" + std::to_string(i));
  return v;
}
inline std::vector<int> symbols(std::size_t m) {
  std::vector<int> v;
  for (std::size_t k = 0; k < m; ++k) v.push_back(static_cast<int>(k));
  return v;
}

inline hanzo::hmm::CategoricalHmm<int> build(const CatSpec& s) {
  return hanzo::hmm::make_categorical_hmm<int>(names(s.chain.n()), symbols(s.b[0].size()), s.chain.pi, s.chain.a, s.b)
      .value();
}
inline hanzo::hmm::GaussianHmm build(const GaussSpec& s) {
  return hanzo::hmm::make_gaussian_hmm(names(s.chain.n()), s.chain.pi, s.chain.a, s.means, s.vars).value();
}

// |x - y| <= tol * max(1, |y|); equal infinities compare equal.
inline bool near(LD x, LD y, LD tol) {
  if (x == y) return true;
  return std::fabs(x - y) <= tol * std::max<LD>(1, std::fabs(y));
}
inline bool rel_near(LD x, LD y, LD tol) { return x == y || std::fabs(x - y) <= tol * std::fabs(y); }

}  // namespace fx
