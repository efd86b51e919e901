// Baum-Welch: the exact M-step against enumerated posteriors, EM monotonicity, report semantics,
// untouched rows, structural zeros, variance floor, thread independence, parameter recovery.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "fixtures.hpp"

using namespace hanzo::hmm;
using namespace fx;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

template <class M>
Chain chain_of(const M& m) {
  return {m.chain().initial_vector(), m.chain().transition_rows()};
}
CatSpec spec_of(const CategoricalHmm<int>& m) { return {chain_of(m), m.emission().probability_rows()}; }
GaussSpec spec_of(const GaussianHmm& m) {
  return {chain_of(m), m.emission().mean_rows(), m.emission().variance_rows()};
}

// gamma_t(i) and xi_t(i, j) of one sequence: by enumerating every path when short, by the
// unscaled long double forward-backward otherwise.
struct Posterior {
  LD total{0};
  LMat gamma;
  std::vector<LMat> xi;
};
Posterior posterior_of(const Chain& c, const LMat& l) {
  const std::size_t n = c.n(), T = l.size();
  Posterior p{0, LMat(T, LVec(n)), std::vector<LMat>(T - 1, LMat(n, LVec(n)))};
  if (T <= 8) {
    const Enumeration e = enumerate(c, l);
    p.total = e.total;
    for (std::size_t t = 0; t < T; ++t)
      for (std::size_t i = 0; i < n; ++i) p.gamma[t][i] = e.joint_state[t][i] / e.total;
    for (std::size_t t = 0; t + 1 < T; ++t)
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) p.xi[t][i][j] = e.joint_pair[t][i][j] / e.total;
    return p;
  }
  const ForwardBackward fb = forward_backward(c, l);
  p.total = fb.total;
  for (std::size_t t = 0; t < T; ++t)
    for (std::size_t i = 0; i < n; ++i) p.gamma[t][i] = fb.gamma(t, i);
  for (std::size_t t = 0; t + 1 < T; ++t)
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        p.xi[t][i][j] = fb.alpha[t][i] * static_cast<LD>(c.a[i][j]) * l[t + 1][j] * fb.beta[t + 1][j] / fb.total;
  return p;
}

// Expected counts of a data set; per_step(o_t, i, gamma_t(i)) collects the emission statistics.
struct Counts {
  LVec initial;
  LMat trans;  // sum_t xi_t(i, j)
  LD loglik{0};
};
template <class Spec, class Obs, class PerStep>
Counts expected_counts(const Spec& s, const std::vector<Obs>& data, PerStep&& per_step) {
  const std::size_t n = s.chain.n();
  Counts c{LVec(n, 0), LMat(n, LVec(n, 0)), 0};
  for (const auto& obs : data) {
    const Posterior p = posterior_of(s.chain, lik(s, obs));
    REQUIRE(p.total > 0);
    c.loglik += std::log(p.total);
    for (std::size_t i = 0; i < n; ++i) c.initial[i] += p.gamma[0][i];
    for (std::size_t t = 0; t + 1 < obs.size(); ++t)
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t j = 0; j < n; ++j) c.trans[i][j] += p.xi[t][i][j];
    for (std::size_t t = 0; t < obs.size(); ++t)
      for (std::size_t i = 0; i < n; ++i) per_step(obs[t], i, p.gamma[t][i]);
  }
  return c;
}

// New pi and A (Dirichlet pseudocounts; rows without counts keep their values).
Chain chain_update(const Chain& old, const Counts& c, double pi_pc, double a_pc) {
  const std::size_t n = old.n();
  Chain out = old;
  LD total = 0;
  for (LD x : c.initial) total += x;
  for (std::size_t i = 0; i < n; ++i) out.pi[i] = static_cast<double>((c.initial[i] + pi_pc) / (total + n * pi_pc));
  for (std::size_t i = 0; i < n; ++i) {
    LD row = 0;
    for (LD x : c.trans[i]) row += x;
    if (row == 0) continue;
    for (std::size_t j = 0; j < n; ++j) out.a[i][j] = static_cast<double>((c.trans[i][j] + a_pc) / (row + n * a_pc));
  }
  return out;
}

