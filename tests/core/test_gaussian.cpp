// Diagonal-Gaussian emissions: validation, densities against the textbook formula, and
// observations far in the tails (densities that underflow in double).
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "check_error.hpp"
#include "fixtures.hpp"

using namespace hanzo::hmm;
using namespace fx;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::nan("");

Error gauss_error(const Mat& means, const Mat& vars) {
  auto r = make_gaussian_hmm({"a", "b"}, {0.5, 0.5}, {{0.5, 0.5}, {0.5, 0.5}}, means, vars);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}
}  // namespace

TEST_CASE("gaussian: construction errors name the field, row and column", "[core][gaussian][errors]") {
  const Mat mu{{0.0, 1.0}, {1.0, 2.0}}, var{{1.0, 0.5}, {2.0, 1.0}};
  check_error(gauss_error({{0.0, 1.0}}, var), Errc::invalid_dimension, "means", -1, -1);
  check_error(gauss_error(mu, {{1.0, 1.0}, {1.0, 1.0}, {1.0, 1.0}}), Errc::invalid_dimension, "variances", -1, -1);
  check_error(gauss_error({{}, {}}, {{}, {}}), Errc::invalid_dimension, "means[0]", 0, -1);
  check_error(gauss_error({{0.0, 1.0}, {1.0}}, var), Errc::invalid_dimension, "means[1]", 1, -1);
  check_error(gauss_error(mu, {{1.0, 1.0}, {1.0, 1.0, 1.0}}), Errc::invalid_dimension, "variances[1]", 1, -1);
  check_error(gauss_error({{0.0, 1.0}, {kNaN, 0.0}}, var), Errc::invalid_value, "means[1][0]", 1, 0);
  check_error(gauss_error({{0.0, kInf}, {0.0, 0.0}}, var), Errc::invalid_value, "means[0][1]", 0, 1);
  // 1e-310 is subnormal: 1 / var overflows, so the density at the mean would be 0 * inf = NaN.
  for (double bad : {0.0, -0.0, -1.0, kNaN, kInf, -kInf, 1e-310}) {
    INFO("variance " << bad);
    check_error(gauss_error(mu, {{1.0, 1.0}, {1.0, bad}}), Errc::invalid_variance, "variances[1][1]", 1, 1);
  }
  // The smallest normal variance is accepted and scores observations at its mean finitely.
  const auto narrow =
      make_gaussian_hmm({"a"}, {1.0}, {{1.0}}, {{0.0}}, {{std::numeric_limits<double>::min()}}).value();
  CHECK(std::isfinite(narrow.forward(Mat{{0.0}}).value()));
  // The emission must describe as many states as the chain.
  auto chain = MarkovChain::create({"a", "b"}, {0.5, 0.5}, {{0.5, 0.5}, {0.5, 0.5}}).value();
  auto three = DiagonalGaussian::create(3, {{0.0}, {0.0}, {0.0}}, {{1.0}, {1.0}, {1.0}}).value();
  const auto r = GaussianHmm::create(chain, three);
  REQUIRE_FALSE(r.has_value());
  check_error(r.error(), Errc::invalid_dimension, "emission", -1, -1);
}

TEST_CASE("gaussian: observation errors name the position", "[core][gaussian][errors]") {
  const auto m = make_gaussian_hmm({"a"}, {1.0}, {{1.0}}, {{0.0, 0.0}}, {{1.0, 1.0}}).value();
  const Mat obs{{0.0, 1.0}, {1.0, 2.0}, {3.0}};
  check_error(m.forward(obs).error(), Errc::wrong_dimension, "observations[2]", -1, 2);
  check_error(m.viterbi(Mat{{0.0, 1.0}, {1.0, 2.0, 3.0}}).error(), Errc::wrong_dimension, "observations[1]", -1, 1);
  check_error(m.posteriors(Mat{{0.0, kNaN}}).error(), Errc::invalid_value, "observations[0][1]", -1, 0);
  check_error(m.backward(Mat{{0.0, 0.0}, {0.0, 0.0}, {-kInf, 0.0}}).error(), Errc::invalid_value,
              "observations[2][0]", -1, 2);
  const auto& e = m.emission();
  check_error(e.encode_flat({1.0, 2.0, 3.0}).error(), Errc::wrong_dimension, "observations", -1, -1);
  check_error(e.encode_flat({1.0, 2.0, 3.0, kNaN}).error(), Errc::invalid_value, "observations[1][1]", -1, 1);
  const auto flat = e.encode_flat({1.0, 2.0, 3.0, 4.0}).value();
  CHECK(DiagonalGaussian::length(flat) == 2);
  CHECK(m.forward(flat) == m.forward(Mat{{1.0, 2.0}, {3.0, 4.0}}).value());
}

