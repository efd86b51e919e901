// A librdkafka group consumer behind a pimpl, set up for at-least-once processing:
// - eager "range" assignment by default (librdkafka 2.0.2's cooperative paths have known bugs),
//   overridable with partition.assignment.strategy;
// - enable.auto.commit=false and enable.auto.offset.store=false are enforced: offsets are
//   committed explicitly, only behind producer acknowledgements (see OffsetTracker);
// - auto.offset.reset=earliest by default, so a new group does not skip requests.
// All callbacks run inside poll() or close() (also the destructor's implicit close), on the
// polling thread; what they capture must outlive the Consumer, and they must not throw.
// A Consumer is used from one thread (the ingest thread); a moved-from one may only be destroyed.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/kafka/types.hpp"

namespace hanzo::hmm::kafka {

namespace detail {
struct ConsumerAccess;  // the librdkafka handle, for the transactional producer (src/kafka only)
}

struct RebalanceCallbacks {
  // Before fetching from newly assigned partitions starts: restore their tenants here.
  std::function<void(const std::vector<TopicPartition>&)> assigned;
  // Before partitions go away: flush their state and commit what is acknowledged here.
  // librdkafka keeps a partition's pause flag across revocation and a later re-assignment
  // (librdkafka#1849): resume revoked partitions here, re-apply pauses on assignment if needed.
  std::function<void(const std::vector<TopicPartition>&)> revoked;
  // Outcome of asynchronous commits (optional).
  std::function<void(const Result<void>&, const std::vector<TopicPartitionOffset>&)> committed;
};

enum class CommitMode { sync, async };

struct PartitionLag {
  std::string topic;
  std::int32_t partition{0};
  std::int64_t low{-1};        // low watermark (oldest retained offset)
  std::int64_t high{-1};       // high watermark (next offset to be written)
  std::int64_t committed{-1};  // group's committed offset, -1 if none
  std::int64_t lag{0};         // high - committed (or high - low if nothing committed)
};

class Consumer {
 public:
  // `config` must include group.id and bootstrap.servers.
  static Result<Consumer> create(const Config& config, RebalanceCallbacks callbacks = {});

  Consumer(Consumer&&) noexcept;
  Consumer& operator=(Consumer&&) noexcept;
  ~Consumer();  // close()s if not closed yet

  Result<void> subscribe(const std::vector<std::string>& topics);
  // Manual assignment instead of a subscription (no group membership): `offset` is where to
  // start, or kOffsetBeginning / kOffsetEnd. Replaces any earlier assignment.
  static constexpr std::int64_t kOffsetBeginning = -2;  // RD_KAFKA_OFFSET_BEGINNING
  static constexpr std::int64_t kOffsetEnd = -1;        // RD_KAFKA_OFFSET_END
  Result<void> assign(const std::vector<TopicPartitionOffset>& partitions);
  // Moves the fetch positions (rewind after an aborted transaction): each offset is absolute,
  // or kOffsetBeginning/kOffsetEnd, or kOffsetStored (the group's committed offset, else auto.offset.reset).
  // Only for partitions currently assigned; messages already fetched are dropped. kOffsetStored
  // costs a round trip to the coordinator first (librdkafka 2.0.2 cannot seek to it itself);
  // `timeout` covers both. A partition's failure is an Error naming it.
  static constexpr std::int64_t kOffsetStored = -1000;  // RD_KAFKA_OFFSET_STORED
  Result<void> seek(const std::vector<TopicPartitionOffset>& offsets, std::chrono::milliseconds timeout);
  // The topic's partition count from the broker's metadata (errors: unknown topic, timeout).
  Result<int> partition_count(const std::string& topic, std::chrono::milliseconds timeout);
  // (low, high) watermarks of one partition, asked of the broker.
  Result<std::pair<std::int64_t, std::int64_t>> watermarks(const std::string& topic, std::int32_t partition,
                                                           std::chrono::milliseconds timeout);

  // One message, nothing within `timeout` (nullopt), or a consumer error (broker down, unknown
  // topic, ...). Errors are usually transient: log and keep polling.
  Result<std::optional<Message>> poll(std::chrono::milliseconds timeout);

  // Stops/restarts fetching from one partition; poll() keeps serving the others (and must keep
  // being called, or the group evicts the consumer after max.poll.interval.ms).
  Result<void> pause(const std::string& topic, std::int32_t partition);
  Result<void> resume(const std::string& topic, std::int32_t partition);

  // Commits `next_offset` (last processed + 1) for the group.
  Result<void> commit(const std::string& topic, std::int32_t partition, std::int64_t next_offset,
                      CommitMode mode = CommitMode::sync);
  Result<void> commit(const std::vector<TopicPartitionOffset>& offsets, CommitMode mode = CommitMode::sync);

  // The group's committed offsets for `partitions` (-1 where none), asked of the coordinator.
  Result<std::vector<TopicPartitionOffset>> committed(const std::vector<TopicPartition>& partitions,
                                                      std::chrono::milliseconds timeout);
  Result<std::vector<TopicPartition>> assignment() const;
  // In a revoke callback: whether the assignment was lost (session timeout, max.poll.interval.ms
  // exceeded) rather than given up in a rebalance; commits then fail, others may own it already.
  bool assignment_lost() const;

  // Lag of every assigned partition from the watermarks and the group's committed offsets
  // (consumer lag metric; like librdkafka's stats consumer_lag). Watermarks come from the last
  // fetch response when there is one, else from the broker (up to `timeout` per round trip).
  Result<std::vector<PartitionLag>> lag(std::chrono::milliseconds timeout);

  // The same figures from librdkafka's last statistics event (statistics.interval.ms must be
  // set; events are served by poll()): never blocks, so a poll loop can publish it. Partitions
  // assigned to this consumer only; empty before the first event.
  std::vector<PartitionLag> statistics_lag() const;
  // Whether any broker connection was "UP" in the last statistics event and that event is at
  // most `max_age` old: statistics that stopped coming are no evidence of a connection. nullopt:
  // none ever came (statistics.interval.ms = 0).
  std::optional<bool> statistics_connected(std::chrono::steady_clock::duration max_age) const;

  // Leaves the group (revoked callback runs) and stops. Idempotent.
  Result<void> close();

 private:
  friend struct detail::ConsumerAccess;
  struct Impl;
  explicit Consumer(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hanzo::hmm::kafka
