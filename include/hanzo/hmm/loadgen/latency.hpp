// Request→decision latencies: exact percentiles while the samples fit a bound, a log-linear
// histogram always (bounded memory, ≤ 1/1024 relative error) for long runs and for cheap
// running percentiles (the progress line).
//
// Percentiles use the nearest-rank definition: p_q is the smallest sample x such that at least
// q% of the samples are <= x (rank ceil(q/100 · n), 1-based). With every sample kept that is
// exact; past `exact_limit` samples the recorder frees them and answers from the histogram,
// reporting the upper end of the bucket (capped at the true maximum): never an understatement.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace hanzo::hmm::loadgen {

struct LatencySummary {
  std::uint64_t count{0};
  double p50_ms{0.0}, p90_ms{0.0}, p99_ms{0.0}, p999_ms{0.0}, max_ms{0.0}, mean_ms{0.0};
  bool exact{true};  // every sample kept (false: histogram, ≤ 0.1% high)
  friend bool operator==(const LatencySummary&, const LatencySummary&) = default;
};

class LatencyRecorder {
 public:
  // 8 Mi samples = 64 MiB: a 100k/s run stays exact for 80 s.
  static constexpr std::size_t kDefaultExactLimit = std::size_t{1} << 23;

  explicit LatencyRecorder(std::size_t exact_limit = kDefaultExactLimit);

  void record(std::int64_t nanoseconds);  // negative values count as 0

  std::uint64_t count() const noexcept { return count_; }
  bool exact() const noexcept { return exact_; }
  std::int64_t max_ns() const noexcept { return max_; }
  double mean_ns() const noexcept;

  // q in [0, 100]; 0 with no samples. Exact while exact() (sorts the samples once per batch of
  // new ones), else from the histogram.
  std::int64_t percentile_ns(double q);
  // Always from the histogram: O(buckets), no sorting; what the progress line uses.
  std::int64_t histogram_percentile_ns(double q) const;

  LatencySummary summary();

 private:
  static std::size_t bucket(std::uint64_t v) noexcept;
  static std::uint64_t bucket_upper(std::size_t b) noexcept;
  static std::uint64_t rank(double q, std::uint64_t n) noexcept;

  std::size_t exact_limit_;
  bool exact_{true};
  bool sorted_{true};
  std::vector<std::int64_t> samples_;
  std::vector<std::uint64_t> counts_;  // histogram buckets
  std::uint64_t count_{0};
  std::int64_t max_{0};
  long double sum_{0.0};
};

}  // namespace hanzo::hmm::loadgen
