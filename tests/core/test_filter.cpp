// OnlineFilter: equal to the normalised forward variables at every step, predict, skip,
// snapshots, and rejection of bad observations without side effects.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>
#include <optional>

#include "fixtures.hpp"

using namespace hanzo::hmm;
using namespace fx;

namespace {
// Reference normalised alphas and running log-likelihoods; std::nullopt marks a skipped step.
template <class Spec, class Obs>
void reference_run(const Spec& s, const std::vector<std::optional<Obs>>& obs, LMat& alpha, LVec& ll) {
  std::vector<Obs> present;
  for (const auto& o : obs)
    if (o) present.push_back(*o);
  const LMat table = lik(s, present);
  std::vector<std::size_t> index;  // position of step t within `present`
  for (std::size_t t = 0, k = 0; t < obs.size(); ++t) index.push_back(obs[t] ? k++ : SIZE_MAX);
  alpha.clear();
  ll.clear();
  const LD total = forward(
      s.chain, obs.size(), [&](std::size_t t, std::size_t i) { return index[t] == SIZE_MAX ? LD{1} : table[index[t]][i]; },
      [&](std::size_t, const LVec& a, LD l) {
        alpha.push_back(a);
        ll.push_back(l);
      });
  REQUIRE(std::isfinite(static_cast<double>(total)));
}

// P(s_t+k | ...) = belief A^k, in long double.
LVec propagate(const Chain& c, LVec v, std::size_t k) {
  for (std::size_t step = 0; step < k; ++step) {
    LVec next(c.n(), 0);
    for (std::size_t i = 0; i < c.n(); ++i)
      for (std::size_t j = 0; j < c.n(); ++j) next[j] += v[i] * static_cast<LD>(c.a[i][j]);
    v = next;
  }
  return v;
}

template <class F>
void check_belief(const OnlineFilter<F>& f, const LVec& want, double tol) {
  const auto got = f.posterior();
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < want.size(); ++i) CHECK(std::fabs(got[i] - want[i]) <= tol);
}

template <class F>
void check_predictions(const OnlineFilter<F>& f, const Chain& c, const LVec& belief) {
  for (std::size_t k : {0u, 1u, 2u, 5u, 17u}) {
    std::vector<double> out(c.n(), -1.0);
    f.predict(k, out);
    const LVec want = propagate(c, belief, k);
    for (std::size_t i = 0; i < c.n(); ++i) CHECK(std::fabs(out[i] - want[i]) <= 1e-12);
  }
}

// Feeds obs (nullopt = skip) and checks every step against the reference and the batch forward.
template <class Spec, class Obs>
void check_filter_run(const Spec& s, const std::vector<std::optional<Obs>>& obs) {
  LMat alpha;
  LVec ll;
  reference_run(s, obs, alpha, ll);
  const auto m = build(s);
  OnlineFilter<typename decltype(m)::family_type> f(m);
  check_belief(f, LVec(s.chain.pi.begin(), s.chain.pi.end()), 1e-15);  // before any observation: pi
  bool skipped = false;
  std::vector<Obs> prefix;
  for (std::size_t t = 0; t < obs.size(); ++t) {
    INFO("t=" << t);
    if (obs[t]) {
      const auto post = f.update(*obs[t]);
      REQUIRE(post.has_value());
      CHECK(post->data() == f.posterior().data());
      prefix.push_back(*obs[t]);
    } else {
      const double before = f.log_likelihood();
      f.skip();
      CHECK(f.log_likelihood() == before);
      skipped = true;
    }
    CHECK(f.steps() == t + 1);
    check_belief(f, alpha[t], 1e-12);
    CHECK(near(f.log_likelihood(), ll[t], 1e-12));
    // Without gaps the running log-likelihood is the batch forward's. (Not bit-identical: the
    // batch pass rescales lazily by powers of two, the filter normalises every step.)
    if (!skipped && t % 7 == 0) CHECK(near(f.log_likelihood(), m.forward(prefix).value(), 1e-13));
    if (t % 9 == 0) check_predictions(f, s.chain, alpha[t]);
  }
}

