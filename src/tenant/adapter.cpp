#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <string>

#include "hanzo/hmm/tenant/bitdelta.hpp"

namespace hanzo::hmm::tenant {

BitDeltaAdapter::BitDeltaAdapter(const BaseWeights& base, const AdapterParams& params)
    : BitDeltaAdapter(base, params, QuantizedDelta(base.models(), base.features())) {}

BitDeltaAdapter::BitDeltaAdapter(const BaseWeights& base, const AdapterParams& params, QuantizedDelta q)
    : base_(&base),
      learning_rate_(params.learning_rate),
      clip_(static_cast<float>(params.clip)),
      requantize_every_(params.requantize_every),
      working_(base.models() * base.features()),
      touched_(2 * ((base.models() + 63) / 64), 0),
      q_(std::move(q)) {
  q_.dequantize(working_);
}

Result<BitDeltaAdapter> BitDeltaAdapter::from_quantized(const BaseWeights& base, const AdapterParams& params,
                                                        QuantizedDelta q) {
  if (q.rows() != base.models() || q.cols() != base.features())
    return make_error(Errc::invalid_dimension, "adapter",
                      "delta is " + std::to_string(q.rows()) + " x " + std::to_string(q.cols()) + ", the base is " +
                          std::to_string(base.models()) + " x " + std::to_string(base.features()));
  return BitDeltaAdapter(base, params, std::move(q));
}

Result<void> BitDeltaAdapter::scores(std::span<const float> x, std::span<float> out) const {
  if (x.size() != features())
    return make_error(Errc::wrong_dimension, "features",
                      "has " + std::to_string(x.size()) + " values, expected " + std::to_string(features()));
  if (out.size() != models())
    return make_error(Errc::invalid_dimension, "scores",
                      "has room for " + std::to_string(out.size()) + " values, expected " + std::to_string(models()));
  q_.scores(*base_, x, out);
  return {};
}

Result<void> BitDeltaAdapter::learn(std::size_t model, std::span<const float> x, double reward) {
  if (model >= models())
    return make_error(Errc::invalid_value, "feedback.model",
                      "index " + std::to_string(model) + " is outside the catalogue of " + std::to_string(models()));
  if (!std::isfinite(reward) || reward < -1.0 || reward > 1.0)
    return make_error(Errc::invalid_value, "feedback.reward", "must be finite and in [-1, 1]");
  if (x.size() != features())
    return make_error(Errc::wrong_dimension, "feedback.features",
                      "has " + std::to_string(x.size()) + " values, expected " + std::to_string(features()));
  for (std::size_t j = 0; j < x.size(); ++j)
    if (!std::isfinite(x[j]))
      return make_error(Errc::invalid_value, "feedback.features[" + std::to_string(j) + "]", "value is not finite",
                        -1, static_cast<std::ptrdiff_t>(j));
  const float step = static_cast<float>(learning_rate_ * reward);
  float* row = working_.data() + model * features();
  for (std::size_t j = 0; j < x.size(); ++j) row[j] = std::clamp(row[j] + step * x[j], -clip_, clip_);
  const std::uint64_t bit = std::uint64_t{1} << (model % 64);
  touched_[model / 64] |= bit;
  touched_[bitmap_words() + model / 64] |= bit;
  if (++pending_ >= requantize_every_) requantize();
  return {};
}

namespace {
// Calls fn(k) for every set bit k of words[0..n), clearing them.
template <class Fn>
void drain(std::uint64_t* words, std::size_t n, Fn&& fn) {
  for (std::size_t w = 0; w < n; ++w)
    for (; words[w] != 0; words[w] &= words[w] - 1) fn(w * 64 + static_cast<std::size_t>(std::countr_zero(words[w])));
}
}  // namespace

void BitDeltaAdapter::requantize() {
  const std::size_t f = features();
  drain(touched_.data(), bitmap_words(), [&](std::size_t k) { q_.assign_row(k, working_.data() + k * f); });
  pending_ = 0;
}

// u32 pending, u32 touched word count, the touched words (u64), then K*F working values (f32).
// Little-endian hosts only, like the other tenant codecs.
std::vector<std::byte> BitDeltaAdapter::progress() const {
  const auto words = static_cast<std::uint32_t>(touched_.size());
  std::vector<std::byte> out(8 + touched_.size() * 8 + working_.size() * 4);
  std::byte* p = out.data();
  std::memcpy(p, &pending_, 4);
  std::memcpy(p + 4, &words, 4);
  std::memcpy(p + 8, touched_.data(), touched_.size() * 8);
  std::memcpy(p + 8 + touched_.size() * 8, working_.data(), working_.size() * 4);
  return out;
}

Result<void> BitDeltaAdapter::resume(std::span<const std::byte> bytes) {
  auto bad = [](const std::string& what) { return make_error(Errc::parse_error, "adapter progress", what); };
  if (bytes.size() < 8) return bad("truncated");
  std::uint32_t pending = 0, words = 0;
  std::memcpy(&pending, bytes.data(), 4);
  std::memcpy(&words, bytes.data() + 4, 4);
  if (words != touched_.size()) return bad(std::to_string(words) + " touched words, this catalogue needs " + std::to_string(touched_.size()));
  if (bytes.size() != 8 + touched_.size() * 8 + working_.size() * 4)
    return bad(std::to_string(bytes.size()) + " bytes, expected " + std::to_string(8 + touched_.size() * 8 + working_.size() * 4));
  if (pending >= requantize_every_) return bad("pending count " + std::to_string(pending) + " out of range");
  std::vector<float> working(working_.size());
  std::memcpy(working.data(), bytes.data() + 8 + touched_.size() * 8, working.size() * 4);
  for (std::size_t i = 0; i < working.size(); ++i)
    if (!std::isfinite(working[i]) || std::fabs(working[i]) > clip_)
      return bad("working[" + std::to_string(i) + "] not finite or beyond the clip");
  std::memcpy(touched_.data(), bytes.data() + 8, touched_.size() * 8);
  working_ = std::move(working);
  pending_ = pending;
  return {};
}

void BitDeltaAdapter::rebase() {
  requantize();
  const std::size_t f = features();
  drain(touched_.data() + bitmap_words(), bitmap_words(),
        [&](std::size_t k) { q_.dequantize_row(k, working_.data() + k * f); });
}

}  // namespace hanzo::hmm::tenant
