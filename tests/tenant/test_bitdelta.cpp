// QuantizedDelta: the scale is L2-optimal, signs pack and unpack exactly, scores match an
// independent dense computation, and the dormant form fits 256 bytes at K=32, F=16.
#include <catch2/catch.hpp>

#include <cmath>

#include "fixtures.hpp"

using namespace tenant_test;

namespace {
// ||d - a s||^2 for one row, with s = sign(d) (sign(0) = +1), in double.
double row_error(const float* d, std::size_t f, double a) {
  double e = 0.0;
  for (std::size_t j = 0; j < f; ++j) {
    const double s = d[j] < 0.0f ? -1.0 : 1.0;
    e += (d[j] - a * s) * (d[j] - a * s);
  }
  return e;
}
// Golden-section search for the minimiser of a unimodal function on [lo, hi].
template <class Fn>
double golden_min(Fn fn, double lo, double hi) {
  const double g = (std::sqrt(5.0) - 1.0) / 2.0;
  for (int it = 0; it < 200; ++it) {
    const double a = hi - g * (hi - lo), b = lo + g * (hi - lo);
    if (fn(a) < fn(b))
      hi = b;
    else
      lo = a;
  }
  return (lo + hi) / 2.0;
}
}  // namespace

TEST_CASE("bitdelta: alpha = mean |delta| minimises ||delta - alpha sign(delta)||^2", "[tenant][bitdelta]") {
  const std::size_t k = 6, f = 16;
  const auto delta = random_floats(k * f, 7, -0.8f, 0.8f);
  const auto q = QuantizedDelta::quantize(delta, k, f);
  for (std::size_t r = 0; r < k; ++r) {
    const float* d = delta.data() + r * f;
    double mean_abs = 0.0;
    for (std::size_t j = 0; j < f; ++j) mean_abs += std::fabs(d[j]);
    mean_abs /= f;
    CHECK(q.alpha(r) == Approx(mean_abs).epsilon(1e-7));
    // Numeric minimisation agrees with the closed form.
    const double numeric = golden_min([&](double a) { return row_error(d, f, a); }, 0.0, 2.0);
    CHECK(numeric == Approx(mean_abs).margin(1e-7));
    // Any perturbation of the stored scale does worse.
    const double best = row_error(d, f, q.alpha(r));
    for (double eps : {1e-4, 1e-3, 1e-2, 1e-1}) {
      CHECK(row_error(d, f, q.alpha(r) + eps) > best);
      CHECK(row_error(d, f, q.alpha(r) - eps) > best);
    }
  }
}

TEST_CASE("bitdelta: signs pack and unpack exactly for any K*F", "[tenant][bitdelta]") {
  const std::pair<std::size_t, std::size_t> shapes[] = {{1, 1}, {3, 3}, {7, 9}, {5, 13}, {1, 31}, {1, 33}, {3, 32}, {5, 40},
                                                        {32, 16}, {3, 64}, {2, 65}, {17, 5}};
  std::uint64_t seed = 11;
  for (auto [k, f] : shapes) {
    INFO("K=" << k << " F=" << f);
    // Magnitudes away from 0 so each sign is unambiguous.
    auto delta = random_floats(k * f, ++seed, 0.1f, 1.0f);
    std::mt19937_64 rng(seed * 31);
    for (auto& x : delta)
      if (rng() & 1) x = -x;
    const auto q = QuantizedDelta::quantize(delta, k, f);
    REQUIRE(q.rows() == k);
    REQUIRE(q.cols() == f);
    REQUIRE(q.sign_words().size() == (k * f + 31) / 32);
    for (std::size_t r = 0; r < k; ++r)
      for (std::size_t j = 0; j < f; ++j) REQUIRE(q.negative(r, j) == (delta[r * f + j] < 0.0f));
    CHECK(q.validate());  // includes: bits past K*F are zero
    // Dequantize gives exactly +-alpha with the packed signs.
    std::vector<float> back(k * f);
    q.dequantize(back);
    for (std::size_t i = 0; i < k * f; ++i)
      REQUIRE(back[i] == (delta[i] < 0.0f ? -q.alpha(i / f) : q.alpha(i / f)));
    // ...and re-quantizing that is the identity, bit for bit.
    CHECK(QuantizedDelta::quantize(back, k, f) == q);
    // Overwriting in place (row by row, bits straddling words) equals a fresh quantization.
    auto other = random_floats(k * f, seed + 1000);
    for (std::size_t r = 0; r < k; r += 2) std::fill_n(other.begin() + static_cast<std::ptrdiff_t>(r * f), f, 0.0f);
    auto in_place = q;
    in_place.assign(other);
    CHECK(in_place == QuantizedDelta::quantize(other, k, f));
    CHECK(in_place.validate());
  }
}