TEST_CASE("gaussian: parameters read back as given", "[core][gaussian]") {
  const Mat means{{0.5, -1.0, 2.0}, {3.0, 0.0, -2.5}}, vars{{1.0, 0.25, 4.0}, {2.0, 0.5, 0.125}};
  const auto m = make_gaussian_hmm({"a", "b"}, {0.5, 0.5}, {{0.5, 0.5}, {0.5, 0.5}}, means, vars).value();
  CHECK(m.emission().dim() == 3);
  CHECK(m.emission().mean_rows() == means);
  CHECK(m.emission().variance_rows() == vars);
  CHECK(m.emission().mean(1, 2) == -2.5);
  CHECK(m.emission().variance(0, 1) == 0.25);
}

TEST_CASE("gaussian: one-step likelihood is the mixture of textbook densities", "[core][gaussian]") {
  Gen g(17);
  for (std::size_t d = 1; d <= 5; ++d) {
    const GaussSpec s = random_gauss(g, 3, d, Shape::dense);
    const auto m = build(s);
    for (int k = 0; k < 5; ++k) {
      Vec x(d);
      for (double& v : x) v = g.uniform(-6.0, 6.0);
      LD p = 0;
      for (std::size_t i = 0; i < 3; ++i) p += s.chain.pi[i] * std::exp(gaussian_log_density(x, s.means[i], s.vars[i]));
      CHECK(near(m.forward(Mat{x}).value(), std::log(p), 1e-13));
    }
  }
}

TEST_CASE("gaussian: a density that underflows in every state is probability 0, never NaN", "[core][gaussian]") {
  // (1e200 - mean)^2 overflows: log b_j = -inf for every state.
  const auto m = make_gaussian_hmm({"a", "b"}, {0.5, 0.5}, {{0.9, 0.1}, {0.1, 0.9}}, {{0.0}, {1.0}}, {{1.0}, {1.0}})
                     .value();
  const Mat obs{{0.0}, {1e200}, {0.5}};
  CHECK(m.forward(obs).value() == -kInf);
  const Matrix lb = m.backward(obs).value();
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(lb(0, i) == -kInf);  // nothing continues through observation 1
    CHECK(std::isfinite(lb(1, i)));
    CHECK(lb(2, i) == 0.0);
  }
  const auto post = m.posteriors(obs);
  REQUIRE_FALSE(post.has_value());
  CHECK(post.error().code == Errc::impossible_sequence);
  CHECK(post.error().where == "observations[1]");
  const auto v = m.viterbi(obs).value();
  CHECK(v.path.empty());
  CHECK(v.log_probability == -kInf);
  OnlineFilter<DiagonalGaussian> f(m);
  REQUIRE(f.update({0.0}).has_value());
  const double before = f.log_likelihood();
  CHECK(f.update({1e200}).error().code == Errc::impossible_sequence);
  CHECK(f.log_likelihood() == before);
  CHECK(f.steps() == 1);
}

TEST_CASE("gaussian: observations only an unreachable state explains are scored exactly", "[core][gaussian]") {
  // The chain stays in state a (A = I, pi = e_a), but b sits on the data at 50: relative to
  // b, a's density there is e^-1250, far below double range. The answer is still exact:
  // the only path is a, a, a, a, with log P = sum_t log N(x_t; 0, 1).
  const auto m = make_gaussian_hmm({"a", "b", "c"}, {1.0, 0.0, 0.0}, {{1.0, 0.0, 0.0}, {0.0, 1.0, 0.0}, {0.0, 0.5, 0.5}},
                                   {{0.0}, {50.0}, {-40.0}}, {{1.0}, {1.0}, {1.0}})
                     .value();
  const Mat obs{{0.0}, {50.0}, {50.0}, {-40.0}, {1.0}};
  LD want = 0;
  for (const auto& x : obs) want += gaussian_log_density(x, {0.0}, {1.0});  // about -4101
  CHECK(near(m.forward(obs).value(), want, 1e-13));
  const auto v = m.viterbi(obs).value();
  CHECK(v.path == std::vector<std::size_t>(5, 0));
  CHECK(near(v.log_probability, want, 1e-13));
  const auto post = m.posteriors(obs);
  REQUIRE(post.has_value());
  CHECK(near(post->log_likelihood, want, 1e-13));
  for (std::size_t t = 0; t < obs.size(); ++t) CHECK(post->gamma(t, 0) == 1.0);
  // beta_t(a) = prod_{u > t} N(x_u; 0, 1).
  const Matrix lb = m.backward(obs).value();
  LD suffix = 0;
  for (std::size_t t = obs.size(); t-- > 0;) {
    INFO("t=" << t);
    CHECK(near(lb(t, 0), suffix, 1e-13));
    suffix += gaussian_log_density(obs[t], {0.0}, {1.0});
  }
}
