// Every kernel set this CPU can run against a plain long double reference, on 64-byte aligned,
// padded vectors of every block shape (np = 8 .. 72) and row counts that leave remainders.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstring>
#include <limits>

#include "fixtures.hpp"
#include "hanzo/hmm/detail/kernels.hpp"

using namespace hanzo::hmm;
using hanzo::hmm::detail::Kernels;
using ref::Gen;
using ref::LD;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::size_t kNps[] = {8, 16, 24, 64, 72};

std::vector<const Kernels*> all_sets() {
  std::size_t count = 0;
  const Kernels* const* sets = hanzo::hmm::detail::available_kernels(count);
  return {sets, sets + count};
}
std::vector<std::size_t> row_counts(std::size_t np) {
  std::vector<std::size_t> out;
  for (std::size_t n : {1u, 2u, 3u, 4u, 5u, 7u, 8u, 9u, 13u, 17u, 33u})
    if (n <= np) out.push_back(n);
  out.push_back(np - 1);
  out.push_back(np);
  return out;
}
AlignedVector random_vec(Gen& g, std::size_t size, double lo, double hi) {
  AlignedVector v(size);
  for (double& x : v) x = g.uniform(lo, hi);
  return v;
}
bool aligned(const double* p) { return reinterpret_cast<std::uintptr_t>(p) % 64 == 0; }
// |got - want| <= tol * scale, where scale is the sum of the magnitudes of the terms.
bool close(double got, LD want, LD scale, LD tol = 1e-12L) { return std::fabs(got - want) <= tol * scale; }
}  // namespace

TEST_CASE("kernels: the registry lists generic first and selects one of its sets", "[core][kernels]") {
  const auto sets = all_sets();
  REQUIRE_FALSE(sets.empty());
  CHECK(std::strcmp(sets[0]->name, "generic") == 0);
  bool found = false;
  for (const Kernels* k : sets) found = found || k == &hanzo::hmm::detail::kernels();
  CHECK(found);
}

TEST_CASE("kernels: vec_mat and propagate", "[core][kernels]") {
  Gen g(1);
  for (const Kernels* k : all_sets())
    for (std::size_t np : kNps)
      for (std::size_t n : row_counts(np)) {
        INFO(k->name << " np=" << np << " n=" << n);
        const AlignedVector x = random_vec(g, np, -1.0, 1.0), xs = random_vec(g, np, 0.0, 2.0);
        const AlignedVector m = random_vec(g, n * np, -1.0, 1.0), b = random_vec(g, np, 0.0, 1.0);
        REQUIRE((aligned(x.data()) && aligned(m.data())));
        AlignedVector out(np, -7.0);
        k->vec_mat(x.data(), n, m.data(), np, out.data());
        for (std::size_t j = 0; j < np; ++j) {
          LD want = 0, scale = 0;
          for (std::size_t i = 0; i < n; ++i) {
            want += static_cast<LD>(x[i]) * m[i * np + j];
            scale += std::fabs(static_cast<LD>(x[i]) * m[i * np + j]);
          }
          CHECK(close(out[j], want, scale));
        }
        // All four combinations of the optional row scales xs and column weights b.
        for (int variant = 0; variant < 4; ++variant) {
          const double* pxs = variant & 1 ? xs.data() : nullptr;
          const double* pb = variant & 2 ? b.data() : nullptr;
          AlignedVector p(np, -7.0);
          const double total = k->propagate(x.data(), pxs, n, m.data(), np, pb, p.data());
          LD want_total = 0, total_scale = 0;
          for (std::size_t j = 0; j < np; ++j) {
            LD want = 0, scale = 0;
            for (std::size_t i = 0; i < n; ++i) {
              const LD term = static_cast<LD>(x[i]) * (pxs ? pxs[i] : 1.0) * m[i * np + j];
              want += term;
              scale += std::fabs(term);
            }
            const LD w = pb ? pb[j] : 1.0;
            INFO("variant " << variant << " j=" << j);
            CHECK(close(p[j], want * w, scale * w));
            want_total += want * w;
            total_scale += scale * w;
          }
          CHECK(close(total, want_total, total_scale));
        }
      }
}