CatSpec em_step(const CatSpec& s, const std::vector<std::vector<int>>& data, const FitOptions& o, LD& loglik) {
  const std::size_t n = s.chain.n(), m = s.b[0].size();
  LMat emit(n, LVec(m, 0));
  const Counts c = expected_counts(s, data, [&](int sym, std::size_t i, LD g) { emit[i][static_cast<std::size_t>(sym)] += g; });
  loglik = c.loglik;
  CatSpec out{chain_update(s.chain, c, o.initial_pseudocount, o.transition_pseudocount), s.b};
  for (std::size_t i = 0; i < n; ++i) {
    LD total = 0;
    for (LD x : emit[i]) total += x;
    if (total == 0) continue;
    for (std::size_t k = 0; k < m; ++k)
      out.b[i][k] = static_cast<double>((emit[i][k] + o.emission_pseudocount) / (total + m * o.emission_pseudocount));
  }
  return out;
}

GaussSpec em_step(const GaussSpec& s, const std::vector<Mat>& data, const FitOptions& o, LD& loglik) {
  const std::size_t n = s.chain.n(), d = s.means[0].size();
  LVec w(n, 0);
  LMat sx(n, LVec(d, 0));
  const Counts c = expected_counts(s, data, [&](const Vec& x, std::size_t i, LD g) {
    w[i] += g;
    for (std::size_t k = 0; k < d; ++k) sx[i][k] += g * x[k];
  });
  loglik = c.loglik;
  GaussSpec out{chain_update(s.chain, c, o.initial_pseudocount, o.transition_pseudocount), s.means, s.vars};
  LMat sq(n, LVec(d, 0));  // second pass: deviations about the new means
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k)
      if (w[i] > 0) out.means[i][k] = static_cast<double>(sx[i][k] / w[i]);
  expected_counts(s, data, [&](const Vec& x, std::size_t i, LD g) {
    for (std::size_t k = 0; k < d; ++k) {
      const LD dev = x[k] - static_cast<LD>(out.means[i][k]);
      sq[i][k] += g * dev * dev;
    }
  });
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < d; ++k)
      if (w[i] > 0) out.vars[i][k] = std::max(static_cast<double>(sq[i][k] / w[i]), o.variance_floor);
  return out;
}

void check_same(const Mat& got, const Mat& want, double tol) {
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i)
    for (std::size_t j = 0; j < got[i].size(); ++j) {
      INFO("[" << i << "][" << j << "]");
      CHECK(std::fabs(got[i][j] - want[i][j]) <= tol * std::max(1.0, std::fabs(want[i][j])));
    }
}
void check_same(const CatSpec& got, const CatSpec& want, double tol) {
  check_same(Mat{got.chain.pi}, Mat{want.chain.pi}, tol);
  check_same(got.chain.a, want.chain.a, tol);
  check_same(got.b, want.b, tol);
}
void check_same(const GaussSpec& got, const GaussSpec& want, double tol) {
  check_same(Mat{got.chain.pi}, Mat{want.chain.pi}, tol);
  check_same(got.chain.a, want.chain.a, tol);
  check_same(got.means, want.means, tol);
  check_same(got.vars, want.vars, tol);
}

// log-likelihood of a data set by the long double reference forward pass.
template <class Spec, class Obs>
LD reference_loglik(const Spec& s, const std::vector<Obs>& data) {
  LD total = 0;
  for (const auto& obs : data) {
    const LMat l = lik(s, obs);
    total += forward(s.chain, obs.size(), [&](std::size_t t, std::size_t i) { return l[t][i]; });
  }
  return total;
}

