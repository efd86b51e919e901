// generate(): reproducible per seed, and its empirical frequencies follow the model.
#include <catch2/catch.hpp>

#include <cmath>

#include "fixtures.hpp"

using namespace hanzo::hmm;
using namespace fx;

namespace {
// Pearson chi-square of counts against probabilities; cells with p = 0 must be empty.
double chi_square(const std::vector<double>& counts, const Vec& p) {
  double total = 0.0, x2 = 0.0;
  for (double c : counts) total += c;
  for (std::size_t k = 0; k < p.size(); ++k) {
    if (p[k] == 0.0) {
      CHECK(counts[k] == 0.0);
      continue;
    }
    const double e = total * p[k];
    x2 += (counts[k] - e) * (counts[k] - e) / e;
  }
  return x2;
}
// Far in the tail for k degrees of freedom (mean k, sd sqrt(2k)); the seeds are fixed anyway.
double loose_bound(std::size_t k) { return static_cast<double>(k) + 6.0 * std::sqrt(2.0 * static_cast<double>(k)) + 6.0; }

const CatSpec kSparse{{{0.2, 0.0, 0.8}, {{0.5, 0.5, 0.0}, {0.0, 0.3, 0.7}, {0.6, 0.0, 0.4}}},
                      {{0.1, 0.0, 0.9, 0.0}, {0.25, 0.25, 0.25, 0.25}, {0.0, 0.7, 0.1, 0.2}}};
}  // namespace

TEST_CASE("generate: the same seed gives the same sample, other seeds differ", "[core][generate]") {
  const auto m = build(kSparse);
  const auto a = m.generate(500, 42), b = m.generate(500, 42), c = m.generate(500, 43);
  CHECK(a.states == b.states);
  CHECK(a.observations == b.observations);
  CHECK(a.states != c.states);
  CHECK(a.observations.size() == 500);
  CHECK(m.generate(0, 1).states.empty());
  // A prefix of a longer sample is the shorter sample.
  const auto longer = m.generate(800, 42);
  CHECK(std::vector<std::size_t>(longer.states.begin(), longer.states.begin() + 500) == a.states);
  const auto g = build(GaussSpec{kSparse.chain, {{0.0}, {1.0}, {2.0}}, {{1.0}, {1.0}, {1.0}}});
  CHECK(g.generate(300, 7).observations == g.generate(300, 7).observations);
  CHECK(g.generate(300, 7).observations != g.generate(300, 8).observations);
  // Every sample is possible under its model.
  CHECK(std::isfinite(m.forward(a.observations).value()));
}

TEST_CASE("generate: transition, emission and initial frequencies follow the model", "[core][generate]") {
  const auto m = build(kSparse);
  const std::size_t n = 3, k = 4;
  const auto s = m.generate(100'000, 2024);
  std::vector<std::vector<double>> trans(n, std::vector<double>(n, 0.0)), emit(n, std::vector<double>(k, 0.0));
  for (std::size_t t = 0; t < s.states.size(); ++t) {
    emit[s.states[t]][static_cast<std::size_t>(s.observations[t])] += 1;
    if (t > 0) trans[s.states[t - 1]][s.states[t]] += 1;
  }
  // Given the current state, the next state and the symbol are exact multinomial draws.
  for (std::size_t i = 0; i < n; ++i) {
    INFO("state " << i);
    CHECK(chi_square(trans[i], kSparse.chain.a[i]) < loose_bound(n - 1));
    CHECK(chi_square(emit[i], kSparse.b[i]) < loose_bound(k - 1));
  }
  std::vector<double> first(n, 0.0);
  for (std::uint64_t seed = 0; seed < 20'000; ++seed) first[m.generate(1, seed).states[0]] += 1;
  CHECK(chi_square(first, kSparse.chain.pi) < loose_bound(n - 1));
}

TEST_CASE("generate: Gaussian observations have each state's mean and variance", "[core][generate]") {
  const GaussSpec spec{{{0.5, 0.5}, {{0.8, 0.2}, {0.3, 0.7}}}, {{-1.0, 4.0}, {2.5, 0.0}}, {{0.5, 2.0}, {1.5, 0.01}}};
  const auto m = build(spec);
  const auto s = m.generate(100'000, 99);
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t d = 0; d < 2; ++d) {
      double cnt = 0, sum = 0, sq = 0;
      for (std::size_t t = 0; t < s.states.size(); ++t)
        if (s.states[t] == i) {
          const double x = s.observations[t][d];
          cnt += 1, sum += x, sq += x * x;
        }
      const double mean = sum / cnt, var = sq / cnt - mean * mean, v = spec.vars[i][d];
      INFO("state " << i << " dim " << d << " n=" << cnt);
      CHECK(std::fabs(mean - spec.means[i][d]) < 6.0 * std::sqrt(v / cnt));
      CHECK(std::fabs(var - v) < 6.0 * v * std::sqrt(2.0 / cnt));  // sd of a normal sample variance
    }
}
