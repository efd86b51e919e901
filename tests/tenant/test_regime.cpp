// RegimeFilter: request observations update the tenant's regime belief; wrong input is refused
// with a reason; a request without observations advances the belief by the transition matrix.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace tenant_test;

namespace {
const GaussianHmm& default_model() {
  static const GaussianHmm m = make_regime_model(RegimeParams{}).value();
  return m;
}
std::vector<double> copy(std::span<const double> s) { return {s.begin(), s.end()}; }
}  // namespace

TEST_CASE("regime: wrong observation length is rejected with a reason, state unchanged", "[tenant][regime]") {
  RegimeFilter f(default_model());
  REQUIRE(f.observe(exploitation_obs()));
  const auto before = copy(f.posterior());
  const auto steps = f.steps();
  auto r = f.observe({1.0, 2.0, 3.0});
  REQUIRE_FALSE(r);
  CHECK(r.error().code == Errc::wrong_dimension);
  CHECK(r.error().to_string() == "observations: has 3 values, expected 4");
  r = f.observe({1.0, std::nan(""), 0.0, 0.0});
  REQUIRE_FALSE(r);
  CHECK(r.error().where == "observations[1]");
  CHECK(copy(f.posterior()) == before);
  CHECK(f.steps() == steps);
}

TEST_CASE("regime: empty observations = one-step prediction (posterior x A)", "[tenant][regime]") {
  const RegimeParams p;
  RegimeFilter f(default_model());
  REQUIRE(f.observe(crisis_obs()));
  REQUIRE(f.observe(exploitation_obs()));
  const auto prev = copy(f.posterior());
  const auto ll = f.log_likelihood();
  const auto r = f.observe({});
  REQUIRE(r);
  std::vector<double> want(4, 0.0);
  for (std::size_t i = 0; i < 4; ++i)
    for (std::size_t j = 0; j < 4; ++j) want[j] += prev[i] * p.transitions[i][j];
  for (std::size_t j = 0; j < 4; ++j) CHECK((*r)[j] == Approx(want[j]).epsilon(1e-12));
  CHECK(f.steps() == 3);
  CHECK(f.log_likelihood() == ll);  // no evidence, no likelihood
}

TEST_CASE("regime: crisis-like observations make crisis the most likely regime", "[tenant][regime]") {
  RegimeFilter f(default_model());
  for (int t = 0; t < 5; ++t) REQUIRE(f.observe(exploitation_obs()));
  CHECK(f.most_likely() == Regime::exploitation);
  for (int t = 0; t < 4; ++t) REQUIRE(f.observe(crisis_obs()));
  CHECK(f.most_likely() == Regime::crisis);
  CHECK(f.posterior()[static_cast<std::size_t>(Regime::crisis)] > 0.9);
  CHECK(to_string(f.most_likely()) == "crisis");
}

TEST_CASE("regime: many models at usual error rates reads as exploration", "[tenant][regime]") {
  RegimeFilter f(default_model());
  for (int t = 0; t < 5; ++t) REQUIRE(f.observe({0.6, 1.6, 0.0, 0.2}));
  CHECK(f.most_likely() == Regime::exploration);
}

TEST_CASE("regime: a fresh filter predicts the initial distribution", "[tenant][regime]") {
  const RegimeParams p;
  RegimeFilter f(default_model());
  std::vector<double> out(4);
  f.predict(0, out);
  for (std::size_t i = 0; i < 4; ++i) CHECK(out[i] == Approx(p.initial[i]));
  CHECK(f.dim() == 4);
  CHECK(f.memory_bytes() >= sizeof(RegimeFilter) + 4 * sizeof(double));
}
