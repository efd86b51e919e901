// Latency percentiles against hand-computed nearest-rank values, and the histogram fallback.
#include <catch2/catch.hpp>

#include "hanzo/hmm/loadgen/latency.hpp"

using hanzo::hmm::loadgen::LatencyRecorder;

TEST_CASE("loadgen latency: nearest-rank percentiles of small sets", "[loadgen]") {
  LatencyRecorder empty;
  CHECK(empty.percentile_ns(50) == 0);
  CHECK(empty.summary().count == 0);

  LatencyRecorder ten;
  for (int v : {10, 1, 9, 2, 8, 3, 7, 4, 6, 5}) ten.record(v);  // 1..10, shuffled
  // rank = ceil(q/100 * 10): p50 -> 5th, p90 -> 9th, p99 -> 10th, p0 -> the minimum
  CHECK(ten.percentile_ns(50) == 5);
  CHECK(ten.percentile_ns(90) == 9);
  CHECK(ten.percentile_ns(99) == 10);
  CHECK(ten.percentile_ns(0) == 1);
  CHECK(ten.percentile_ns(100) == 10);
  CHECK(ten.max_ns() == 10);
  CHECK(ten.mean_ns() == 5.5);
  CHECK(ten.exact());

  LatencyRecorder five;
  for (int v : {7, 3, 9, 1, 5}) five.record(v);
  CHECK(five.percentile_ns(50) == 5);   // ceil(2.5) = 3rd of 1 3 5 7 9
  CHECK(five.percentile_ns(90) == 9);   // ceil(4.5) = 5th
  CHECK(five.percentile_ns(20) == 1);   // exactly 1st
  CHECK(five.percentile_ns(21) == 3);
  five.record(-4);                      // a clock oddity counts as 0
  CHECK(five.percentile_ns(0) == 0);

  // 1..100 ms: p50 = 50 ms, p90 = 90 ms, p99 = 99 ms; summary in ms.
  LatencyRecorder ms;
  for (int i = 100; i >= 1; --i) ms.record(static_cast<std::int64_t>(i) * 1'000'000);
  const auto s = ms.summary();
  CHECK(s.count == 100);
  CHECK(s.p50_ms == 50.0);
  CHECK(s.p90_ms == 90.0);
  CHECK(s.p99_ms == 99.0);
  CHECK(s.p999_ms == 100.0);  // rank ceil(99.9) = 100th
  CHECK(s.max_ms == 100.0);
  CHECK(s.mean_ms == 50.5);
  CHECK(s.exact);
  // Recording after a summary re-sorts.
  ms.record(0);
  CHECK(ms.percentile_ns(0) == 0);
  CHECK(ms.percentile_ns(50) == 50'000'000);  // ceil(50.5) = 51st of 0, 1..100 ms
}

TEST_CASE("loadgen latency: the histogram is exact below 2048 ns and within 1/1024 above", "[loadgen]") {
  LatencyRecorder small;
  for (int v : {10, 1, 9, 2, 8, 3, 7, 4, 6, 5}) small.record(v);
  CHECK(small.histogram_percentile_ns(50) == 5);
  CHECK(small.histogram_percentile_ns(90) == 9);
  CHECK(small.histogram_percentile_ns(99) == 10);

  // Past the exact bound the samples go and the histogram answers: never below the truth.
  LatencyRecorder bounded(100);
  for (std::int64_t i = 1; i <= 10000; ++i) bounded.record(i * 123'457);
  CHECK_FALSE(bounded.exact());
  const auto s = bounded.summary();
  CHECK_FALSE(s.exact);
  CHECK(s.count == 10000);
  const struct {
    double q;
    std::int64_t truth;
  } cases[] = {{50, 5000 * 123'457}, {90, 9000 * 123'457}, {99, 9900 * 123'457}};
  for (const auto& c : cases) {
    const std::int64_t got = bounded.percentile_ns(c.q);
    CHECK(got >= c.truth);
    CHECK(static_cast<double>(got - c.truth) <= static_cast<double>(c.truth) / 1024.0);
  }
  CHECK(bounded.percentile_ns(100) == 10000 * 123'457);  // capped at the true maximum
  CHECK(s.max_ms == Approx(10000 * 0.123457));
}
