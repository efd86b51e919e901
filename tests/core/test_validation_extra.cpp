// Fit options and filter snapshots are validated before they can do damage.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "hanzo/hmm/hmm.hpp"

using namespace hanzo::hmm;

namespace {
CategoricalHmm<int> coin() {
  return make_categorical_hmm<int>({"a", "b"}, {0, 1}, {0.5, 0.5}, {{0.9, 0.1}, {0.2, 0.8}}, {{0.8, 0.2}, {0.3, 0.7}})
      .value();
}
}  // namespace

TEST_CASE("fit options: bad values are errors naming the option, the model is unchanged", "[core][fit]") {
  auto m = coin();
  const std::vector<std::vector<int>> data{{0, 1, 1, 0, 1}};
  const double nan = std::numeric_limits<double>::quiet_NaN();
  struct Case {
    const char* field;
    FitOptions options;
  };
  std::vector<Case> cases(5);
  cases[0] = {"options.variance_floor", {}};
  cases[0].options.variance_floor = 0.0;
  cases[1] = {"options.variance_floor", {}};
  cases[1].options.variance_floor = nan;
  cases[2] = {"options.tolerance", {}};
  cases[2].options.tolerance = nan;
  cases[3] = {"options.transition_pseudocount", {}};
  cases[3].options.transition_pseudocount = -1.0;
  cases[4] = {"options.emission_pseudocount", {}};
  cases[4].options.emission_pseudocount = std::numeric_limits<double>::infinity();
  for (const auto& c : cases) {
    auto r = m.fit(data, c.options);
    REQUIRE(!r);
    CHECK(r.error().where == c.field);
    CHECK(m.chain().transition(0, 0) == 0.9);
  }
  FitOptions ok;
  ok.tolerance = -std::numeric_limits<double>::infinity();  // run every iteration
  ok.max_iterations = 2;
  auto r = m.fit(data, ok);
  REQUIRE(r);
  CHECK(r->iterations == 2);
}

TEST_CASE("filter restore: a belief that is not a distribution is rejected", "[core][filter]") {
  const auto m = coin();
  OnlineFilter<Categorical<int>> f(m);
  REQUIRE(f.update(1));
  const auto good = f.state();
  auto s = good;
  s.belief = {0.5, std::nan("")};
  CHECK(f.restore(s).error().where == "belief[1]");
  s.belief = {-0.1, 1.1};
  CHECK(f.restore(s).error().where == "belief[0]");
  s.belief = {0.3, 0.3};
  CHECK(f.restore(s).error().code == Errc::not_normalised);
  // The filter is unchanged by the failed restores.
  CHECK(f.state().belief == good.belief);
  REQUIRE(f.restore(good));
}
