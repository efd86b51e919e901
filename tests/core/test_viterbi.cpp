// Viterbi against hand arithmetic and the argmax over all N^T paths; tie-breaking; impossibility.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

#include "fixtures.hpp"

using namespace hanzo::hmm;
using namespace fx;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();

// Checks the reported path and score against enumeration; returns whether the sequence was possible.
template <class Model, class Obs>
bool check_viterbi(const Model& m, const Chain& chain, const LMat& table, const Obs& obs) {
  const Enumeration e = enumerate(chain, table);
  const auto v = m.viterbi(obs).value();
  CHECK_FALSE(std::isnan(v.log_probability));
  if (e.best == 0) {
    CHECK(v.path.empty());
    CHECK(v.log_probability == -kInf);
    return false;
  }
  REQUIRE(v.path.size() == obs.size());
  for (std::size_t s : v.path) REQUIRE(s < chain.n());
  const LD own = path_log_probability(chain, table, v.path);  // the returned path, scored by us
  CHECK(near(v.log_probability, std::log(e.best), 1e-12));
  CHECK(near(v.log_probability, own, 1e-12));
  CHECK(near(own, std::log(e.best), 1e-12));
  return true;
}

// A model with state `clone` an exact copy of state `orig` (same emissions, same outgoing row,
// incoming mass split in equal halves: halving is exact), so every path has an equally likely twin.
template <class Spec>
Spec with_clone(const Spec& base, std::size_t orig) {
  Spec s = base;
  const std::size_t n = base.chain.n();
  s.chain.pi.push_back(0.0);
  s.chain.pi[orig] /= 2;
  s.chain.pi[n] = s.chain.pi[orig];
  for (auto& row : s.chain.a) {
    row.push_back(row[orig] / 2);
    row[orig] /= 2;
  }
  s.chain.a.push_back(s.chain.a[orig]);
  if constexpr (std::is_same_v<Spec, CatSpec>) {
    s.b.push_back(s.b[orig]);
  } else {
    s.means.push_back(s.means[orig]);
    s.vars.push_back(s.vars[orig]);
  }
  return s;
}
}  // namespace

TEST_CASE("viterbi: 2 states, T = 2, by hand", "[core][viterbi]") {
  const auto m = make_categorical_hmm<int>({"a", "b"}, {0, 1}, {0.6, 0.4}, {{0.7, 0.3}, {0.4, 0.6}},
                                           {{0.9, 0.1}, {0.2, 0.8}})
                     .value();
  // delta_0 = (0.6*0.9, 0.4*0.2) = (0.54, 0.08)
  // delta_1(0) = max(0.54*0.7, 0.08*0.4) * 0.1 = 0.378 * 0.1 = 0.0378   (from 0)
  // delta_1(1) = max(0.54*0.3, 0.08*0.6) * 0.8 = 0.162 * 0.8 = 0.1296   (from 0)
  // best: end in 1, path (0, 1), P = 0.1296
  const std::vector<int> obs{0, 1};
  const auto v = m.viterbi(obs).value();
  CHECK(v.path == std::vector<std::size_t>{0, 1});
  CHECK(v.log_probability == Approx(std::log(0.1296)).epsilon(1e-14));
}

TEST_CASE("viterbi: categorical models, path is the argmax over all paths", "[core][viterbi][brute]") {
  int possible = 0, impossible = 0;
  for (Shape shape : {Shape::dense, Shape::sparse, Shape::left_right})
    for (std::size_t n = 1; n <= 3; ++n)
      for (std::uint64_t seed = 0; seed < 4; ++seed) {
        Gen g(seed * 71 + n * 13 + static_cast<std::uint64_t>(shape) + 1000);
        const CatSpec spec = random_cat(g, n, 3, shape);
        const auto m = build(spec);
        for (std::size_t T = 1; T <= 8; ++T)
          for (int kind = 0; kind < 2; ++kind) {
            std::vector<int> obs = sample_obs(spec, g, T);
            if (kind == 1)
              for (int& o : obs) o = static_cast<int>(g.below(3));
            INFO(shape_name(shape) << " n=" << n << " seed=" << seed << " T=" << T << " kind=" << kind);
            (check_viterbi(m, spec.chain, lik(spec, obs), obs) ? possible : impossible)++;
          }
      }
  CHECK(possible > 100);
  CHECK(impossible > 10);
}

