// The load generator on Kafka: produces the Generator's ticks, requests and feedback to the
// daemon's topics and consumes its decisions, measuring request→decision latency.
//
// Sequence: join a fresh consumer group on the decisions topic (group.id
// "hanzo-loadgen-<run_id>", auto.offset.reset=earliest so nothing produced after the join can
// be missed) and read up to the high watermarks seen at the join, so older decisions do not
// delay this run's; warm up: send one request ("<run_id>-warmup", not counted) and the first
// tick, and wait for that decision (a client's first message to a topic waits ~1 s for
// metadata: start-up, not latency); then send for `duration_s`, starting the clock; then wait
// up to `drain_s` for the outstanding decisions. Decisions whose request_id is not of this run
// are counted as foreign and ignored.
//
// Threads: the calling thread paces and produces requests and ticks; one receiver thread
// consumes decisions, records latencies, produces feedback (its own producer) and reports
// progress. A decision is matched by request_id alone; its status is read by a scan of the
// encoder's fixed layout. Fully decoded (wire::decode_decision, counted as invalid when that
// fails): the first decision, one in 256 after it, and every decision that gets feedback.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/kafka/types.hpp"
#include "hanzo/hmm/loadgen/generator.hpp"
#include "hanzo/hmm/loadgen/report.hpp"

namespace hanzo::hmm::loadgen {

struct Topics {
  std::string ticks, requests, feedback, decisions;
  // "<prefix>.ticks", ... (the daemon's defaults with prefix "hanzo.hmm").
  static Topics with_prefix(const std::string& prefix);
};

struct Progress {
  double elapsed_s{0.0};  // since sending started
  std::uint64_t sent{0};
  std::uint64_t decided{0};
  double decisions_per_s{0.0};  // over the last interval
  double p99_ms{0.0};           // so far (histogram)
  std::uint64_t outstanding{0};
};

struct DriverOptions {
  std::string bootstrap;
  Topics topics = Topics::with_prefix("hanzo.hmm");
  GeneratorOptions generator;       // run_id, seed, tenants, feedback ratio, shock (ticks is set here)
  std::optional<double> rate;       // requests/s, open loop; nullopt: closed loop with `window`
  std::uint64_t window{20000};      // closed loop: at most this many requests without a decision
  double duration_s{10.0};
  double drain_s{5.0};              // after sending: how long to wait for missing decisions
  double tick_rate{10.0};           // ticks/s (0: none); each tick carries dt = 1 / tick_rate
  double join_timeout_s{30.0};      // for the consumer's assignment, and again for the warm-up decision
  kafka::Config kafka;              // extra librdkafka properties for every client (SASL, tests)
  std::function<void(const Progress&)> on_progress;  // about once a second, receiver thread
  const std::atomic<bool>* stop{nullptr};             // set (e.g. by SIGINT): stop sending, drain

  Result<void> validate() const;  // errors name the option
};

// The run's report, or an error when it could not run (bad options, Kafka unreachable, no
// decisions partitions assigned in time). Missing decisions are not an error: see the report.
Result<Report> run(const DriverOptions& options);

}  // namespace hanzo::hmm::loadgen