template <class Obs>
std::vector<std::optional<Obs>> all_present(const std::vector<Obs>& v) {
  return {v.begin(), v.end()};
}
}  // namespace

TEST_CASE("filter: posteriors and log-likelihood equal the forward pass at every step", "[core][filter]") {
  for (std::uint64_t seed = 0; seed < 3; ++seed) {
    Gen g(seed + 300);
    INFO("seed=" << seed);
    for (Shape shape : {Shape::dense, Shape::sparse, Shape::left_right}) {
      const CatSpec cat = random_cat(g, 3, 4, shape);
      check_filter_run(cat, all_present(sample_obs(cat, g, 150)));
    }
    const GaussSpec gauss = random_gauss(g, 3, 2, Shape::dense);
    check_filter_run(gauss, all_present(sample_obs(gauss, g, 150)));
  }
}

TEST_CASE("filter: skip() is a step with no observation", "[core][filter]") {
  Gen g(8);
  const CatSpec cat = random_cat(g, 3, 3, Shape::dense);
  auto obs = all_present(sample_obs(cat, g, 60));
  for (std::size_t t = 0; t < obs.size(); t += 4) obs[t].reset();  // includes a skip at step 0
  obs[1].reset();
  check_filter_run(cat, obs);
  const GaussSpec gauss = random_gauss(g, 2, 1, Shape::left_right);
  auto gobs = all_present(sample_obs(gauss, g, 40));
  for (std::size_t t = 3; t < gobs.size(); t += 5) gobs[t].reset();
  check_filter_run(gauss, gobs);
}

TEST_CASE("filter: predict before any observation propagates pi", "[core][filter]") {
  Gen g(12);
  const CatSpec cat = random_cat(g, 3, 2, Shape::sparse);
  const auto m = build(cat);
  OnlineFilter<Categorical<int>> f(m);
  check_predictions(f, cat.chain, LVec(cat.chain.pi.begin(), cat.chain.pi.end()));
  std::vector<double> small(2, -1.0);  // a shorter output receives the first entries only
  f.predict(1, small);
  const LVec want = propagate(cat.chain, LVec(cat.chain.pi.begin(), cat.chain.pi.end()), 1);
  CHECK(std::fabs(small[1] - want[1]) <= 1e-15);
}

TEST_CASE("filter: state() / restore() continue bit-identically", "[core][filter]") {
  Gen g(21);
  const GaussSpec spec = random_gauss(g, 3, 2, Shape::dense);
  const auto m = build(spec);
  const Mat obs = sample_obs(spec, g, 200);
  OnlineFilter<DiagonalGaussian> a(m);
  for (std::size_t t = 0; t < 100; ++t) REQUIRE(a.update(obs[t]).has_value());
  const auto snap = a.state();
  REQUIRE(snap.belief.size() == 3);
  std::vector<std::vector<double>> post;
  std::vector<double> lls;
  for (std::size_t t = 100; t < 200; ++t) {
    const auto p = a.update(obs[t]).value();
    post.emplace_back(p.begin(), p.end());
    lls.push_back(a.log_likelihood());
  }
  const auto replay = [&](OnlineFilter<DiagonalGaussian>& f) {
    REQUIRE(f.restore(snap).has_value());
    CHECK(f.steps() == 100);
    for (std::size_t t = 100; t < 200; ++t) {
      const auto p = f.update(obs[t]).value();
      CHECK(std::vector<double>(p.begin(), p.end()) == post[t - 100]);
      CHECK(f.log_likelihood() == lls[t - 100]);
    }
    CHECK(f.steps() == 200);
  };
  OnlineFilter<DiagonalGaussian> b(m);
  replay(b);  // a fresh filter
  replay(a);  // the same filter, rewound
  // A snapshot of the wrong size is rejected and changes nothing.
  auto bad = snap;
  bad.belief.push_back(0.0);
  const auto before = a.state();
  const auto r = a.restore(bad);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == Errc::invalid_dimension);
  CHECK(r.error().where == "belief");
  CHECK(a.state().belief == before.belief);
  CHECK(a.steps() == 200);
  // reset() returns to the initial distribution.
  a.reset();
  CHECK(a.steps() == 0);
  CHECK(a.log_likelihood() == 0.0);
  check_belief(a, LVec(spec.chain.pi.begin(), spec.chain.pi.end()), 1e-15);
}