TEST_CASE("viterbi: Gaussian models, path is the argmax over all paths", "[core][viterbi][brute]") {
  for (Shape shape : {Shape::dense, Shape::sparse, Shape::left_right})
    for (std::size_t n = 1; n <= 3; ++n)
      for (std::size_t d = 1; d <= 2; ++d)
        for (std::uint64_t seed = 0; seed < 3; ++seed) {
          Gen g(seed * 7919 + n * 3 + d * 101 + static_cast<std::uint64_t>(shape));
          const GaussSpec spec = random_gauss(g, n, d, shape);
          const auto m = build(spec);
          for (std::size_t T = 1; T <= 8; T += 1 + (n == 3)) {
            const Mat obs = sample_obs(spec, g, T);
            INFO(shape_name(shape) << " n=" << n << " d=" << d << " seed=" << seed << " T=" << T);
            CHECK(check_viterbi(m, spec.chain, lik(spec, obs), obs));
          }
        }
}

TEST_CASE("viterbi: exact ties go to the smallest state index", "[core][viterbi][ties]") {
  SECTION("identical states: the smallest index among the tied best states") {
    const std::vector<int> obs{0, 1, 1, 0, 1};
    // Emissions identical; pi ties a and c at t = 0, then b has the largest A column.
    const auto same = make_categorical_hmm<int>({"a", "b", "c"}, {0, 1}, {0.4, 0.2, 0.4},
                                                {{0.3, 0.4, 0.3}, {0.3, 0.4, 0.3}, {0.3, 0.4, 0.3}},
                                                {{0.3, 0.7}, {0.3, 0.7}, {0.3, 0.7}})
                          .value();
    // Backtracking from b meets the a/c tie at t = 0: a wins.
    CHECK(same.viterbi(obs).value().path == std::vector<std::size_t>{0, 1, 1, 1, 1});
    const auto uniform = make_categorical_hmm<int>({"a", "b"}, {0, 1}, {0.5, 0.5}, {{0.5, 0.5}, {0.5, 0.5}},
                                                   {{0.3, 0.7}, {0.3, 0.7}})
                             .value();
    // Every path has the same probability: all zeros.
    CHECK(uniform.viterbi(obs).value().path == std::vector<std::size_t>(5, 0));
    // b and c tie and beat a everywhere: b (index 1) wins every step.
    const auto bc = make_categorical_hmm<int>({"a", "b", "c"}, {0, 1}, {0.2, 0.4, 0.4},
                                              {{0.2, 0.4, 0.4}, {0.2, 0.4, 0.4}, {0.2, 0.4, 0.4}},
                                              {{0.3, 0.7}, {0.3, 0.7}, {0.3, 0.7}})
                        .value();
    CHECK(bc.viterbi(obs).value().path == std::vector<std::size_t>(5, 1));
  }
  SECTION("random models with a cloned state: the clone never appears, the score is still optimal") {
    for (std::uint64_t seed = 0; seed < 12; ++seed) {
      Gen g(seed + 4242);
      const std::size_t orig = seed % 2;
      const CatSpec cat = with_clone(random_cat(g, 2, 3, seed % 3 == 0 ? Shape::sparse : Shape::dense), orig);
      const GaussSpec gauss = with_clone(random_gauss(g, 2, 1, Shape::dense), orig);
      const auto mc = build(cat);
      const auto mg = build(gauss);
      for (std::size_t T = 1; T <= 7; ++T) {
        INFO("seed=" << seed << " T=" << T);
        const auto oc = sample_obs(cat, g, T);
        const auto og = sample_obs(gauss, g, T);
        if (check_viterbi(mc, cat.chain, lik(cat, oc), oc)) {
          const auto p = mc.viterbi(oc).value().path;
          CHECK(std::count(p.begin(), p.end(), std::size_t{2}) == 0);
        }
        REQUIRE(check_viterbi(mg, gauss.chain, lik(gauss, og), og));
        const auto p = mg.viterbi(og).value().path;
        CHECK(std::count(p.begin(), p.end(), std::size_t{2}) == 0);
      }
    }
  }
}

TEST_CASE("viterbi: impossible sequences give an empty path and -inf", "[core][viterbi]") {
  const auto m = make_categorical_hmm<char>({"a", "b"}, {'x', 'y', 'z'}, {0.5, 0.5}, {{1.0, 0.0}, {0.0, 1.0}},
                                            {{1.0, 0.0, 0.0}, {0.0, 1.0, 0.0}})
                     .value();
  for (const std::vector<char>& obs : {std::vector<char>{'x', 'y'}, std::vector<char>{'z'},
                                       std::vector<char>{'y', 'y', 'y', 'z'}, std::vector<char>{'x', 'x', 'y', 'x'}}) {
    const auto v = m.viterbi(obs).value();
    CHECK(v.path.empty());
    CHECK(v.log_probability == -kInf);
  }
  const auto ok = m.viterbi(std::vector<char>{'y', 'y'}).value();
  CHECK(ok.path == std::vector<std::size_t>{1, 1});
  CHECK(ok.log_probability == Approx(std::log(0.5)).epsilon(1e-15));
}
