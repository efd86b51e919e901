// The online filter is meant for hot loops: no heap allocation per step.
#include <catch2/catch.hpp>

#include "alloc_counter.hpp"
#include "fixtures.hpp"

using namespace hanzo::hmm;
using namespace fx;

TEST_CASE("filter: update, skip and predict do not allocate", "[core][filter][alloc]") {
  Gen g(5);
  const CatSpec cat = random_cat(g, 20, 6, Shape::dense);
  const GaussSpec gauss = random_gauss(g, 20, 3, Shape::dense);
  const auto mc = build(cat);
  const auto mg = build(gauss);
  const auto oc = sample_obs(cat, g, 500);
  const auto og = sample_obs(gauss, g, 500);
  OnlineFilter<Categorical<int>> fc(mc);
  OnlineFilter<DiagonalGaussian> fg(mg);
  std::vector<double> out(20);
  bool ok = true;
  const std::size_t before = alloc_counter::count();
  for (std::size_t t = 0; t < oc.size(); ++t) {
    ok = ok && fc.update(oc[t]).has_value() && fg.update(og[t]).has_value();
    if (t % 50 == 0) {
      fc.skip();
      fg.skip();
      fc.predict(3, out);
      fg.predict(3, out);
    }
  }
  const std::size_t allocations = alloc_counter::count() - before;
  CHECK(ok);
  CHECK(allocations == 0);
  // The counter itself works (otherwise the check above proves nothing).
  const std::size_t c0 = alloc_counter::count();
  auto snapshot = fc.state();  // copies the belief: allocates
  CHECK(alloc_counter::count() > c0);
  CHECK(snapshot.belief.size() == 20);
  // Constant size: the filter does not grow with the model.
  CHECK(sizeof(OnlineFilter<Categorical<int>>) <= 128);
}
