// Internals of the driver (driver.cpp): the state the sending and receiving threads share, and
// the receiver thread (decisions in, latencies, feedback out, progress).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hanzo/hmm/kafka/consumer.hpp"
#include "hanzo/hmm/kafka/producer.hpp"
#include "hanzo/hmm/loadgen/driver.hpp"
#include "hanzo/hmm/loadgen/latency.hpp"

namespace hanzo::hmm::loadgen::detail {

using Clock = std::chrono::steady_clock;

// The value of a top-level string field of a decision, read by a scan of the encoder's fixed
// layout (keys in a fixed order, no whitespace). nullopt when not found, null, or escaped: the
// caller falls back to the full decoder. `key` is e.g. "\"request_id\":".
std::optional<std::string_view> scan_string_field(std::string_view json, std::string_view key) noexcept;

// Client settings: bootstrap, client id and Nagle off (see driver.cpp), then `defaults`, then the
// user's `extra` properties (which override both).
kafka::Config client_config(const std::string& bootstrap, const std::string& client_id, const kafka::Config& extra,
                            kafka::Config defaults);

// The request sent before the clock starts (see driver.hpp), not counted in the report.
inline std::string warmup_request_id(const std::string& run_id) { return run_id + "-warmup"; }

struct Shared {
  std::mutex mu;
  std::unordered_map<std::uint64_t, Clock::time_point> outstanding;  // request index → when produced
  std::uint64_t next_index{0};  // under mu: every index below was handed to produce()

  std::atomic<std::uint64_t> sent{0};     // requests Kafka accepted
  std::atomic<std::uint64_t> decided{0};  // distinct requests with a decision
  std::atomic<bool> assigned{false};      // set by the rebalance callback
  std::atomic<bool> caught_up{false};     // read up to the high watermarks seen at the join
  std::atomic<bool> warmed{false};        // the warm-up request's decision arrived
  std::atomic<bool> started{false};       // `start` is set
  Clock::time_point start;

  std::atomic<std::uint64_t> send_errors{0};
  std::mutex error_mu;
  std::string first_error;  // under error_mu
  void note_error(const std::string& what);
};

class Receiver {
 public:
  Receiver(const DriverOptions& options, const Generator& generator, Shared& shared, kafka::Consumer consumer,
           kafka::Producer feedback);
  void run(std::stop_token stop);

  // Read after the thread has been joined.
  LatencyRecorder latency;
  std::uint64_t duplicates{0}, routed{0}, rejected{0}, foreign{0}, invalid{0}, feedback_sent{0};
  std::string sample_decision;
  std::optional<Clock::time_point> last_decision;
  std::string last_consumer_error;  // for the "not assigned in time" message

 private:
  void handle(const kafka::Message& m);
  void catch_up_target();
  void send_feedback(const routing::Decision& decision, const std::optional<std::string>& key);
  void progress(Clock::time_point now);

  const DriverOptions& options_;
  const Generator& generator_;
  Shared& shared_;
  kafka::Consumer consumer_;
  kafka::Producer feedback_;
  const std::string warmup_id_;
  std::uint64_t decoded_{0};  // decisions of this run seen, for the 1-in-256 full decode
  std::optional<std::map<std::int32_t, std::int64_t>> targets_;  // partition → high watermark at the join
  std::map<std::int32_t, std::int64_t> position_;                  // partition → next offset
  Clock::time_point next_progress_{}, last_progress_{};
  std::uint64_t progress_decided_{0};
};

}  // namespace hanzo::hmm::loadgen::detail