// Structural properties every fitted model must keep: rows sum to 1, zeros stay zero.
void check_rows(const Mat& got, const Mat& before) {
  for (std::size_t i = 0; i < got.size(); ++i) {
    double s = 0;
    for (std::size_t j = 0; j < got[i].size(); ++j) {
      s += got[i][j];
      CHECK(got[i][j] >= 0.0);
      if (before[i][j] == 0.0) CHECK(got[i][j] == 0.0);
    }
    CHECK(s == Approx(1.0).margin(1e-12));
  }
}
}  // namespace

TEST_CASE("fit: one iteration is the exact M-step of enumerated posteriors (categorical)", "[core][fit][brute]") {
  for (Shape shape : {Shape::dense, Shape::sparse, Shape::left_right})
    for (std::uint64_t seed = 0; seed < 3; ++seed)
      for (int with_prior = 0; with_prior < 2; ++with_prior) {
        Gen g(seed * 17 + static_cast<std::uint64_t>(shape) * 1000 + static_cast<std::uint64_t>(with_prior));
        const CatSpec start = random_cat(g, 3, 3, shape);
        // Dense: data from another model. Otherwise from the start model (so it is possible under it).
        const CatSpec source = shape == Shape::dense ? random_cat(g, 3, 3, shape) : start;
        std::vector<std::vector<int>> data;
        for (std::size_t T : {3u, 6u, 1u, 5u, 4u}) data.push_back(sample_obs(source, g, T));
        FitOptions o;
        o.max_iterations = 1;
        if (with_prior) o.initial_pseudocount = 0.5, o.transition_pseudocount = 0.25, o.emission_pseudocount = 1.5;
        LD l0 = 0, l1 = 0;
        const CatSpec want = em_step(start, data, o, l0);
        em_step(want, data, o, l1);
        auto m = build(start);
        const FitReport r = m.fit(data, o).value();
        INFO(shape_name(shape) << " seed=" << seed << " prior=" << with_prior);
        check_same(spec_of(m), want, 1e-10);
        REQUIRE(r.log_likelihoods.size() == 2);
        CHECK(r.iterations == 1);
        CHECK(near(r.log_likelihoods[0], l0, 1e-10));
        CHECK(near(r.log_likelihoods[1], l1, 1e-10));
      }
}

TEST_CASE("fit: one iteration is the exact M-step of enumerated posteriors (Gaussian)", "[core][fit][brute]") {
  for (Shape shape : {Shape::dense, Shape::sparse, Shape::left_right})
    for (std::uint64_t seed = 0; seed < 3; ++seed) {
      Gen g(seed * 23 + static_cast<std::uint64_t>(shape) * 500);
      const GaussSpec start = random_gauss(g, 3, 2, shape);
      const GaussSpec source = random_gauss(g, 3, 2, Shape::dense);
      std::vector<Mat> data;
      for (std::size_t T : {4u, 2u, 6u, 5u}) data.push_back(sample_obs(source, g, T));
      FitOptions o;
      o.max_iterations = 1;
      o.variance_floor = seed == 2 ? 0.6 : 1e-6;  // seed 2: the floor binds for some states
      if (seed == 1) o.initial_pseudocount = 1.0, o.transition_pseudocount = 0.5;
      LD l0 = 0, l1 = 0;
      const GaussSpec want = em_step(start, data, o, l0);
      em_step(want, data, o, l1);
      auto m = build(start);
      const FitReport r = m.fit(data, o).value();
      INFO(shape_name(shape) << " seed=" << seed);
      check_same(spec_of(m), want, 1e-10);
      REQUIRE(r.log_likelihoods.size() == 2);
      CHECK(near(r.log_likelihoods[0], l0, 1e-10));
      CHECK(near(r.log_likelihoods[1], l1, 1e-10));
    }
}

