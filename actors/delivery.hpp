// Delivery: what leaves the daemon and what it may commit. Owns the producers (results and
// the tenant-state changelog), the sink the actors write through, the ledger of consumed
// messages, and the restore points written with each commit. Serves delivery reports on the
// ingest thread, sends failed deliveries again (nothing accepted is lost), and commits the
// offsets whose results are all durable. No CAF.
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "hanzo/hmm/daemon/config.hpp"
#include "hanzo/hmm/kafka/consumer.hpp"
#include "hanzo/hmm/kafka/producer.hpp"
#include "ledger.hpp"
#include "restore_points.hpp"

namespace hanzo::hmm::actors {

class Delivery {
 public:
  using Clock = std::chrono::steady_clock;
  // Creates the producers (errors name the bad librdkafka key). With exactly_once one
  // transactional producer writes everything, state records included.
  static Result<std::unique_ptr<Delivery>> create(const daemon::DaemonConfig& config, daemon::Metrics* metrics);
  // The producers go first: their last delivery reports (served while they flush) still reach
  // the sink and the ledger.
  ~Delivery();

  KafkaSink& sink() noexcept { return *sink_; }
  kafka::Producer& producer() noexcept { return *producer_; }
  kafka::Producer& changelog() noexcept { return changelog_ ? *changelog_ : *producer_; }
  bool transactional() const noexcept { return transactional_; }

  // A consumed message's token (its results acknowledge it), or why it cannot be tracked.
  Result<std::uint64_t> dispatch(const kafka::TopicPartition& tp, std::int64_t offset) {
    return ledger_.dispatch(tp, offset);
  }
  std::size_t in_flight() const noexcept { return ledger_.in_flight(); }
  std::uint64_t acknowledgements() const noexcept { return ledger_.acknowledgements(); }
  // Serves delivery reports, acknowledges what the actors finished, sends failed records again.
  void serve();
  // Serves until every dispatched message is acknowledged and no state record is pending, or
  // `deadline`, or `stall` without any change; `beat` runs each round (liveness). True if done.
  bool quiesce(Clock::time_point deadline, std::optional<Clock::duration> stall, const std::function<void()>& beat);
  // Flushes both producers (errors logged), then serves the last reports.
  void flush(std::chrono::milliseconds timeout);
  std::size_t queue_length() const;

  // Restore points. A poll round starts: the next request of each partition marks its floors.
  void begin_round() noexcept { ++round_; }
  // A requests message; the first of its partition in this round records where the answers of
  // the round will be (`answer_partitions`: the decisions partitions it may write to).
  void mark(std::int32_t partition, std::int64_t offset, const std::function<std::vector<std::int32_t>()>& answer_partitions);
  // After a restore: partition `p` starts at `committed`, its answers at `from`; requests up to
  // `answered_through` were answered before, so commits below it keep pointing at `from`.
  void restored(std::int32_t p, std::int64_t committed, DecisionFloors::Floors from, std::int64_t answered_through);

  // The committable offsets (none of `skip_topic`), requests-topic ones with their restore point.
  std::vector<kafka::TopicPartitionOffset> take_commits(const std::string& skip_topic, const std::string& requests_topic);
  // Commits them through `consumer`; a failure is logged and offered again next time. Returns
  // what a sync commit committed (async: empty; the consumer's commit callback reports it).
  std::vector<kafka::TopicPartitionOffset> commit(kafka::Consumer& consumer, kafka::CommitMode mode,
                                                  const daemon::Topics& topics);
  void commit_failed(const std::vector<kafka::TopicPartitionOffset>& offsets) { ledger_.commit_failed(offsets); }
  // Forgets revoked partitions: their late acknowledgements, their floors and changelog index.
  void forget(const std::vector<kafka::TopicPartition>& tps, const std::vector<std::int32_t>& request_partitions);

 private:
  Delivery() = default;
  void on_report(const kafka::DeliveryReport& r);

  Ledger ledger_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<kafka::Producer> changelog_;  // null with exactly_once
  std::unique_ptr<KafkaSink> sink_;
  std::vector<std::pair<kafka::Record, std::uint64_t>> retry_;  // failed deliveries to resend
  DecisionFloors floors_;
  std::uint64_t round_{0};
  std::vector<std::uint64_t> round_marked_;  // per requests partition: the last round it was marked in
  bool transactional_{false};
};

}  // namespace hanzo::hmm::actors
