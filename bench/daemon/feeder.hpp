// Feeds a bench's input topic as it is consumed. librdkafka's mock cluster keeps 5 MiB per
// partition and silently drops older data, so pre-filling more than that loses requests and a
// bench waiting for them hangs. The feeder pre-fills up to a bound (before the clock starts),
// then a thread produces the rest, never more than the bound ahead of what was consumed.
#pragma once

#include <librdkafka/rdkafka.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace feeder {

// The mock's retention per partition (rdkafka_mock.c: 5 MiB or 100,000 message sets).
inline constexpr double kMockPartitionBytes = 5.0 * 1024 * 1024;
// Per-record overhead counted against the bound (batch headers amortised, generous).
inline constexpr std::size_t kRecordOverhead = 70;
// Default bound: 3 MiB unconsumed per partition leaves room for keys hashing unevenly.
inline constexpr double kDefaultAheadPerPartition = 3.0 * 1024 * 1024;

struct Record {
  std::string key, value;
};

class Feeder {
 public:
  using Make = std::function<Record(std::uint64_t)>;
  // Records make(0) .. make(n-1) to `topic` (default partitioner: by key), at most
  // `ahead_bytes` (key + value + overhead) beyond record `consumed`.
  Feeder(std::string bootstrap, std::string topic, std::uint64_t n, Make make, double ahead_bytes,
         const std::atomic<std::uint64_t>& consumed);
  ~Feeder();
  Feeder(const Feeder&) = delete;
  Feeder& operator=(const Feeder&) = delete;

  void prefill();  // produces up to the bound and waits for the broker's acknowledgements
  void start();    // produces the rest on a thread
  void join();
  std::uint64_t prefilled() const noexcept { return prefilled_; }

 private:
  void produce(std::uint64_t i);
  void flush();

  std::string topic_;
  std::uint64_t n_;
  Make make_;
  double ahead_;
  const std::atomic<std::uint64_t>& consumed_;
  std::vector<std::uint64_t> end_bytes_;  // bytes of records [0, i] , filled as they are produced
  std::uint64_t next_{0}, prefilled_{0};
  std::atomic<std::uint64_t> failed_{0};
  rd_kafka_t* rk_{nullptr};
  std::thread thread_;
};

}  // namespace feeder