TEST_CASE("fit: one iteration on long sequences matches a long double forward-backward", "[core][fit]") {
  // Long enough that the scaled passes rescale many times inside each sequence.
  for (std::uint64_t seed = 0; seed < 2; ++seed) {
    Gen g(seed + 4000);
    const CatSpec cat = random_cat(g, 3, 4, Shape::dense), csrc = random_cat(g, 3, 4, Shape::dense);
    const GaussSpec gauss = random_gauss(g, 2, 2, Shape::dense), gsrc = random_gauss(g, 2, 2, Shape::dense);
    std::vector<std::vector<int>> cdata;
    std::vector<Mat> gdata;
    for (std::size_t T : {700u, 350u, 9u}) {
      cdata.push_back(sample_obs(csrc, g, T));
      gdata.push_back(sample_obs(gsrc, g, T));
    }
    FitOptions o;
    o.max_iterations = 1;
    LD l0 = 0, l1 = 0;
    const CatSpec cwant = em_step(cat, cdata, o, l0);
    auto cm = build(cat);
    const auto cr = cm.fit(cdata, o).value();
    INFO("seed=" << seed);
    check_same(spec_of(cm), cwant, 1e-10);
    CHECK(near(cr.log_likelihoods[0], l0, 1e-12));
    em_step(cwant, cdata, o, l1);
    CHECK(near(cr.log_likelihoods[1], l1, 1e-10));
    const GaussSpec gwant = em_step(gauss, gdata, o, l0);
    auto gm = build(gauss);
    const auto gr = gm.fit(gdata, o).value();
    check_same(spec_of(gm), gwant, 1e-10);
    CHECK(near(gr.log_likelihoods[0], l0, 1e-12));
  }
}

namespace {
// Runs many EM iterations (no early stop) and checks monotonicity and model invariants.
template <class Spec, class Obs>
void check_em_run(const Spec& start, const std::vector<Obs>& data, FitOptions o) {
  o.max_iterations = 25;
  o.tolerance = -kInf;  // never "converged": every iteration is reported
  auto m = build(start);
  const FitReport r = m.fit(data, o).value();
  REQUIRE(r.iterations == 25);
  REQUIRE(r.log_likelihoods.size() == 26);
  CHECK_FALSE(r.converged);
  for (std::size_t k = 1; k < r.log_likelihoods.size(); ++k) {
    INFO("iteration " << k << ": " << r.log_likelihoods[k - 1] << " -> " << r.log_likelihoods[k]);
    CHECK(std::isfinite(r.log_likelihoods[k]));
    CHECK(r.log_likelihoods[k] >= r.log_likelihoods[k - 1] - 1e-9 * std::fabs(r.log_likelihoods[k - 1]));
  }
  CHECK(r.log_likelihoods.back() > r.log_likelihoods.front());
  // L0 is the start model's log-likelihood, the last entry the returned model's.
  const Spec fitted = spec_of(m);
  CHECK(near(r.log_likelihoods.front(), reference_loglik(start, data), 1e-11));
  CHECK(near(r.log_likelihoods.back(), reference_loglik(fitted, data), 1e-11));
  check_rows(Mat{fitted.chain.pi}, Mat{start.chain.pi});
  check_rows(fitted.chain.a, start.chain.a);
  if constexpr (std::is_same_v<Spec, CatSpec>) {
    check_rows(fitted.b, start.b);
  } else {
    for (const auto& row : fitted.vars)
      for (double v : row) CHECK(v >= o.variance_floor);
  }
}
}  // namespace