namespace {
template <class F>
struct Snapshot {
  std::vector<double> belief;
  double ll;
  std::uint64_t steps;
  explicit Snapshot(const OnlineFilter<F>& f)
      : belief(f.posterior().begin(), f.posterior().end()), ll(f.log_likelihood()), steps(f.steps()) {}
  bool operator==(const Snapshot&) const = default;
};
}  // namespace

TEST_CASE("filter: an invalid or impossible observation is an error and changes nothing", "[core][filter]") {
  SECTION("categorical") {
    // a emits only x, b only y, no switching: after x, y is impossible.
    const auto m = make_categorical_hmm<char>({"a", "b"}, {'x', 'y', 'z'}, {0.5, 0.5}, {{1.0, 0.0}, {0.0, 1.0}},
                                              {{0.9, 0.0, 0.1}, {0.0, 0.8, 0.2}})
                       .value();
    OnlineFilter<Categorical<char>> f(m);
    const Snapshot<Categorical<char>> fresh(f);
    auto r = f.update('q');
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::unknown_symbol);
    CHECK(Snapshot<Categorical<char>>(f) == fresh);
    REQUIRE(f.update('x').has_value());
    REQUIRE(f.update('z').has_value());
    const Snapshot<Categorical<char>> good(f);
    r = f.update('y');
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == Errc::impossible_sequence);
    CHECK(Snapshot<Categorical<char>>(f) == good);
    // It continues exactly like a filter that never saw the bad observation.
    OnlineFilter<Categorical<char>> clean(m);
    for (char c : {'x', 'z', 'x', 'x'}) REQUIRE(clean.update(c).has_value());
    REQUIRE(f.update('x').has_value());
    REQUIRE(f.update('x').has_value());
    CHECK(Snapshot<Categorical<char>>(f) == Snapshot<Categorical<char>>(clean));
  }
  SECTION("impossible first observation") {
    const auto m = make_categorical_hmm<int>({"a", "b"}, {0, 1}, {1.0, 0.0}, {{0.5, 0.5}, {0.5, 0.5}},
                                             {{1.0, 0.0}, {0.0, 1.0}})
                       .value();
    OnlineFilter<Categorical<int>> f(m);
    const Snapshot<Categorical<int>> fresh(f);
    CHECK(f.update(1).error().code == Errc::impossible_sequence);
    CHECK(Snapshot<Categorical<int>>(f) == fresh);
    REQUIRE(f.update(0).has_value());
    REQUIRE(f.update(1).has_value());  // possible once a step has passed
  }
  SECTION("Gaussian") {
    const auto m = make_gaussian_hmm({"a", "b"}, {0.5, 0.5}, {{0.9, 0.1}, {0.1, 0.9}}, {{0.0, 0.0}, {1.0, 1.0}},
                                     {{1.0, 1.0}, {1.0, 1.0}})
                       .value();
    OnlineFilter<DiagonalGaussian> f(m);
    REQUIRE(f.update({0.3, 0.2}).has_value());
    const Snapshot<DiagonalGaussian> good(f);
    CHECK(f.update({0.3}).error().code == Errc::wrong_dimension);
    CHECK(f.update({0.3, 0.1, 0.0}).error().code == Errc::wrong_dimension);
    CHECK(f.update({0.3, std::nan("")}).error().code == Errc::invalid_value);
    CHECK(f.update({std::numeric_limits<double>::infinity(), 0.0}).error().code == Errc::invalid_value);
    CHECK(Snapshot<DiagonalGaussian>(f) == good);
  }
}