TEST_CASE("kernels: mul_sum, sum, dot, scale", "[core][kernels]") {
  Gen g(2);
  for (const Kernels* k : all_sets())
    for (std::size_t np : kNps) {
      INFO(k->name << " np=" << np);
      const AlignedVector x = random_vec(g, np, -2.0, 2.0), y = random_vec(g, np, -1.0, 3.0);
      LD sx = 0, ax = 0, sxy = 0, axy = 0;
      for (std::size_t j = 0; j < np; ++j) {
        sx += x[j];
        ax += std::fabs(x[j]);
        sxy += static_cast<LD>(x[j]) * y[j];
        axy += std::fabs(static_cast<LD>(x[j]) * y[j]);
      }
      CHECK(close(k->sum(x.data(), np), sx, ax));
      CHECK(close(k->dot(x.data(), y.data(), np), sxy, axy));
      AlignedVector z = x;
      CHECK(close(k->mul_sum(z.data(), y.data(), np), sxy, axy));
      for (std::size_t j = 0; j < np; ++j) CHECK(z[j] == x[j] * y[j]);  // one rounding: exact
      z = x;
      k->scale(z.data(), 0.37, np);
      for (std::size_t j = 0; j < np; ++j) CHECK(z[j] == x[j] * 0.37);
    }
}

TEST_CASE("kernels: max_plus with ties, -inf rows and -inf columns", "[core][kernels]") {
  Gen g(3);
  for (const Kernels* k : all_sets())
    for (std::size_t np : kNps)
      for (std::size_t n : row_counts(np))
        for (int pattern = 0; pattern < 3; ++pattern) {
          INFO(k->name << " np=" << np << " n=" << n << " pattern=" << pattern);
          // pattern 0: continuous values; 1: small integers (many exact ties); 2: ties plus -inf.
          AlignedVector d(np, -kInf), l(n * np), lb(np);
          for (std::size_t i = 0; i < n; ++i) d[i] = pattern ? -static_cast<double>(g.below(3)) : g.uniform(-5, 0);
          for (double& v : l) v = pattern ? -static_cast<double>(g.below(3)) : g.uniform(-5, 0);
          for (double& v : lb) v = pattern ? -static_cast<double>(g.below(2)) : g.uniform(-3, 0);
          if (pattern == 2) {
            for (std::size_t i = 0; i < n; i += 3) d[i] = -kInf;  // impossible predecessors
            for (std::size_t j = 1; j < np; j += 5)
              for (std::size_t i = 0; i < n; ++i) l[i * np + j] = -kInf;  // unreachable columns
            lb[2] = -kInf;
          }
          AlignedVector out(np, 99.0);
          std::vector<std::uint16_t> arg(np, 999);
          const double top = k->max_plus(d.data(), n, l.data(), np, lb.data(), out.data(), arg.data());
          double want_top = -kInf;
          for (std::size_t j = 0; j < np; ++j) {
            double best = -kInf;
            std::size_t who = 0;
            for (std::size_t i = 0; i < n; ++i)
              if (d[i] + l[i * np + j] > best) best = d[i] + l[i * np + j], who = i;  // strict: first wins
            const double want = best + lb[j];
            INFO("j=" << j);
            CHECK(out[j] == want);
            CHECK(arg[j] == who);
            want_top = std::max(want_top, want);
          }
          CHECK(top == want_top);
        }
}

TEST_CASE("kernels: max_plus when every entry is -inf", "[core][kernels]") {
  for (const Kernels* k : all_sets()) {
    const std::size_t np = 16, n = 10;
    AlignedVector d(np, -kInf), l(n * np, 0.0), lb(np, 0.0), out(np, 1.0);
    std::vector<std::uint16_t> arg(np, 7);
    CHECK(k->max_plus(d.data(), n, l.data(), np, lb.data(), out.data(), arg.data()) == -kInf);
    for (std::size_t j = 0; j < np; ++j) CHECK((out[j] == -kInf && arg[j] == 0));
  }
}

TEST_CASE("kernels: rank1", "[core][kernels]") {
  Gen g(4);
  for (const Kernels* k : all_sets())
    for (std::size_t np : kNps)
      for (std::size_t n : row_counts(np)) {
        INFO(k->name << " np=" << np << " n=" << n);
        AlignedVector acc = random_vec(g, n * np, 0.0, 1.0), s = random_vec(g, np, 0.0, 1.0);
        const AlignedVector w = random_vec(g, np, -1.0, 1.0), before = acc;
        for (std::size_t i = 0; i < n; i += 4) s[i] = 0.0;  // skipped rows must stay untouched
        k->rank1(acc.data(), s.data(), n, w.data(), np);
        for (std::size_t i = 0; i < n; ++i)
          for (std::size_t j = 0; j < np; ++j) {
            const LD want = static_cast<LD>(before[i * np + j]) + static_cast<LD>(s[i]) * w[j];
            CHECK(close(acc[i * np + j], want, std::fabs(before[i * np + j]) + std::fabs(s[i] * w[j])));
          }
      }
}
