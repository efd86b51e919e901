#include <algorithm>
#include <bit>
#include <cmath>
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

void BitDeltaAdapter::rebase() {
  requantize();
  const std::size_t f = features();
  drain(touched_.data() + bitmap_words(), bitmap_words(),
        [&](std::size_t k) { q_.dequantize_row(k, working_.data() + k * f); });
}

}  // namespace hanzo::hmm::tenant
