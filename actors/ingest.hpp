// The ingest thread: a plain thread (CAF 0.17 detached actors deadlock at shutdown) that polls
// Kafka, validates and decodes, sends bad input to the DLQ and good input to the actors, serves
// the producer's delivery reports, commits acknowledged offsets, and applies backpressure by
// pausing partitions while polling continues. See actors.hpp for the flow.
#pragma once
#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "actors.hpp"
#include "engine.hpp"
#include "hanzo/hmm/daemon/changelog.hpp"
#include "hanzo/hmm/daemon/metrics.hpp"
#include "hanzo/hmm/daemon/notify.hpp"
#include "hanzo/hmm/kafka/consumer.hpp"
#include "hanzo/hmm/kafka/offset_tracker.hpp"
#include "hanzo/hmm/kafka/producer.hpp"
#include "hanzo/hmm/wire/request.hpp"
#include "ledger.hpp"

namespace hanzo::hmm::daemon {
class Health;
}

namespace hanzo::hmm::actors {

// The daemon's [kafka] properties for a consumer: producer-only keys dropped, statistics on.
kafka::Config consumer_properties(const kafka::Config& props);
// ... for the ticks consumer: no statistics, and a long poll (at least kTickFetchWaitMs).
inline constexpr long kTickFetchWaitMs = 100;
kafka::Config tick_consumer_properties(const kafka::Config& props);
// ... for a producer: consumer-only keys dropped, room for a DLQ copy of a maximal input.
kafka::Config producer_properties(const kafka::Config& props, std::size_t max_message_bytes);
// `producer_props` with lz4 unless a compression is configured (less to write and to read back
// on restore).
kafka::Config compressed_properties(const kafka::Config& producer_props, const daemon::DaemonConfig& config);
// The changelog producer's (at_least_once): compressed, and sent at once (linger.ms=0) unless a
// linger is configured.
kafka::Config changelog_properties(const kafka::Config& producer_props, const daemon::DaemonConfig& config);

struct IngestStats {
  std::uint64_t consumed{0};
  std::uint64_t dispatched{0};
  std::uint64_t dead_lettered{0};  // every DLQ record (bad keys and sizes here, bad JSON in tenants, bad ticks)
  std::size_t left_in_flight{0};  // after the drain (0 = orderly)
  bool failed{false};             // exactly_once: stopped on an error it cannot recover from (fenced)
};

class Ingest {
 public:
  // Creates the producer and the consumer (errors name the bad librdkafka key) and subscribes.
  static Result<std::unique_ptr<Ingest>> create(Engine& engine);
  ~Ingest();

  kafka::Producer& producer() noexcept { return *producer_; }
  Sink& sink() noexcept { return *sink_; }
  // Waits until the group coordinator answers (Kafka reachable), up to `timeout`.
  Result<void> await_connection(std::chrono::milliseconds timeout);
  // Runs the poll loop until `stop` is set, then drains: stops fetching, waits for every
  // dispatched message's result to be acknowledged (up to daemon.shutdown_timeout_seconds),
  // flushes the producer, commits, leaves the group.
  IngestStats run(tenant_manager_actor manager, market_actor market, const std::atomic<bool>& stop);
  // "consumed N, dead-lettered D, in flight F" for systemd's STATUS= (any thread).
  std::string status_line() const;
  std::uint64_t consumed() const noexcept { return consumed_.load(std::memory_order_relaxed); }
  std::uint64_t in_flight() const noexcept { return in_flight_.load(std::memory_order_relaxed); }
  // exactly_once: the poll loop stopped on an error it cannot recover from (e.g. fenced by a
  // newer instance); the daemon exits non-zero so systemd restarts it (any thread).
  bool failed() const noexcept { return failed_.load(std::memory_order_relaxed); }
  // For EXTEND_TIMEOUT_USEC during long restores (before run()).
  void set_notifier(daemon::Notifier notifier) { notifier_ = std::move(notifier); }

