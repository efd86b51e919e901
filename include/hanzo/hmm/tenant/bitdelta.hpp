// BitDelta: per-tenant habit weights over the K-model catalogue, stored as 1-bit deltas from one
// shared base. Tenant t scores request features x in R^F as
//     scores = W_t x,   W_t = W_base + diag(alpha) sign(delta_t),   alpha_k = mean_j |delta_t[k][j]|,
// alpha_k being the L2-optimal scale for fixed signs (d/da ||d - a s||^2 = 0 at a = mean s.d).
// sign(0) = +1; an all-zero row has alpha = 0 and so no effect. A dormant tenant's delta costs
// K*F bits + K floats (192 bytes of payload at K=32, F=16).
#pragma once

#include <bit>
#include <cstddef>
#include <vector>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/tenant/params.hpp"

namespace hanzo::hmm::tenant {

// Snapshots store K and F in 32 bits; this bound also keeps K*F far from overflow.
inline constexpr std::size_t kMaxModels = 1u << 16;
inline constexpr std::size_t kMaxFeatures = 1u << 16;

// W_base, K x F row-major floats, shared by every tenant (held once, read-only).
class BaseWeights {
 public:
  // weights.size() must be models * features, every entry finite.
  static Result<BaseWeights> create(std::size_t models, std::size_t features, std::vector<float> weights);
  static Result<BaseWeights> zeros(std::size_t models, std::size_t features);

  std::size_t models() const noexcept { return k_; }
  std::size_t features() const noexcept { return f_; }
  const float* row(std::size_t k) const noexcept { return w_.data() + k * f_; }
  std::span<const float> values() const noexcept { return w_; }

 private:
  BaseWeights(std::size_t k, std::size_t f, std::vector<float> w) : k_(k), f_(f), w_(std::move(w)) {}
  std::size_t k_, f_;
  std::vector<float> w_;
};

// The served (and dormant) form of a tenant's delta: K scales and K*F sign bits in ONE heap block
// of 32-bit words, [alpha_0 .. alpha_{K-1} as float bits | sign words]. Sign bit i = k*F + j
// lives in word i/32, bit i%32; 1 means -1. Unused high bits of the last word are 0.
class QuantizedDelta {
 public:
  QuantizedDelta() = default;
  // All-zero delta (alpha = 0, signs +1): a tenant with no habits yet.
  QuantizedDelta(std::size_t rows, std::size_t cols);
  QuantizedDelta(const QuantizedDelta& o);
  QuantizedDelta& operator=(const QuantizedDelta& o);
  QuantizedDelta(QuantizedDelta&&) noexcept = default;
  QuantizedDelta& operator=(QuantizedDelta&&) noexcept = default;

  // delta: rows x cols row-major. alpha_k is the row's mean |delta| accumulated in double and
  // rounded once, so quantize(dequantize(q)) == q bit for bit (for cols < 2^29).
  static QuantizedDelta quantize(std::span<const float> delta, std::size_t rows, std::size_t cols);
  // The same into this object's storage (no allocation); |delta| = rows() * cols().
  void assign(std::span<const float> delta) noexcept;
  // One row: alpha_k and row k's signs from row[0..cols).
  void assign_row(std::size_t k, const float* row) noexcept;
  // out[k*F + j] = alpha_k * sign_kj (exact: a sign flip).
  void dequantize(std::span<float> out) const noexcept;
  void dequantize_row(std::size_t k, float* out) const noexcept;

  std::size_t rows() const noexcept { return k_; }
  std::size_t cols() const noexcept { return f_; }
  float alpha(std::size_t k) const noexcept { return std::bit_cast<float>(data_[k]); }
  bool negative(std::size_t k, std::size_t j) const noexcept {
    const std::size_t i = k * f_ + j;
    return (sign_data()[i >> 5] >> (i & 31)) & 1u;
  }
  int sign(std::size_t k, std::size_t j) const noexcept { return negative(k, j) ? -1 : 1; }

  // out[k] = W_base[k] . x + alpha_k * (sign_k . x). Preconditions (checked by callers):
  // base is rows x cols, |x| = cols, |out| = rows.
  void scores(const BaseWeights& base, std::span<const float> x, std::span<float> out) const noexcept;

