// Long sequences: no underflow over 10^7 steps, and 10^5-step results as accurate as a long
// double (64-bit mantissa) reference allows a double computation to be.
#include <catch2/catch.hpp>

#include <cmath>

#include "fixtures.hpp"

using namespace hanzo::hmm;
using namespace fx;

namespace {
// Symbols drawn from the model itself, straight into the encoded form (no label vectors).
std::vector<std::uint32_t> sample_encoded(const CatSpec& s, Gen& g, std::size_t T) {
  std::vector<std::uint32_t> out(T);
  std::size_t state = g.pick(s.chain.pi);
  for (std::size_t t = 0; t < T; ++t) {
    if (t > 0) state = g.pick(s.chain.a[state]);
    out[t] = static_cast<std::uint32_t>(g.pick(s.b[state]));
  }
  return out;
}

LD reference_forward(const CatSpec& s, const std::vector<std::uint32_t>& obs) {
  return forward(s.chain, obs.size(), [&](std::size_t t, std::size_t i) { return static_cast<LD>(s.b[i][obs[t]]); });
}
LD reference_viterbi(const CatSpec& s, const std::vector<std::uint32_t>& obs) {
  return viterbi_score(s.chain, obs.size(),
                       [&](std::size_t t, std::size_t i) { return std::log(static_cast<LD>(s.b[i][obs[t]])); });
}
}  // namespace

TEST_CASE("long sequence: 10^7 steps give a finite, accurate log-likelihood", "[core][long]") {
  const CatSpec s{{{0.6, 0.4}, {{0.95, 0.05}, {0.1, 0.9}}}, {{0.7, 0.2, 0.1}, {0.1, 0.3, 0.6}}};
  Gen g(10);
  const auto obs = sample_encoded(s, g, 10'000'000);
  const auto m = build(s);
  const double ll = m.forward(obs);
  REQUIRE(std::isfinite(ll));
  CHECK(ll < -1e6);  // about -1 nat per step: far below what exp() can represent
  CHECK(rel_near(ll, reference_forward(s, obs), 1e-11));
}

TEST_CASE("long sequence: 10^5 steps match long double references", "[core][long]") {
  Gen g(11);
  // A dense model, and one whose emissions are tiny (1e-5): many rescalings per hundred steps.
  const CatSpec dense = random_cat(g, 3, 4, Shape::dense);
  const CatSpec tiny{{{0.5, 0.5}, {{0.9, 0.1}, {0.2, 0.8}}}, {{0.99998, 1e-5, 1e-5}, {1e-5, 1e-5, 0.99998}}};
  for (const CatSpec* s : {&dense, &tiny}) {
    std::vector<std::uint32_t> obs = sample_encoded(*s, g, 100'000);
    if (s == &tiny)
      for (std::size_t t = 0; t < obs.size(); t += 3) obs[t] = 1;  // the improbable symbol, often
    const auto m = build(*s);
    INFO((s == &tiny ? "tiny" : "dense"));
    const LD want = reference_forward(*s, obs);
    const double ll = m.forward(obs);
    CHECK(rel_near(ll, want, 1e-11));

    const auto v = m.viterbi(obs);
    REQUIRE(v.path.size() == obs.size());
    const LD best = reference_viterbi(*s, obs);
    const LD own = path_log_probability(s->chain, categorical_lik(s->b, std::vector<int>(obs.begin(), obs.end())), v.path);
    CHECK(rel_near(v.log_probability, best, 1e-11));
    CHECK(rel_near(v.log_probability, own, 1e-11));

    // Posteriors: the same log-likelihood; rows are distributions; the last row is the filtered state.
    const auto post = m.posteriors(obs).value();
    CHECK(rel_near(post.log_likelihood, want, 1e-11));
    LVec last;
    forward(s->chain, obs.size(), [&](std::size_t t, std::size_t i) { return static_cast<LD>(s->b[i][obs[t]]); },
            [&](std::size_t, const LVec& a, LD) { last = a; });
    for (std::size_t i = 0; i < s->chain.n(); ++i) CHECK(std::fabs(post.gamma(obs.size() - 1, i) - last[i]) < 1e-12);
    double worst = 0.0;
    for (std::size_t t = 0; t < obs.size(); ++t) {
      double row = 0.0;
      for (std::size_t i = 0; i < s->chain.n(); ++i) row += post.gamma(t, i);
      worst = std::max(worst, std::fabs(row - 1.0));
    }
    CHECK(worst < 1e-13);
    // log beta_0 combined with pi and b_0 gives the log-likelihood again.
    const Matrix lb = m.backward(obs);
    LD p0 = 0;
    for (std::size_t i = 0; i < s->chain.n(); ++i) p0 += s->chain.pi[i] * s->b[i][obs[0]] * std::exp(static_cast<LD>(lb(0, i)) - want);
    CHECK(std::fabs(p0 - 1) < 1e-9);
  }
}

TEST_CASE("long sequence: Gaussian 10^5 steps match the long double reference", "[core][long]") {
  Gen g(12);
  const GaussSpec s = random_gauss(g, 3, 2, Shape::dense);
  const Mat obs = sample_obs(s, g, 100'000);
  const auto m = build(s);
  const LD want = forward(s.chain, obs.size(), [&](std::size_t t, std::size_t i) {
    return std::exp(gaussian_log_density(obs[t], s.means[i], s.vars[i]));
  });
  CHECK(rel_near(m.forward(obs).value(), want, 1e-11));
  const LD best = viterbi_score(s.chain, obs.size(), [&](std::size_t t, std::size_t i) {
    return gaussian_log_density(obs[t], s.means[i], s.vars[i]);
  });
  CHECK(rel_near(m.viterbi(obs).value().log_probability, best, 1e-11));
}