TEST_CASE("bitdelta: sign(0) = +1 and an all-zero row has alpha 0", "[tenant][bitdelta]") {
  const std::vector<float> delta{0.0f, -0.0f, 0.0f, /* row 1 */ 0.0f, -0.5f, 0.25f};
  const auto q = QuantizedDelta::quantize(delta, 2, 3);
  CHECK(q.alpha(0) == 0.0f);
  CHECK_FALSE(std::signbit(q.alpha(0)));
  for (std::size_t j = 0; j < 3; ++j) CHECK(q.sign(0, j) == 1);
  CHECK(q.sign(1, 0) == 1);
  CHECK(q.sign(1, 1) == -1);
  CHECK(q.sign(1, 2) == 1);
  CHECK(q.alpha(1) == 0.25f);
  CHECK(QuantizedDelta(2, 3) == QuantizedDelta::quantize(std::vector<float>(6, 0.0f), 2, 3));
}

TEST_CASE("bitdelta: validate rejects non-canonical forms", "[tenant][bitdelta]") {
  QuantizedDelta q(3, 5);
  REQUIRE(q.validate());
  q.sign_words()[0] |= 1u << 15;  // past K*F = 15
  CHECK(q.validate().error().where == "signs");
  q = QuantizedDelta(3, 5);
  q.sign_words()[0] |= 1u << 6;  // row 1, alpha 0
  CHECK(q.validate().error().where == "signs[1]");
  q.alpha_bits()[1] = std::bit_cast<std::uint32_t>(0.5f);
  CHECK(q.validate());
  q.alpha_bits()[2] = std::bit_cast<std::uint32_t>(-0.0f);
  CHECK(q.validate().error().where == "alpha[2]");
  q.alpha_bits()[2] = std::bit_cast<std::uint32_t>(std::numeric_limits<float>::quiet_NaN());
  CHECK(q.validate().error().where == "alpha[2]");
}

TEST_CASE("bitdelta: scores = W_base x + alpha sign(delta) x, computed independently", "[tenant][bitdelta]") {
  for (auto [k, f] : {std::pair<std::size_t, std::size_t>{32, 16}, {7, 9}, {3, 70}}) {
    const auto base = random_base(k, f, 3);
    const auto delta = random_floats(k * f, 4, -0.5f, 0.5f);
    const auto x = random_floats(f, 5, -2.0f, 2.0f);
    const auto q = QuantizedDelta::quantize(delta, k, f);
    std::vector<float> out(k);
    q.scores(base, x, out);
    for (std::size_t r = 0; r < k; ++r) {
      double a = 0.0, wx = 0.0, sx = 0.0, mag = 0.0;
      for (std::size_t j = 0; j < f; ++j) a += std::fabs(static_cast<double>(delta[r * f + j]));
      a /= static_cast<double>(f);
      for (std::size_t j = 0; j < f; ++j) {
        wx += static_cast<double>(base.row(r)[j]) * x[j];
        sx += (delta[r * f + j] < 0.0f ? -1.0 : 1.0) * x[j];
        mag += std::fabs(base.row(r)[j] * x[j]) + a * std::fabs(x[j]);
      }
      // float accumulation: error bounded by ~F ulps of the magnitude sum.
      CHECK(std::fabs(out[r] - (wx + a * sx)) <= 4e-7 * static_cast<double>(f) * mag);
    }
  }
}

TEST_CASE("bitdelta: a dormant adapter costs <= 256 bytes at K=32, F=16", "[tenant][bitdelta][memory]") {
  const auto q = QuantizedDelta::quantize(random_floats(32 * 16, 9), 32, 16);
  // Payload K*F bits + K floats = 64 + 128 bytes, plus the handle.
  CHECK(q.memory_bytes() == sizeof(QuantizedDelta) + 192);
  CHECK(q.memory_bytes() <= 256);
  const QuantizedDelta copy = q;
  CHECK(copy == q);
  CHECK(copy.memory_bytes() == q.memory_bytes());
}
