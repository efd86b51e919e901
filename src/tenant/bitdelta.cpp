#include "hanzo/hmm/tenant/bitdelta.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <string>

namespace hanzo::hmm::tenant {

namespace {
// n <= 32 bits starting at bit `pos` of the packed sign words (a row's bits may straddle words).
std::uint32_t read_bits(const std::uint32_t* words, std::size_t pos, std::size_t n) noexcept {
  const std::size_t w = pos >> 5, off = pos & 31;
  std::uint64_t v = words[w] >> off;
  if (off + n > 32) v |= static_cast<std::uint64_t>(words[w + 1]) << (32 - off);
  return static_cast<std::uint32_t>(v & ((std::uint64_t{1} << n) - 1));
}
// Replaces n <= 32 bits at bit `pos` with `bits`.
void write_bits(std::uint32_t* words, std::size_t pos, std::size_t n, std::uint32_t bits) noexcept {
  const std::size_t w = pos >> 5, off = pos & 31;
  const std::uint64_t mask = ((std::uint64_t{1} << n) - 1) << off, v = std::uint64_t{bits} << off;
  words[w] = static_cast<std::uint32_t>((words[w] & ~mask) | (v & mask));
  if (off + n > 32)
    words[w + 1] = static_cast<std::uint32_t>((words[w + 1] & ~(mask >> 32)) | ((v & mask) >> 32));
}
// Dot product with four partial sums (a fixed order, so results are reproducible) that the
// compiler keeps in one vector register.
float dot(const float* w, const float* x, std::size_t n) noexcept {
  float a0 = 0.f, a1 = 0.f, a2 = 0.f, a3 = 0.f;
  std::size_t j = 0;
  for (; j + 4 <= n; j += 4) {
    a0 += w[j] * x[j];
    a1 += w[j + 1] * x[j + 1];
    a2 += w[j + 2] * x[j + 2];
    a3 += w[j + 3] * x[j + 3];
  }
  for (; j < n; ++j) a0 += w[j] * x[j];
  return (a0 + a1) + (a2 + a3);
}
constexpr std::size_t kBlock = 32;  // features per sign chunk
// kSignMask[m][l]: the float sign bit for feature l of a 4-feature group with sign bits m, so
// dequantizing is a table load and an XOR per 4 values (the compiler vectorises it).
constexpr auto kSignMask = [] {
  std::array<std::array<std::uint32_t, 4>, 16> t{};
  for (std::uint32_t m = 0; m < 16; ++m)
    for (std::uint32_t l = 0; l < 4; ++l) t[m][l] = ((m >> l) & 1u) << 31;
  return t;
}();
}  // namespace

Result<BaseWeights> BaseWeights::create(std::size_t models, std::size_t features, std::vector<float> weights) {
  if (models == 0 || models > kMaxModels)
    return make_error(Errc::invalid_dimension, "base.models",
                      std::to_string(models) + " models; must be 1.." + std::to_string(kMaxModels));
  if (features == 0 || features > kMaxFeatures)
    return make_error(Errc::invalid_dimension, "base.features",
                      std::to_string(features) + " features; must be 1.." + std::to_string(kMaxFeatures));
  if (weights.size() != models * features)
    return make_error(Errc::invalid_dimension, "base.weights",
                      "has " + std::to_string(weights.size()) + " values, expected " + std::to_string(models) + " x " +
                          std::to_string(features));
  for (std::size_t i = 0; i < weights.size(); ++i)
    if (!std::isfinite(weights[i]))
      return make_error(Errc::invalid_value, "base.weights[" + std::to_string(i / features) + "][" +
                                                 std::to_string(i % features) + "]",
                        "weight is not finite", static_cast<std::ptrdiff_t>(i / features),
                        static_cast<std::ptrdiff_t>(i % features));
  return BaseWeights(models, features, std::move(weights));
}

Result<BaseWeights> BaseWeights::zeros(std::size_t models, std::size_t features) {
  if (models > kMaxModels || features > kMaxFeatures) return create(models, features, {});
  return create(models, features, std::vector<float>(models * features, 0.0f));
}

QuantizedDelta::QuantizedDelta(std::size_t rows, std::size_t cols)
    : data_(std::make_unique<std::uint32_t[]>(rows + sign_word_count(rows, cols))),  // zero-filled
      k_(static_cast<std::uint32_t>(rows)),
      f_(static_cast<std::uint32_t>(cols)) {}

QuantizedDelta::QuantizedDelta(const QuantizedDelta& o) : k_(o.k_), f_(o.f_) {
  if (o.data_) {
    data_ = std::make_unique_for_overwrite<std::uint32_t[]>(o.word_count());
    std::memcpy(data_.get(), o.data_.get(), o.word_count() * sizeof(std::uint32_t));
  }
}

QuantizedDelta& QuantizedDelta::operator=(const QuantizedDelta& o) {
  if (this != &o) *this = QuantizedDelta(o);
  return *this;
}

bool operator==(const QuantizedDelta& a, const QuantizedDelta& b) noexcept {
  if (a.k_ != b.k_ || a.f_ != b.f_) return false;
  return a.word_count() == 0 ||
         std::memcmp(a.data_.get(), b.data_.get(), a.word_count() * sizeof(std::uint32_t)) == 0;
}

QuantizedDelta QuantizedDelta::quantize(std::span<const float> delta, std::size_t rows, std::size_t cols) {
  QuantizedDelta q(rows, cols);
  q.assign(delta);
  return q;
}

void QuantizedDelta::assign(std::span<const float> delta) noexcept {
  for (std::size_t k = 0; k < k_; ++k) assign_row(k, delta.data() + k * f_);
}

void QuantizedDelta::assign_row(std::size_t k, const float* d) noexcept {
  // Partial sums in double are exact for an all-equal row (cols < 2^29), which makes
  // quantize(dequantize(q)) == q; alpha is rounded to float once.
  double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
  std::size_t j = 0;
  for (; j + 4 <= f_; j += 4) {
    s0 += std::fabs(static_cast<double>(d[j]));
    s1 += std::fabs(static_cast<double>(d[j + 1]));
    s2 += std::fabs(static_cast<double>(d[j + 2]));
    s3 += std::fabs(static_cast<double>(d[j + 3]));
  }
  for (; j < f_; ++j) s0 += std::fabs(static_cast<double>(d[j]));
  const float a = static_cast<float>(((s0 + s1) + (s2 + s3)) / static_cast<double>(f_));
  data_[k] = std::bit_cast<std::uint32_t>(a);
  const bool zero = a == 0.0f;  // canonical zero row: signs +1 (and -0 entries are +1 anyway)
  for (std::size_t j0 = 0; j0 < f_; j0 += kBlock) {
    const std::size_t n = std::min<std::size_t>(kBlock, f_ - j0);
    std::uint32_t bits = 0;
    if (!zero) {
      const float* v = d + j0;
      std::size_t b = 0;
      for (; b + 4 <= n; b += 4)  // constant shifts within a group: cheaper than a shift by b each
        bits |= (static_cast<std::uint32_t>(v[b] < 0.0f) | static_cast<std::uint32_t>(v[b + 1] < 0.0f) << 1 |
                 static_cast<std::uint32_t>(v[b + 2] < 0.0f) << 2 | static_cast<std::uint32_t>(v[b + 3] < 0.0f) << 3)
                << b;
      for (; b < n; ++b) bits |= static_cast<std::uint32_t>(v[b] < 0.0f) << b;
    }
    write_bits(data_.get() + k_, k * f_ + j0, n, bits);
  }
}

void QuantizedDelta::dequantize(std::span<float> out) const noexcept {
  for (std::size_t k = 0; k < k_; ++k) dequantize_row(k, out.data() + k * f_);
}

void QuantizedDelta::dequantize_row(std::size_t k, float* out) const noexcept {
  const float a = alpha(k);
  for (std::size_t j0 = 0; j0 < f_; j0 += kBlock) {
    const std::size_t n = std::min<std::size_t>(kBlock, f_ - j0);
    const std::uint32_t bits = read_bits(sign_data(), k * f_ + j0, n), ab = std::bit_cast<std::uint32_t>(a);
    std::size_t j = 0;
    for (; j + 4 <= n; j += 4) {
      const auto& m = kSignMask[(bits >> j) & 15u];
      for (std::size_t l = 0; l < 4; ++l) out[j0 + j + l] = std::bit_cast<float>(ab ^ m[l]);
    }
    for (; j < n; ++j) out[j0 + j] = (bits >> j) & 1u ? -a : a;
  }
}

Result<void> QuantizedDelta::validate() const {
  const std::uint32_t* s = sign_data();
  for (std::size_t k = 0; k < k_; ++k) {
    const float a = alpha(k);
    if (!std::isfinite(a) || std::signbit(a))
      return make_error(Errc::invalid_value, "alpha[" + std::to_string(k) + "]",
                        "scale must be finite and >= +0", static_cast<std::ptrdiff_t>(k));
    if (a != 0.0f) continue;
    for (std::size_t j0 = 0; j0 < f_; j0 += kBlock)
      if (read_bits(s, k * f_ + j0, std::min<std::size_t>(kBlock, f_ - j0)) != 0)
        return make_error(Errc::invalid_value, "signs[" + std::to_string(k) + "]",
                          "a row with scale 0 must have all signs +1", static_cast<std::ptrdiff_t>(k));
  }
  const std::size_t used = static_cast<std::size_t>(k_) * f_;
  if (used % 32 != 0 && (s[used / 32] >> (used % 32)) != 0)
    return make_error(Errc::invalid_value, "signs", "bits past the last row must be 0");
  return {};
}

// sign_k . x by table lookup (as LUT-based binary GEMV): for each group of 4 features, the 16
// possible signed sums are built once per call (15 adds) and shared by all K rows, so a row costs
// one lookup per 4 features instead of a sign flip per feature. Features go in blocks of 32
// (8 groups, a 512-byte table on the stack); the summation order is fixed, so results are
// reproducible.
void QuantizedDelta::scores(const BaseWeights& base, std::span<const float> x, std::span<float> out) const noexcept {
  const std::size_t f = f_;
  const std::uint32_t* s = sign_data();
  float table[kBlock / 4][16];
  for (std::size_t j0 = 0; j0 < f; j0 += kBlock) {
    const std::size_t n = std::min<std::size_t>(kBlock, f - j0), groups = (n + 3) / 4;
    for (std::size_t g = 0; g < groups; ++g) {
      float v[4];
      for (std::size_t l = 0; l < 4; ++l) v[l] = 4 * g + l < n ? x[j0 + 4 * g + l] : 0.0f;
      float* t = table[g];
      // t[m] = sum_l (bit l of m ? -v[l] : v[l]); built from t[m without its top bit].
      t[0] = (v[0] + v[1]) + (v[2] + v[3]);
      for (std::size_t m = 1; m < 16; ++m) {
        const std::size_t top = std::bit_width(m) - 1;
        t[m] = t[m ^ (std::size_t{1} << top)] - 2.0f * v[top];
      }
    }
    for (std::size_t k = 0; k < k_; ++k) {
      const std::uint32_t bits = read_bits(s, k * f + j0, n);
      float acc = 0.0f;
      for (std::size_t g = 0; g < groups; ++g) acc += table[g][(bits >> (4 * g)) & 15u];
      // The base product joins the first block's pass (for F <= 32, the only pass).
      out[k] = (j0 == 0 ? dot(base.row(k), x.data(), f) : out[k]) + alpha(k) * acc;
    }
  }
}

}  // namespace hanzo::hmm::tenant