TEST_CASE("fit: the log-likelihood never decreases - rows stay distributions, zeros stay zero", "[core][fit][em]") {
  for (std::uint64_t seed = 0; seed < 3; ++seed) {
    Gen g(seed + 77);
    std::vector<std::size_t> lengths;
    for (std::size_t k = 0; k < 12; ++k) lengths.push_back(5 + g.below(300));  // long ones rescale
    INFO("seed=" << seed);
    {  // dense start, data from a different model
      const CatSpec start = random_cat(g, 3, 4, Shape::dense), source = random_cat(g, 3, 4, Shape::dense);
      std::vector<std::vector<int>> data;
      for (std::size_t T : lengths) data.push_back(sample_obs(source, g, T));
      check_em_run(start, data, {});
    }
    {  // sparse: data from the same zero pattern, start from other values on that pattern
      const CatSpec source = random_cat(g, 3, 4, Shape::sparse);
      CatSpec start = source;
      for (auto* rows : {&start.chain.a, &start.b})
        for (auto& row : *rows) {
          double s = 0;
          for (double& x : row) s += (x = x > 0 ? g.uniform(0.1, 1.0) : 0.0);
          for (double& x : row) x /= s;
        }
      std::vector<std::vector<int>> data;
      for (std::size_t T : lengths) data.push_back(sample_obs(source, g, T));
      check_em_run(start, data, {});
    }
    for (Shape shape : {Shape::dense, Shape::left_right}) {  // Gaussian, data from another model
      const GaussSpec start = random_gauss(g, 3, 2, shape), source = random_gauss(g, 3, 2, Shape::dense);
      std::vector<Mat> data;
      for (std::size_t T : lengths) data.push_back(sample_obs(source, g, T));
      FitOptions o;
      o.variance_floor = 0.05;
      check_em_run(start, data, o);
    }
  }
}

TEST_CASE("fit: report fields and convergence semantics", "[core][fit]") {
  Gen g(3);
  const CatSpec start = random_cat(g, 2, 3, Shape::dense), source = random_cat(g, 2, 3, Shape::dense);
  std::vector<std::vector<int>> data;
  for (int k = 0; k < 8; ++k) data.push_back(sample_obs(source, g, 40));

  SECTION("max_iterations = 0 evaluates the model and leaves it unchanged") {
    auto m = build(start);
    FitOptions o;
    o.max_iterations = 0;
    const auto r = m.fit(data, o).value();
    CHECK(r.iterations == 0);
    CHECK_FALSE(r.converged);
    REQUIRE(r.log_likelihoods.size() == 1);
    CHECK(near(r.log_likelihoods[0], reference_loglik(start, data), 1e-12));
    check_same(spec_of(m), start, 0.0);
  }
  SECTION("converged: the last gain is below the tolerance, every earlier one is not") {
    for (double tol : {1e-1, 1e-3, 1e-6}) {
      auto m = build(start);
      FitOptions o;
      o.tolerance = tol;
      o.max_iterations = 20000;
      std::vector<std::pair<std::size_t, double>> seen;
      o.progress = [&](std::size_t k, double ll) { seen.emplace_back(k, ll); };
      const auto r = m.fit(data, o).value();
      INFO("tolerance " << tol);
      REQUIRE(r.converged);
      REQUIRE(r.log_likelihoods.size() == r.iterations + 1);
      REQUIRE(r.iterations >= 1);
      const auto& L = r.log_likelihoods;
      CHECK(L[r.iterations] - L[r.iterations - 1] < tol);
      for (std::size_t k = 1; k < r.iterations; ++k) CHECK(L[k] - L[k - 1] >= tol);
      // progress sees every reported value, in order.
      REQUIRE(seen.size() == L.size());
      for (std::size_t k = 0; k < L.size(); ++k) CHECK((seen[k].first == k && seen[k].second == L[k]));
    }
  }
  SECTION("max_iterations reached: not converged, K + 1 values") {
    auto m = build(start);
    FitOptions o;
    o.tolerance = 1e-300;
    o.max_iterations = 4;
    const auto r = m.fit(data, o).value();
    CHECK_FALSE(r.converged);
    CHECK(r.iterations == 4);
    CHECK(r.log_likelihoods.size() == 5);
    CHECK(near(r.log_likelihoods.back(), reference_loglik(spec_of(m), data), 1e-12));
  }
}

