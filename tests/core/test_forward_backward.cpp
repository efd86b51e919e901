// forward, probability, backward and posteriors against hand arithmetic and brute force.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "fixtures.hpp"

using namespace hanzo::hmm;
using namespace fx;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

// pi = (0.6, 0.4), A = [[0.7, 0.3], [0.4, 0.6]], B = [[0.9, 0.1], [0.2, 0.8]], O = (0, 1).
CategoricalHmm<int> hand_model() {
  return make_categorical_hmm<int>({"a", "b"}, {0, 1}, {0.6, 0.4}, {{0.7, 0.3}, {0.4, 0.6}}, {{0.9, 0.1}, {0.2, 0.8}})
      .value();
}
}  // namespace

TEST_CASE("forward/backward/posteriors: 2 states, T = 2, by hand", "[core][forward]") {
  const auto m = hand_model();
  const std::vector<int> obs{0, 1};
  // alpha_0 = (0.6*0.9, 0.4*0.2) = (0.54, 0.08)
  // alpha_1(0) = (0.54*0.7 + 0.08*0.4) * 0.1 = 0.41 * 0.1 = 0.041
  // alpha_1(1) = (0.54*0.3 + 0.08*0.6) * 0.8 = 0.21 * 0.8 = 0.168
  // P(O) = 0.041 + 0.168 = 0.209
  CHECK(m.forward(obs).value() == Approx(std::log(0.209)).epsilon(1e-14));
  CHECK(m.probability(obs).value() == Approx(0.209).epsilon(1e-14));
  // beta_1 = (1, 1); beta_0(0) = 0.7*0.1 + 0.3*0.8 = 0.31; beta_0(1) = 0.4*0.1 + 0.6*0.8 = 0.52
  // check: alpha_0 . beta_0 = 0.54*0.31 + 0.08*0.52 = 0.1674 + 0.0416 = 0.209
  const Matrix lb = m.backward(obs).value();
  REQUIRE(lb.rows == 2);
  REQUIRE(lb.cols == 2);
  CHECK(lb(1, 0) == 0.0);
  CHECK(lb(1, 1) == 0.0);
  CHECK(lb(0, 0) == Approx(std::log(0.31)).epsilon(1e-14));
  CHECK(lb(0, 1) == Approx(std::log(0.52)).epsilon(1e-14));
  // gamma_0 = (0.1674, 0.0416) / 0.209; gamma_1 = (0.041, 0.168) / 0.209
  const auto p = m.posteriors(obs).value();
  CHECK(p.log_likelihood == Approx(std::log(0.209)).epsilon(1e-14));
  CHECK(p.gamma(0, 0) == Approx(0.1674 / 0.209).epsilon(1e-14));
  CHECK(p.gamma(0, 1) == Approx(0.0416 / 0.209).epsilon(1e-14));
  CHECK(p.gamma(1, 0) == Approx(0.041 / 0.209).epsilon(1e-14));
  CHECK(p.gamma(1, 1) == Approx(0.168 / 0.209).epsilon(1e-14));
}

namespace {
// Checks forward, probability, backward and posteriors of one sequence against enumeration.
// Returns whether the sequence was possible.
template <class Model, class Obs>
bool check_against_enumeration(const Model& m, const Chain& chain, const LMat& table, const Obs& obs) {
  const Enumeration e = enumerate(chain, table);
  const LMat beta = backward_by_suffixes(chain, table);
  const double ll = m.forward(obs).value();
  const std::size_t T = obs.size(), n = chain.n();
  CHECK_FALSE(std::isnan(ll));
  const Matrix lb = m.backward(obs).value();
  REQUIRE(lb.rows == T);
  REQUIRE(lb.cols == n);
  for (std::size_t t = 0; t < T; ++t)
    for (std::size_t i = 0; i < n; ++i) {
      INFO("t=" << t << " i=" << i << " beta=" << static_cast<double>(beta[t][i]) << " got " << lb(t, i));
      if (beta[t][i] == 0) CHECK(lb(t, i) == -kInf);
      else CHECK(near(lb(t, i), std::log(beta[t][i]), 1e-12));
    }
  const auto post = m.posteriors(obs);
  if (e.total == 0) {
    CHECK(ll == -kInf);
    CHECK(m.probability(obs).value() == 0.0);
    REQUIRE_FALSE(post.has_value());
    CHECK(post.error().code == Errc::impossible_sequence);
    return false;
  }
  CHECK(near(ll, std::log(e.total), 1e-12));
  // probability() is exp(forward): it loses precision once P(O) leaves the normal double range.
  if (e.total > 1e-280L) CHECK(rel_near(m.probability(obs).value(), e.total, 1e-12));
  REQUIRE(post.has_value());
  CHECK(near(post->log_likelihood, std::log(e.total), 1e-12));
  for (std::size_t t = 0; t < T; ++t)
    for (std::size_t i = 0; i < n; ++i) {
      INFO("gamma t=" << t << " i=" << i);
      CHECK(std::fabs(post->gamma(t, i) - e.joint_state[t][i] / e.total) <= 1e-12L);
    }
  return true;
}
}  // namespace

