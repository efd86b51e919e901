// Which offsets are safe to commit, and when to pause fetching. Pure logic, no librdkafka.
//
// The contract: an offset is committed only once the producer has acknowledged the
// results of every message below it. Messages finish out of order (different tenants, different
// actors), so the committable position of a partition is the lowest offset still in flight, or
// one past the last dispatched offset when nothing is in flight. Offsets never handed out (gaps
// from compaction or transaction markers) do not hold the position back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/kafka/types.hpp"

namespace hanzo::hmm::kafka {

// One partition. Kafka delivers a partition's offsets in increasing order, so the in-flight
// window is a sorted deque: dispatch appends, ack is a binary search, the acknowledged prefix
// is popped. Memory is bounded by the window between the oldest unacked and newest dispatched.
class PartitionOffsets {
 public:
  // Records that `offset` was handed to processing. Fails if it does not increase (a
  // redelivery after a seek must go through reset() first).
  Result<void> dispatched(std::int64_t offset);
  // Records that the results of `offset` are acknowledged. Returns false for an offset that is
  // not in flight (unknown, or acknowledged already): duplicates are harmless.
  bool acknowledged(std::int64_t offset);

  // Next offset safe to commit (every dispatched offset below it is acknowledged); none before
  // the first dispatch.
  std::optional<std::int64_t> committable() const;
  // committable() if it moved past the last value taken, and remembers it: call after acks,
  // commit what it returns.
  std::optional<std::int64_t> take_commit();
  // The commit of `offset` failed: offer it again on the next take_commit() unless a later one
  // was taken since (which covers it).
  void commit_failed(std::int64_t offset);

  std::size_t in_flight() const noexcept { return in_flight_; }
  // Forgets everything (partition revoked, or the consumer seeked back).
  void reset();

 private:
  struct Slot {
    std::int64_t offset;
    bool acked;
  };
  std::deque<Slot> window_;  // dispatched, oldest first; front is never acked
  std::optional<std::int64_t> last_dispatched_;
  std::optional<std::int64_t> last_taken_;
  std::size_t in_flight_{0};
};

// All partitions of one consumer.
class OffsetTracker {
 public:
  Result<void> dispatched(const TopicPartition& tp, std::int64_t offset);
  bool acknowledged(const TopicPartition& tp, std::int64_t offset);
  std::optional<std::int64_t> committable(const TopicPartition& tp) const;
  std::size_t in_flight(const TopicPartition& tp) const;
  std::size_t in_flight() const noexcept { return total_in_flight_; }
  // Every partition whose committable position advanced since the last call (marks them taken).
  std::vector<TopicPartitionOffset> take_commits();
  // These commits failed: take_commits() offers them again.
  void commit_failed(const std::vector<TopicPartitionOffset>& offsets);
  // Drops a partition (revoked); its in-flight count leaves the total.
  void remove(const TopicPartition& tp);
  void clear();

 private:
  std::map<TopicPartition, PartitionOffsets> parts_;
  std::size_t total_in_flight_{0};
};

// Pause/resume with hysteresis: pause when the in-flight count reaches `high`, resume only once
// it has fallen to `low`, so a count hovering near one bound does not flap the partitions.
struct Backpressure {
  enum class Action { none, pause, resume };

  std::size_t high{0};
  std::size_t low{0};
  bool paused{false};

  // Requires low < high (otherwise a single count could both pause and resume).
  static Result<Backpressure> make(std::size_t high, std::size_t low);
  // Feeds the current in-flight count; says whether to pause or resume now (edge-triggered).
  Action update(std::size_t in_flight) noexcept;
};

}  // namespace hanzo::hmm::kafka