TEST_CASE("fit: a state with no expected count keeps its rows", "[core][fit]") {
  // State 2 is unreachable (pi_2 = 0, A[i][2] = 0): gamma_t(2) = 0 for every t.
  const Chain chain{{0.3, 0.7, 0.0}, {{0.6, 0.4, 0.0}, {0.5, 0.5, 0.0}, {0.2, 0.3, 0.5}}};
  Gen g(11);
  SECTION("categorical") {
    const CatSpec start{chain, {{0.5, 0.3, 0.2}, {0.1, 0.6, 0.3}, {0.25, 0.25, 0.5}}};
    const CatSpec source{chain, {{0.8, 0.1, 0.1}, {0.1, 0.1, 0.8}, {0.3, 0.3, 0.4}}};
    std::vector<std::vector<int>> data;
    for (int k = 0; k < 6; ++k) data.push_back(sample_obs(source, g, 30));
    auto m = build(start);
    FitOptions o;
    o.max_iterations = 10;
    REQUIRE(m.fit(data, o).has_value());
    const CatSpec got = spec_of(m);
    CHECK(got.chain.a[2] == start.chain.a[2]);
    CHECK(got.b[2] == start.b[2]);
    CHECK(got.chain.pi[2] == 0.0);
    CHECK(got.chain.a[0][2] == 0.0);
    CHECK(got.b[0] != start.b[0]);  // the visited rows did move
  }
  SECTION("Gaussian") {
    const GaussSpec start{chain, {{-1.0}, {1.0}, {5.0}}, {{1.0}, {1.0}, {0.25}}};
    const GaussSpec source{chain, {{-2.0}, {2.0}, {0.0}}, {{0.5}, {0.5}, {1.0}}};
    std::vector<Mat> data;
    for (int k = 0; k < 6; ++k) data.push_back(sample_obs(source, g, 30));
    auto m = build(start);
    FitOptions o;
    o.max_iterations = 10;
    REQUIRE(m.fit(data, o).has_value());
    const GaussSpec got = spec_of(m);
    CHECK(got.chain.a[2] == start.chain.a[2]);
    CHECK(got.means[2] == start.means[2]);
    CHECK(got.vars[2] == start.vars[2]);
    CHECK(got.means[0] != start.means[0]);
  }
}

TEST_CASE("fit: the variance floor binds for a state whose data is constant", "[core][fit]") {
  // One state, every observation 3: the ML variance is exactly 0, so the floor is what remains.
  auto m = make_gaussian_hmm({"only"}, {1.0}, {{1.0}}, {{0.0, 1.0}}, {{2.0, 1.0}}).value();
  const std::vector<std::vector<double>> seq(20, std::vector<double>{3.0, 1.0});
  FitOptions o;
  o.variance_floor = 1e-3;
  o.max_iterations = 3;
  REQUIRE(m.fit(std::vector<std::vector<std::vector<double>>>{seq}, o).has_value());
  CHECK(m.emission().mean(0, 0) == 3.0);
  CHECK(m.emission().mean(0, 1) == 1.0);
  CHECK(m.emission().variance(0, 0) == 1e-3);
  CHECK(m.emission().variance(0, 1) == 1e-3);
}

TEST_CASE("fit: threads = 1 and threads = 2 give bit-identical models and reports", "[core][fit][threads]") {
  Gen g(99);
  const CatSpec cs = random_cat(g, 3, 5, Shape::dense), csrc = random_cat(g, 3, 5, Shape::dense);
  const GaussSpec gs = random_gauss(g, 3, 2, Shape::dense), gsrc = random_gauss(g, 3, 2, Shape::dense);
  std::vector<std::vector<int>> cdata;
  std::vector<Mat> gdata;
  for (int k = 0; k < 40; ++k) {
    cdata.push_back(sample_obs(csrc, g, 3 + g.below(60)));
    gdata.push_back(sample_obs(gsrc, g, 3 + g.below(60)));
  }
  FitOptions o1, o2;
  o1.max_iterations = o2.max_iterations = 8;
  o1.threads = 1;
  o2.threads = 2;
  auto c1 = build(cs), c2 = build(cs);
  auto g1 = build(gs), g2 = build(gs);
  CHECK(c1.fit(cdata, o1).value().log_likelihoods == c2.fit(cdata, o2).value().log_likelihoods);
  CHECK(g1.fit(gdata, o1).value().log_likelihoods == g2.fit(gdata, o2).value().log_likelihoods);
  check_same(spec_of(c1), spec_of(c2), 0.0);
  check_same(spec_of(g1), spec_of(g2), 0.0);
}

