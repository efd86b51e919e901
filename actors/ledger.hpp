// The ingest thread's bookkeeping of consumed messages (no CAF, no librdkafka): a token per
// dispatched message, acknowledgements from the producer and the actors, the offsets safe to
// commit. Used from the ingest thread only (delivery reports and completions are served there).
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <unordered_map>
#include <vector>

#include "engine.hpp"
#include "hanzo/hmm/kafka/offset_tracker.hpp"
#include "hanzo/hmm/kafka/producer.hpp"
#include "restore_points.hpp"

namespace hanzo::hmm::actors {

class Ledger {
 public:
  // A token for a consumed message: 14 bits of partition slot, 48 bits of offset (the top two
  // bits are the Sink's: they mark a state record's or a decision's delivery, see KafkaSink).
  Result<std::uint64_t> dispatch(const kafka::TopicPartition& tp, std::int64_t offset);
  void acknowledge(std::uint64_t token);
  std::uint64_t acknowledgements() const noexcept { return acks_; }  // ever (progress signal)
  std::size_t in_flight() const noexcept { return tracker_.in_flight(); }
  std::vector<kafka::TopicPartitionOffset> take_commits() { return tracker_.take_commits(); }
  void commit_failed(const std::vector<kafka::TopicPartitionOffset>& offsets) { tracker_.commit_failed(offsets); }
  // Revoked partitions: their late acknowledgements are ignored.
  void remove(const kafka::TopicPartition& tp) { tracker_.remove(tp); }
 private:
  kafka::OffsetTracker tracker_;
  std::uint64_t acks_{0};
  std::vector<kafka::TopicPartition> slots_;
  std::map<kafka::TopicPartition, std::uint16_t> slot_of_;
};

// The Sink over librdkafka producers: produce*() from any actor thread; delivery reports are
// served on the ingest thread (delivered()), which acknowledges consumed messages through
// take_done(). Failed deliveries are produced again by the ingest thread (nothing accepted is
// lost). It also keeps the restore points' inputs: the decisions partitions' next offsets and
// the changelog's index of full records (restore_points.hpp).
class KafkaSink final : public Sink {
 public:
  // Tenant-state records go through `changelog`, everything else through `producer`.
  // `metrics` (may be null) gets each state record's produce-to-acknowledgement time and each
  // decision's request-to-produce latency.
  KafkaSink(kafka::Producer& producer, kafka::Producer& changelog, daemon::Metrics* metrics = nullptr)
      : producer_(producer), changelog_(changelog), metrics_(metrics) {}
  ~KafkaSink() override { drop_pending(); }
  void produce(kafka::Record record, std::uint64_t token) override;
  void done(std::uint64_t token) override;
  void produce_decision(const kafka::Record& record, WriteGate& gate) override;
  void produce_state(kafka::Record state, std::vector<std::uint64_t> covered, WriteGate& gate, bool full) override;

  // What a delivery report's token stands for.
  enum class Kind { input, decision, state };
  static Kind kind(std::uint64_t token) noexcept {
    return token >> 63 ? Kind::state : (token >> 62) & 1 ? Kind::decision : Kind::input;
  }
  // Delivery callback for a decision or a state record that Kafka acknowledged.
  void delivered(const kafka::DeliveryReport& report);
  // Ingest thread: tokens acknowledged since the last call.
  std::vector<std::uint64_t> take_done();
  // State records not yet acknowledged.
  std::size_t states_pending() const;

  // Restore points (ingest thread).
  DecisionFloors::Floors decision_floors(const std::vector<std::int32_t>& decisions_partitions) const;
  std::int64_t changelog_floor(std::int32_t partition) const;
  void seed_decisions(std::int32_t q, std::int64_t end);
  template <class F>
  void with_index(F&& f) {
    std::lock_guard lock(mutex_);
    f(index_);
  }

  // exactly_once: once one record of a transaction fails (librdkafka then refuses the rest of
  // it), the transaction is doomed: failed records are not sent again; their inputs count as
  // done (discard) so ending the transaction need not wait for them, and it is aborted.
  void set_transactional(bool on) noexcept { transactional_ = on; }
  void discard(std::uint64_t token);
  bool doomed() const noexcept { return doomed_.load(std::memory_order_relaxed); }
  void clear_doomed() noexcept { doomed_.store(false, std::memory_order_relaxed); }
  // After an abort: forgets every state record still in flight (it belonged to the aborted
  // transaction; its inputs are processed again).
  void drop_pending();

 private:
  // Produces `record` (librdkafka copies it), waiting out a full queue.
  void send(const kafka::Record& record, std::uint64_t token);
  struct Waiting {
    std::vector<std::uint64_t> covered;
    WriteGate* gate{nullptr};
    std::string tenant;
    std::int32_t partition{-1};
    bool full{false};
    std::chrono::steady_clock::time_point produced;
  };
  static WriteGate* gate_of(std::uint64_t token) noexcept {
    return reinterpret_cast<WriteGate*>(static_cast<std::uintptr_t>(token & ~(std::uint64_t{3} << 62)));
  }
  kafka::Producer& producer_;
  kafka::Producer& changelog_;
  daemon::Metrics* metrics_;
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> done_;
  std::unordered_map<std::uint64_t, Waiting> waiting_;  // by state token
  std::uint64_t next_state_{0};
  std::map<std::int32_t, std::int64_t> decisions_next_;  // per decisions partition
  ChangelogIndex index_;
  bool transactional_{false};
  std::atomic<bool> doomed_{false};
};

}  // namespace hanzo::hmm::actors