TEST_CASE("forward/backward/posteriors: categorical models vs all N^T paths", "[core][forward][brute]") {
  int possible = 0, impossible = 0;
  for (Shape shape : {Shape::dense, Shape::sparse, Shape::left_right})
    for (std::size_t n = 1; n <= 3; ++n)
      for (std::uint64_t seed = 0; seed < 4; ++seed) {
        Gen g(seed * 131 + n * 7 + static_cast<std::uint64_t>(shape));
        const CatSpec spec = random_cat(g, n, 3, shape);
        const auto m = build(spec);
        for (std::size_t T = 1; T <= (n == 3 ? 7u : 8u); ++T) {
          // From the model (possible) and uniformly random (often impossible when sparse).
          for (int kind = 0; kind < 2; ++kind) {
            std::vector<int> obs = sample_obs(spec, g, T);
            if (kind == 1)
              for (int& o : obs) o = static_cast<int>(g.below(3));
            INFO(shape_name(shape) << " n=" << n << " seed=" << seed << " T=" << T << " kind=" << kind);
            (check_against_enumeration(m, spec.chain, lik(spec, obs), obs) ? possible : impossible)++;
          }
        }
      }
  // The sweep must exercise both branches.
  CHECK(possible > 100);
  CHECK(impossible > 10);
}

TEST_CASE("forward/backward/posteriors: Gaussian models vs all N^T paths", "[core][forward][brute]") {
  for (Shape shape : {Shape::dense, Shape::sparse, Shape::left_right})
    for (std::size_t n = 1; n <= 3; ++n)
      for (std::size_t d = 1; d <= 2; ++d)
        for (std::uint64_t seed = 0; seed < 2; ++seed) {
          Gen g(seed * 977 + n * 31 + d * 5 + static_cast<std::uint64_t>(shape));
          const GaussSpec spec = random_gauss(g, n, d, shape);
          const auto m = build(spec);
          for (std::size_t T = 1; T <= (n == 3 ? 7u : 8u); T += 2) {
            Mat obs = sample_obs(spec, g, T);
            if (seed == 1)  // far outliers: densities ~1e-40, still exact relative to each other
              for (auto& x : obs) x[0] += 12.0;
            INFO(shape_name(shape) << " n=" << n << " d=" << d << " seed=" << seed << " T=" << T);
            CHECK(check_against_enumeration(m, spec.chain, lik(spec, obs), obs));
          }
        }
}

TEST_CASE("forward_many: each entry is that sequence's log-likelihood", "[core][forward]") {
  Gen g(5);
  const CatSpec spec = random_cat(g, 3, 4, Shape::dense);
  const auto m = build(spec);
  std::vector<std::vector<std::uint32_t>> encoded;
  std::vector<LD> expected;
  for (std::size_t k = 0; k < 37; ++k) {
    const auto obs = sample_obs(spec, g, 1 + k % 6);
    encoded.push_back(m.encode(obs).value());
    expected.push_back(std::log(enumerate(spec.chain, lik(spec, obs)).total));
  }
  for (std::size_t threads : {1u, 2u, 0u}) {
    const auto got = m.forward_many(encoded, threads);
    REQUIRE(got.size() == expected.size());
    for (std::size_t k = 0; k < got.size(); ++k) CHECK(near(got[k], expected[k], 1e-12));
  }
}

TEST_CASE("impossible sequences: -inf not NaN, error from posteriors, -inf rows in backward", "[core][forward]") {
  // State a emits only x, b only y; no switching. "x y" is impossible from t = 1.
  const auto m = make_categorical_hmm<char>({"a", "b"}, {'x', 'y', 'z'}, {0.5, 0.5}, {{1.0, 0.0}, {0.0, 1.0}},
                                            {{1.0, 0.0, 0.0}, {0.0, 1.0, 0.0}})
                     .value();
  const std::vector<char> xy{'x', 'y'};
  const double ll = m.forward(xy).value();
  CHECK(ll == -kInf);
  CHECK(m.probability(xy).value() == 0.0);
  auto post = m.posteriors(xy);
  REQUIRE_FALSE(post.has_value());
  CHECK(post.error().code == Errc::impossible_sequence);
  CHECK(post.error().where == "observations[1]");
  CHECK(post.error().col == 1);
  // beta_0(a) = A_aa b_a(y) = 0, beta_0(b) = A_bb b_b(y) = 1: only one entry is -inf.
  const Matrix lb = m.backward(xy).value();
  CHECK(lb(0, 0) == -kInf);
  CHECK(lb(0, 1) == 0.0);
  CHECK(lb(1, 0) == 0.0);
  CHECK(lb(1, 1) == 0.0);

  // z has probability 0 in every state: beta is 0 from the step before it backwards.
  const std::vector<char> xxz{'x', 'x', 'z', 'x'};
  CHECK(m.forward(xxz).value() == -kInf);
  const auto post2 = m.posteriors(xxz);
  REQUIRE_FALSE(post2.has_value());
  CHECK(post2.error().where == "observations[2]");
  const Matrix lb2 = m.backward(xxz).value();
  for (std::size_t t = 0; t < 2; ++t)
    for (std::size_t i = 0; i < 2; ++i) CHECK(lb2(t, i) == -kInf);
  CHECK(lb2(2, 0) == 0.0);  // beta_2(a) = b_a(x) = 1
  CHECK(lb2(2, 1) == -kInf);
  CHECK(lb2(3, 0) == 0.0);

  // Impossible at the first observation (pi excludes the only emitting state).
  const auto m2 = make_categorical_hmm<char>({"a", "b"}, {'x', 'y'}, {1.0, 0.0}, {{0.5, 0.5}, {0.5, 0.5}},
                                             {{1.0, 0.0}, {0.0, 1.0}})
                      .value();
  const std::vector<char> y{'y'};
  CHECK(m2.forward(y).value() == -kInf);
  CHECK(m2.posteriors(y).error().where == "observations[0]");
}

TEST_CASE("empty sequence: log P = 0, empty outputs", "[core][forward]") {
  const auto m = hand_model();
  const std::vector<int> none;
  CHECK(m.forward(none).value() == 0.0);
  CHECK(m.backward(none).value().rows == 0);
  const auto p = m.posteriors(none).value();
  CHECK(p.gamma.rows == 0);
  CHECK(m.viterbi(none).value().path.empty());
}
