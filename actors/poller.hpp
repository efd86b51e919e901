// Poller: fetches requests, feedback, quote requests (the consumer group) and ticks (every
// partition, no group), checks keys and sizes, sends bad input to the DLQ, groups the rest by tenant and
// hands each poll round on; pauses fetching while too much is in flight. No CAF: where
// batches go is the caller's (PollTargets).
#pragma once
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>

#include "messages.hpp"
#include "delivery.hpp"
#include "engine.hpp"
#include "hanzo/hmm/kafka/consumer.hpp"
#include "hanzo/hmm/kafka/offset_tracker.hpp"

namespace hanzo::hmm::actors {

// Where a poll round's batches go (the tenant manager and the market actor in the daemon).
struct PollTargets {
  std::function<void(IngestBatch&&)> tenants;
  std::function<void(TickBatch&&)> ticks;
};

class Poller {
 public:
  static constexpr std::size_t kMaxPollRound = 2048;  // messages per poll round before handing them on

  // Creates the group consumer (with `callbacks`; not yet subscribed) and the ticks consumer.
  static Result<std::unique_ptr<Poller>> create(const Engine& engine, Delivery& delivery,
                                               kafka::RebalanceCallbacks callbacks);
  kafka::Consumer& consumer() noexcept { return *consumer_; }
  kafka::Consumer& ticks() noexcept { return *ticks_; }

  // Subscribes to requests, feedback and quotes (when on); assigns every ticks partition from the beginning.
  Result<void> subscribe();
  Result<void> assign_ticks();
  // The requests and decisions topics' partition counts, from the brokers' metadata.
  Result<void> read_layout(TopicLayout& layout);

  // One round: up to kMaxPollRound messages of the group (waiting up to `wait` for the first)
  // and what the ticks have, dispatched, checked and handed to `to`. Returns the count.
  std::size_t poll(std::chrono::milliseconds wait, const PollTargets& to);
  // Hands on what was polled but not handed on yet.
  void flush(const PollTargets& to);
  // Pauses every assigned partition above the in-flight bound, resumes below its low mark.
  void backpressure(std::size_t in_flight);
  void pause_all(bool pause);
  bool paused() const noexcept { return bp_.paused; }
  // Partitions whose tenants are not restored: their messages are skipped (left uncommitted for
  // whoever restores them).
  void hold(std::int32_t partition) { held_.insert(partition); }
  void release(std::int32_t partition) { held_.erase(partition); }

  // Leaves the group (a last revoke callback may run) and stops the ticks consumer.
  void close();

  std::uint64_t consumed() const noexcept { return consumed_; }
  std::uint64_t dispatched() const noexcept { return dispatched_; }

 private:
  Poller(const Engine& engine, Delivery& delivery, kafka::Backpressure bp)
      : engine_(engine), delivery_(delivery), bp_(bp) {}
  std::size_t drain(kafka::Consumer& consumer, std::chrono::milliseconds wait);
  void handle(kafka::Message&& msg);
  // Why `key` cannot name a tenant, or empty.
  std::string bad_key(const std::optional<std::string>& key) const;

  const Engine& engine_;
  Delivery& delivery_;
  kafka::Backpressure bp_;
  std::unique_ptr<kafka::Consumer> consumer_;  // requests and feedback, in the consumer group
  std::unique_ptr<kafka::Consumer> ticks_;     // every ticks partition, from the beginning
  std::set<std::int32_t> held_;
  IngestBatch tenant_batch_;
  std::unordered_map<std::string, std::size_t> batch_index_;  // tenant -> position in tenant_batch_
  TickBatch tick_batch_;
  std::uint64_t consumed_{0}, dispatched_{0};
};

}  // namespace hanzo::hmm::actors