TEST_CASE("fit: recovers the generating parameters from plenty of data", "[core][fit][recovery]") {
  const Chain truth_chain{{0.6, 0.4}, {{0.9, 0.1}, {0.2, 0.8}}};
  const Chain start_chain{{0.5, 0.5}, {{0.7, 0.3}, {0.4, 0.6}}};
  Gen g(2024);
  SECTION("categorical") {
    const CatSpec truth{truth_chain, {{0.7, 0.2, 0.1}, {0.1, 0.2, 0.7}}};
    std::vector<std::vector<int>> data;
    for (int k = 0; k < 400; ++k) data.push_back(sample_obs(truth, g, 100));
    auto m = build(CatSpec{start_chain, {{0.5, 0.3, 0.2}, {0.2, 0.3, 0.5}}});
    FitOptions o;
    o.max_iterations = 300;
    o.tolerance = 1e-7;
    REQUIRE(m.fit(data, o).value().converged);
    const CatSpec got = spec_of(m);
    check_same(got.chain.a, truth.chain.a, 0.03);
    check_same(got.b, truth.b, 0.03);
    check_same(Mat{got.chain.pi}, Mat{truth.chain.pi}, 0.1);  // only 400 first steps
  }
  SECTION("Gaussian") {
    const GaussSpec truth{truth_chain, {{-1.0, 0.5}, {1.5, -0.5}}, {{0.5, 1.0}, {1.0, 0.3}}};
    std::vector<Mat> data;
    for (int k = 0; k < 200; ++k) data.push_back(sample_obs(truth, g, 100));
    auto m = build(GaussSpec{start_chain, {{-0.5, 0.0}, {0.5, 0.0}}, {{1.0, 1.0}, {1.0, 1.0}}});
    FitOptions o;
    o.max_iterations = 300;
    o.tolerance = 1e-7;
    REQUIRE(m.fit(data, o).value().converged);
    const GaussSpec got = spec_of(m);
    check_same(got.chain.a, truth.chain.a, 0.03);
    check_same(got.means, truth.means, 0.05);
    check_same(got.vars, truth.vars, 0.05);
  }
}

TEST_CASE("fit: errors name the sequence and leave the model unchanged", "[core][fit][errors]") {
  const CatSpec spec{{{1.0, 0.0}, {{1.0, 0.0}, {0.5, 0.5}}}, {{0.5, 0.5, 0.0}, {0.2, 0.3, 0.5}}};
  auto m = build(spec);
  SECTION("no observations") {
    const auto r = m.fit(std::vector<std::vector<int>>{}, {});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::empty_sequence);
    const auto r2 = m.fit(std::vector<std::vector<int>>{{}, {}}, {});
    REQUIRE_FALSE(r2.has_value());
    CHECK(r2.error().code == Errc::empty_sequence);
  }
  SECTION("impossible sequence") {
    // Symbol 2 needs state 1, which is unreachable from state 0 (A_01 = 0).
    const std::vector<std::vector<int>> data{{0, 1, 0}, {1, 1}, {0, 0, 2, 1}};
    for (std::size_t threads : {1u, 2u}) {
      FitOptions o;
      o.threads = threads;
      const auto r = m.fit(data, o);
      REQUIRE_FALSE(r.has_value());
      CHECK(r.error().code == Errc::impossible_sequence);
      CHECK(r.error().where == "sequence 2, observations[2]");
      check_same(spec_of(m), spec, 0.0);
    }
  }
  SECTION("unknown symbol") {
    const auto r = m.fit(std::vector<std::vector<int>>{{0, 1}, {0, 1, 7}}, {});
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::unknown_symbol);
    CHECK(r.error().where == "sequence 1, observations[2]");
    CHECK(r.error().col == 2);
    check_same(spec_of(m), spec, 0.0);
  }
}
