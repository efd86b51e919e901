// The daemon's Prometheus metrics (config/prometheus/metrics.txt is the contract: names, types,
// labels). prometheus-cpp stays behind a pimpl; every series is resolved at construction, so the
// hot path does no label lookup: counter and gauge updates are lock-free atomics, a histogram
// observation takes prometheus-cpp's own short per-histogram lock. Thread-safe.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>
#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/kafka/types.hpp"

namespace hanzo::hmm::kafka {
struct PartitionLag;
}
namespace hanzo::hmm::market {
struct Snapshot;
}

namespace hanzo::hmm::daemon {

enum class SourceTopic : std::uint8_t { ticks, requests, feedback, quotes };
// DLQ reasons: a bounded set (the label), the header carries the detail.
enum class DlqReason : std::uint8_t {
  invalid_json,  // not JSON at all
  schema,        // JSON, but fails the wire schema / validation
  bad_key,       // empty, missing or oversized tenant id (the record key)
  too_large,     // payload over daemon.max_message_bytes
  rejected,      // decoded, but refused by the engine (e.g. a tick the market rejects)
};
const char* to_string(DlqReason r) noexcept;  // "invalid_json", "schema", ...

// What happened to a message redelivered after a crash or rebalance (already applied).
enum class Redelivery : std::uint8_t {
  answered,          // a request answered again from the changelog, marked "redelivered"
  not_kept,          // a request whose answer was already committed and dropped
  feedback_skipped,  // feedback already counted
};

struct MetricsOptions {
  std::vector<std::string> classes;  // compute class ids (label values of the class gauges)
  std::vector<std::string> regimes;  // market regime names
  std::string version;               // build_info labels
  std::string revision;
  // messages_consumed_total{topic} values: the Kafka topic names, so the series join with
  // consumer_lag_messages{topic}. Defaults are the default topic names.
  std::string ticks_topic{"hanzo.hmm.ticks"};
  std::string requests_topic{"hanzo.hmm.requests"};
  std::string feedback_topic{"hanzo.hmm.feedback"};
  std::string quotes_topic{"hanzo.hmm.quotes"};
};

class Metrics {
 public:
  explicit Metrics(const MetricsOptions& options);
  ~Metrics();  // stops the HTTP server: civetweb was seen to take up to 2 s to stop its threads
  Metrics(const Metrics&) = delete;
  Metrics& operator=(const Metrics&) = delete;

  // Serves /metrics on HOST:PORT (port 0 picks a free one); errors name the address. Once only:
  // a second call while listening is an error. Besides the contract's metrics, the HTTP
  // exposition carries prometheus-cpp's own exposer_* scrape statistics.
  Result<void> listen(const std::string& address);
  std::uint16_t port() const noexcept;  // the bound port after listen(), else 0
  // The text exposition format, as a scrape would return it.
  std::string scrape() const;

  void consumed(SourceTopic topic) noexcept;
  void decision(bool routed) noexcept;
  // A quote request answered: with a quote (true) or with a refusal (unknown class, no supply).
  void quote(bool quoted) noexcept;
  void dlq(DlqReason reason) noexcept;
  void request_latency(double seconds) noexcept;
  // From the poll loop taking a request to its decision being handed to the producer.
  void processing(double seconds) noexcept;
  void tick_processing(double seconds) noexcept;
  // A tenant-state record's produce-to-acknowledgement time (the offsets it covers commit after).
  void state_write(double seconds) noexcept;
  void event_age(double seconds) noexcept;
  // Prices, supply, credits per class, drift, regime posterior. Entries beyond the configured
  // classes/regimes are ignored.
  void market(const market::Snapshot& snapshot) noexcept;
  void tenant_actors(std::size_t n) noexcept;
  void tenant_evicted(std::size_t n = 1) noexcept;
  void redelivered(Redelivery what) noexcept;
  void tenants_restored(std::size_t n) noexcept;
  void restore_seconds(double seconds) noexcept;
  // A restore found `gaps` records it needed deleted (or chains broken): it holds back the partitions.
  void restore_data_lost(std::size_t gaps) noexcept;
  // exactly_once: a transaction ended (committed, or aborted and its partitions rewound).
  void transaction(bool committed) noexcept;
  // Replaces the lag series with these partitions' (revoked partitions disappear).
  void consumer_lag(std::span<const kafka::PartitionLag> lags);
  void producer_queue(std::size_t n) noexcept;
  void paused_partitions(std::size_t n) noexcept;
  // 1 while the poll loop makes progress (what the watchdog vouches for), 0 when it has not for 5 s.
  void progressing(bool yes) noexcept;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace hanzo::hmm::daemon
