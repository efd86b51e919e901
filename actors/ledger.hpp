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

namespace hanzo::hmm::actors {

class Ledger {
 public:
  // A token for a consumed message: 15 bits of partition slot, 48 bits of offset (the top bit
  // is the Sink's: it marks a changelog record's delivery, see KafkaSink).
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

// The Sink over a librdkafka producer: produce() from any actor thread; done() queues the token
// for the ingest thread. Failed deliveries are produced again (nothing accepted is lost).
class KafkaSink final : public Sink {
 public:
  // Records for `changelog_topic` go through `changelog` (compressed: they repeat decisions),
  // everything else through `producer`. `metrics` (may be null) gets each state record's
  // produce-to-acknowledgement time.
  KafkaSink(kafka::Producer& producer, kafka::Producer& changelog, std::string changelog_topic,
            daemon::Metrics* metrics = nullptr)
      : producer_(producer), changelog_(changelog), changelog_topic_(std::move(changelog_topic)), metrics_(metrics) {}
  void produce(kafka::Record record, std::uint64_t token) override;
  void done(std::uint64_t token) override;
  void produce_after(kafka::Record state, std::vector<std::pair<kafka::Record, std::uint64_t>> then,
                     std::vector<std::uint64_t> done, std::function<void()> durable) override;
  // Whether a delivered token is a changelog record's (not a consumed message's).
  static bool is_state_token(std::uint64_t token) noexcept { return (token >> 63) != 0; }
  // Delivery callback: the changelog record `token` is durable; what waited on it becomes
  // ready (produced by the ingest thread in take_ready(), never inside the callback, where a
  // full producer queue could not drain).
  void state_delivered(std::uint64_t token);
  // Ingest thread: tokens completed without output since the last call.
  std::vector<std::uint64_t> take_done();
  // Ingest thread: records whose changelog record is durable, to produce now.
  std::vector<std::pair<kafka::Record, std::uint64_t>> take_ready();
  // Changelog records not yet acknowledged.
  std::size_t states_pending() const;
  // exactly_once: once one record of a transaction fails (librdkafka then refuses the rest of
  // it), the transaction is doomed: failed records are not sent again; their inputs count as
  // done (discard) so ending the transaction need not wait for them, and it is aborted.
  void set_transactional(bool on) noexcept { transactional_ = on; }
  void discard(std::uint64_t token);
  bool doomed() const noexcept { return doomed_.load(std::memory_order_relaxed); }
  void clear_doomed() noexcept { doomed_.store(false, std::memory_order_relaxed); }
  // After an abort: forgets every record still waiting on a state record or for the ingest
  // thread (they belonged to the aborted transaction; their inputs are processed again).
  void drop_pending();
 private:
  struct Waiting {
    std::vector<std::pair<kafka::Record, std::uint64_t>> then;
    std::vector<std::uint64_t> done;
    std::function<void()> durable;
    std::chrono::steady_clock::time_point produced;
  };
  kafka::Producer& producer_;
  kafka::Producer& changelog_;
  std::string changelog_topic_;
  daemon::Metrics* metrics_;
  mutable std::mutex mutex_;
  std::vector<std::uint64_t> done_;
  std::vector<std::pair<kafka::Record, std::uint64_t>> ready_;
  std::unordered_map<std::uint64_t, Waiting> waiting_;  // by state token
  std::uint64_t next_state_{0};
  bool transactional_{false};
  std::atomic<bool> doomed_{false};
};

}  // namespace hanzo::hmm::actors
