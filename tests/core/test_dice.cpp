// The Rust crate's README example, ported: the fair/loaded die.
#include <catch2/catch.hpp>

#include "hanzo/hmm/hmm.hpp"

using namespace hanzo::hmm;

namespace {
CategoricalHmm<int> dice() {
  const double s = 1.0 / 6.0;
  return make_categorical_hmm<int>({"Fair", "Loaded"}, {1, 2, 3, 4, 5, 6}, {0.5, 0.5}, {{0.7, 0.3}, {0.4, 0.6}},
                                   {{s, s, s, s, s, s}, {0.1, 0.1, 0.1, 0.1, 0.1, 0.5}})
      .value();
}
}  // namespace

TEST_CASE("dice: README example decodes and scores as the crate documents", "[core][dice]") {
  const auto m = dice();
  const std::vector<int> rolls{6, 6, 6, 1, 2};
  const auto v = m.viterbi(rolls).value();
  std::vector<std::string> names;
  for (auto s : v.path) names.push_back(m.states()[s]);
  CHECK(names == std::vector<std::string>{"Loaded", "Loaded", "Loaded", "Fair", "Fair"});
  // 7.113e-4 to 4 significant digits.
  CHECK(m.probability(rolls).value() == Approx(7.113e-4).epsilon(5e-5));
}