 private:
  explicit Ingest(Engine& engine);
  void handle(kafka::Message&& msg);
  void dead_letter(const kafka::Message& msg, std::uint64_t token, daemon::DlqReason reason, std::string detail);
  void flush_batches();
  void serve();
  void backpressure();
  void periodic(std::chrono::steady_clock::time_point now);
  void commit(kafka::CommitMode mode);
  // The group now has `offsets` committed: requests-topic ones go to the CommitBoard.
  void note_committed(const std::vector<kafka::TopicPartitionOffset>& offsets);
  // The committable offsets, requests-topic ones with their restore point as metadata.
  std::vector<kafka::TopicPartitionOffset> take_commits();
  // A requests message of this poll round: the first one of its partition marks the round's
  // decision floors.
  void mark_round(std::int32_t partition, std::int64_t offset);
  std::vector<std::int32_t> answer_partitions(std::int32_t partition) const;
  void pause_all(bool pause);
  void drain();
  std::size_t poll_round(kafka::Consumer& consumer, std::chrono::milliseconds wait);
  Result<void> assign_ticks();
  // The requests and decisions topics' partition counts into engine_.layout.
  Result<void> read_layout();
  // Rebalance hooks (called inside poll): restore the new partitions' tenants from the
  // changelog before their first message; on revoke, finish and commit in-flight work, then
  // drop the partitions' tenants (their state is in the changelog).
  void restore(const std::vector<kafka::TopicPartition>& assigned);
  void release(const std::vector<kafka::TopicPartition>& revoked);
  // False (and loudly reported) if the broker deleted records the restore needed.
  bool restore_complete(const daemon::RestoredChangelog& states, const daemon::RestoredAnswers& answers);
  // Waits until every dispatched message's results are acknowledged, without polling (so
  // nothing new is dispatched); false if that did not happen by the shutdown timeout, or
  // within `stall` of the last acknowledgement.
  bool quiesce(std::optional<std::chrono::steady_clock::duration> stall = std::nullopt);
  // Forgets partitions: their late acknowledgements and their tenants (dropped by the manager).
  void forget(const std::vector<kafka::TopicPartition>& tps);
  // exactly_once (ingest_transaction.cpp). init_transactions + begin, before run().
  Result<void> start_transactions();
  // Commits the open transaction with the processed-through offsets when it is big or old enough.
  void transaction_round(std::chrono::steady_clock::time_point now);
  // Quiesces, then sends the offsets and commits; on an abortable error aborts and rewinds
  // every assigned partition except `leaving` to its last committed offset (tenants restored
  // from the changelog). Then begins the next transaction if `begin_next`. False on failure.
  bool end_transaction(bool begin_next, const std::vector<kafka::TopicPartition>& leaving = {});
  void abort_and_rewind(const std::vector<kafka::TopicPartition>& leaving);
  void fail(const std::string& why);  // unrecoverable: stop the loop, exit non-zero
  kafka::Producer& changelog() noexcept { return changelog_ ? *changelog_ : *producer_; }

  Engine& engine_;
  Ledger ledger_;
  std::unique_ptr<kafka::Producer> producer_;
  // Tenant-state records only (lz4 by default); null with exactly_once, where one
  // transactional producer writes everything.
  std::unique_ptr<kafka::Producer> changelog_;
  std::unique_ptr<KafkaSink> sink_;
  std::unique_ptr<kafka::Consumer> consumer_;  // requests and feedback, in the consumer group
  std::unique_ptr<kafka::Consumer> ticks_;     // every ticks partition, from the beginning
  kafka::Backpressure bp_;
  std::vector<std::pair<kafka::Record, std::uint64_t>> retry_;  // failed deliveries to resend
  DecisionFloors floors_;
  std::uint64_t round_{0};
  std::vector<std::uint64_t> round_marked_;  // per requests partition: the last round it was marked in
  tenant_manager_actor manager_;
  const std::atomic<bool>* stop_{nullptr};
  daemon::Notifier notifier_;
  // Partitions whose restore was cut short (SIGTERM): their messages are not dispatched, so
  // they stay uncommitted for the next owner.
  std::set<std::int32_t> unrestored_;
  market_actor market_;
  IngestBatch tenant_batch_;
  std::unordered_map<std::string, std::size_t> batch_index_;  // tenant -> position in tenant_batch_
  TickBatch tick_batch_;
  std::size_t paused_{0};
  IngestStats stats_;
  std::atomic<std::uint64_t> consumed_{0}, in_flight_{0};  // for status_line()
  std::chrono::steady_clock::time_point last_commit_{}, last_metrics_{}, last_heartbeat_{};
  std::chrono::steady_clock::time_point last_progress_{std::chrono::steady_clock::now()};
  // exactly_once
  bool eos_{false};
  std::chrono::steady_clock::time_point txn_begun_{};
  std::size_t txn_messages_{0};  // dispatched since the transaction began
  bool txn_open_{false};
  std::atomic<bool> failed_{false};
};

}  // namespace hanzo::hmm::actors
