// The ingest thread's bookkeeping of consumed messages (no CAF, no librdkafka): a token per
// dispatched message, acknowledgements from the producer and the actors, the offsets safe to
// commit. Used from the ingest thread only (delivery reports and completions are served there).
#pragma once
#include <cstdint>
#include <map>
#include <mutex>
#include <vector>

#include "engine.hpp"
#include "hanzo/hmm/kafka/offset_tracker.hpp"
#include "hanzo/hmm/kafka/producer.hpp"

namespace hanzo::hmm::actors {

class Ledger {
 public:
  // A token for a consumed message: 16 bits of partition slot, 48 bits of offset.
  Result<std::uint64_t> dispatch(const kafka::TopicPartition& tp, std::int64_t offset);
  void acknowledge(std::uint64_t token);
  std::size_t in_flight() const noexcept { return tracker_.in_flight(); }
  std::vector<kafka::TopicPartitionOffset> take_commits() { return tracker_.take_commits(); }
  // Revoked partitions: their late acknowledgements are ignored.
  void remove(const kafka::TopicPartition& tp) { tracker_.remove(tp); }
 private:
  kafka::OffsetTracker tracker_;
  std::vector<kafka::TopicPartition> slots_;
  std::map<kafka::TopicPartition, std::uint16_t> slot_of_;
};

// The Sink over a librdkafka producer: produce() from any actor thread; done() queues the token
// for the ingest thread. Failed deliveries are produced again (nothing accepted is lost).
class KafkaSink final : public Sink {
 public:
  explicit KafkaSink(kafka::Producer& producer) : producer_(producer) {}
  void produce(kafka::Record record, std::uint64_t token) override;
  void done(std::uint64_t token) override;
  // Ingest thread: tokens completed without output since the last call.
  std::vector<std::uint64_t> take_done();
 private:
  kafka::Producer& producer_;
  std::mutex mutex_;
  std::vector<std::uint64_t> done_;
};

}  // namespace hanzo::hmm::actors
