#include "hanzo/hmm/loadgen/latency.hpp"

#include <algorithm>
#include <bit>
#include <cmath>

namespace hanzo::hmm::loadgen {
namespace {
// Log-linear buckets: values below 2^11 ns each have their own bucket (exact); above, every
// power of two is split into 1024 equal buckets, so a bucket spans under 1/1024 of its values.
constexpr unsigned kSubBits = 10;
constexpr std::uint64_t kSub = std::uint64_t{1} << kSubBits;        // 1024
constexpr std::uint64_t kLinear = std::uint64_t{2} << kSubBits;     // 2048
constexpr std::size_t kBuckets = kLinear + (64 - (kSubBits + 1)) * kSub;
}  // namespace

LatencyRecorder::LatencyRecorder(std::size_t exact_limit) : exact_limit_(exact_limit), counts_(kBuckets, 0) {}

std::size_t LatencyRecorder::bucket(std::uint64_t v) noexcept {
  if (v < kLinear) return static_cast<std::size_t>(v);
  const unsigned e = static_cast<unsigned>(std::bit_width(v)) - 1;  // >= 11
  const std::uint64_t m = v >> (e - kSubBits);                       // in [1024, 2048)
  return static_cast<std::size_t>(kLinear + (e - (kSubBits + 1)) * kSub + (m - kSub));
}

std::uint64_t LatencyRecorder::bucket_upper(std::size_t b) noexcept {
  if (b < kLinear) return b;
  const std::uint64_t j = b - kLinear;
  const unsigned e = static_cast<unsigned>(kSubBits + 1 + j / kSub);
  const std::uint64_t m = kSub + j % kSub;
  return ((m + 1) << (e - kSubBits)) - 1;
}

std::uint64_t LatencyRecorder::rank(double q, std::uint64_t n) noexcept {
  const double r = std::ceil(std::clamp(q, 0.0, 100.0) / 100.0 * static_cast<double>(n));
  return std::clamp<std::uint64_t>(static_cast<std::uint64_t>(r), 1, n);  // q = 0: the minimum
}

void LatencyRecorder::record(std::int64_t ns) {
  ns = std::max<std::int64_t>(ns, 0);
  ++counts_[bucket(static_cast<std::uint64_t>(ns))];
  ++count_;
  max_ = std::max(max_, ns);
  sum_ += static_cast<long double>(ns);
  if (!exact_) return;
  if (samples_.size() >= exact_limit_) {
    exact_ = false;  // past the bound: keep memory flat from here on
    std::vector<std::int64_t>().swap(samples_);
    return;
  }
  if (!samples_.empty() && ns < samples_.back()) sorted_ = false;
  samples_.push_back(ns);
}

double LatencyRecorder::mean_ns() const noexcept {
  return count_ == 0 ? 0.0 : static_cast<double>(sum_ / static_cast<long double>(count_));
}

std::int64_t LatencyRecorder::percentile_ns(double q) {
  if (count_ == 0) return 0;
  if (!exact_) return histogram_percentile_ns(q);
  if (!sorted_) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }
  return samples_[rank(q, count_) - 1];
}

std::int64_t LatencyRecorder::histogram_percentile_ns(double q) const {
  if (count_ == 0) return 0;
  const std::uint64_t want = rank(q, count_);
  std::uint64_t seen = 0;
  for (std::size_t b = 0; b < counts_.size(); ++b) {
    seen += counts_[b];
    if (seen >= want) return static_cast<std::int64_t>(std::min<std::uint64_t>(bucket_upper(b), static_cast<std::uint64_t>(max_)));
  }
  return max_;
}

LatencySummary LatencyRecorder::summary() {
  // Dividing by the exact 1e6 (not multiplying by the inexact 1e-6) keeps "12.345678" short.
  const auto ms = [](double ns) { return ns / 1e6; };
  LatencySummary s;
  s.count = count_;
  s.exact = exact_;
  s.p50_ms = ms(static_cast<double>(percentile_ns(50.0)));
  s.p90_ms = ms(static_cast<double>(percentile_ns(90.0)));
  s.p99_ms = ms(static_cast<double>(percentile_ns(99.0)));
  s.p999_ms = ms(static_cast<double>(percentile_ns(99.9)));
  s.max_ms = ms(static_cast<double>(max_));
  s.mean_ms = ms(mean_ns());
  return s;
}

}  // namespace hanzo::hmm::loadgen