  // Raw storage, for the snapshot codec: fill, then validate().
  static std::size_t sign_word_count(std::size_t rows, std::size_t cols) noexcept { return (rows * cols + 31) / 32; }
  std::span<std::uint32_t> alpha_bits() noexcept { return {data_.get(), k_}; }
  std::span<const std::uint32_t> alpha_bits() const noexcept { return {data_.get(), k_}; }
  std::span<std::uint32_t> sign_words() noexcept { return {data_.get() + k_, sign_word_count(k_, f_)}; }
  std::span<const std::uint32_t> sign_words() const noexcept { return {sign_data(), sign_word_count(k_, f_)}; }
  // The invariants quantize() establishes: every alpha finite and >= +0 (no -0), an alpha = 0
  // row has all signs +1, unused sign bits 0. Together they make the form canonical, so a
  // restored delta re-encodes to the same bytes. Errors name "alpha[k]" or "signs[k]".
  Result<void> validate() const;

  // Object plus heap block: sizeof + 4 * (K + ceil(K*F/32)) bytes.
  std::size_t memory_bytes() const noexcept { return sizeof(*this) + word_count() * sizeof(std::uint32_t); }
  friend bool operator==(const QuantizedDelta& a, const QuantizedDelta& b) noexcept;

 private:
  std::size_t word_count() const noexcept { return k_ + sign_word_count(k_, f_); }
  const std::uint32_t* sign_data() const noexcept { return data_.get() + k_; }

  std::unique_ptr<std::uint32_t[]> data_;
  std::uint32_t k_{0}, f_{0};
};

// An active tenant's adapter: the full-precision working delta that learning moves, and the
// quantized form that scores are served from. Served weights change only at requantization, so
// scores are a function of the compact state alone and eviction never changes them.
class BitDeltaAdapter {
 public:
  // A new tenant (zero delta). base must outlive the adapter; params must validate().
  BitDeltaAdapter(const BaseWeights& base, const AdapterParams& params);
  // A tenant becoming active again: the working delta is rebuilt as dequantize(q).
  // Errors if q's shape differs from base's.
  static Result<BitDeltaAdapter> from_quantized(const BaseWeights& base, const AdapterParams& params,
                                                QuantizedDelta q);

  // Checked: |x| = F, |out| = K.
  Result<void> scores(std::span<const float> x, std::span<float> out) const;
  // Feedback: model served a request with features x and earned reward in [-1, 1].
  // delta[model][:] += learning_rate * reward * x, clipped to +-clip; requantizes on every
  // requantize_every-th update. Invalid input is an Error and changes nothing.
  Result<void> learn(std::size_t model, std::span<const float> x, double reward);

  // What a snapshot leaves out: the working delta, the pending count and the touched rows. A
  // checkpoint that keeps them restores a twin without the rebase a snapshot implies, so
  // checkpointing often (the daemon's changelog) never changes what the adapter learns.
  std::vector<std::byte> progress() const;
  // Takes a progress() of an adapter of the same shape (errors name what does not fit).
  Result<void> resume(std::span<const std::byte> bytes);

  // Working delta -> served form now (pending count back to 0).
  void requantize();
  // requantize() and then working := dequantize(served): the adapter continues exactly as one
  // rebuilt from its quantized form would. Snapshots do this, so a restored copy is a twin.
  void rebase();

  const QuantizedDelta& quantized() const noexcept { return q_; }
  std::span<const float> working() const noexcept { return working_; }
  std::uint32_t pending_updates() const noexcept { return pending_; }
  std::size_t models() const noexcept { return base_->models(); }
  std::size_t features() const noexcept { return base_->features(); }

  // Object, working delta, row bitmaps, served form's heap block (base is shared, not counted).
  std::size_t memory_bytes() const noexcept {
    return sizeof(*this) + working_.capacity() * sizeof(float) + touched_.capacity() * sizeof(std::uint64_t) +
           (q_.memory_bytes() - sizeof(q_));
  }

 private:
  BitDeltaAdapter(const BaseWeights& base, const AdapterParams& params, QuantizedDelta q);
  std::size_t bitmap_words() const noexcept { return touched_.size() / 2; }

  const BaseWeights* base_;
  double learning_rate_;
  float clip_;
  std::uint32_t requantize_every_;
  std::uint32_t pending_{0};
  std::vector<float> working_;  // K x F
  // Two K-bit row sets: learned since the last requantize | since the last rebase. Only those
  // rows are redone (learning touches one row per update).
  std::vector<std::uint64_t> touched_;
  QuantizedDelta q_;
};

}  // namespace hanzo::hmm::tenant
