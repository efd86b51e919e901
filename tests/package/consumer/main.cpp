// Prints P([6,6,6,1,2]) for the crate's fair/loaded die; the test checks the digits.
#include <cstdio>
#include <hanzo/hmm/hmm.hpp>

int main() {
  const double s = 1.0 / 6.0;
  auto m = hanzo::hmm::make_categorical_hmm<int>({"Fair", "Loaded"}, {1, 2, 3, 4, 5, 6}, {0.5, 0.5},
                                                 {{0.7, 0.3}, {0.4, 0.6}},
                                                 {{s, s, s, s, s, s}, {0.1, 0.1, 0.1, 0.1, 0.1, 0.5}});
  if (!m) return 1;
  const std::vector<int> rolls{6, 6, 6, 1, 2};
  std::printf("%.4g\n", m->probability(rolls).value());
}
