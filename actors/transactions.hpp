// Transactions: processing.guarantee = "exactly_once", consume-transform-produce in Kafka
// transactions. One transactional producer (Delivery's) writes decisions, prices, DLQ records
// and tenant state; a transaction ends when it covers transaction_max_messages consumed
// messages or is transaction_max_seconds old. Ending it: hand on what was polled, wait until
// every dispatched message's results are acknowledged, then add the processed-through offsets
// (the ledger's, never the poll position) and commit. So a transaction's offsets cover exactly
// the messages whose results it holds, and an aborted one leaves no trace for read_committed
// readers. Abortable errors: abort, rewind the partitions to their committed offsets, restore
// their tenants from the (read_committed) changelog. Fatal errors (fenced): stop, exit non-zero.
// No CAF.
#pragma once
#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "delivery.hpp"
#include "engine.hpp"
#include "poller.hpp"
#include "rebalancer.hpp"

namespace hanzo::hmm::actors {

class Transactions {
 public:
  using Clock = std::chrono::steady_clock;
  // `hand_on` gives the actors what was polled; `beat` runs while waiting (liveness).
  Transactions(const Engine& engine, Delivery& delivery, Poller& poller, Rebalancer& rebalancer,
               const std::atomic<bool>& stop, std::function<void()> hand_on, std::function<void()> beat)
      : engine_(engine), delivery_(delivery), poller_(poller), rebalancer_(rebalancer), stop_(stop),
        hand_on_(std::move(hand_on)), beat_(std::move(beat)) {}

  // init_transactions + the first begin, before the first poll.
  Result<void> start();
  // A message was dispatched into the open transaction.
  void dispatched(std::size_t n = 1) noexcept { messages_ += n; }
  // Ends the open transaction when it is big or old enough (or doomed), and begins the next.
  void round(Clock::time_point now);
  // Commits the open transaction with the processed-through offsets; on an abortable error
  // aborts and rewinds every assigned partition except `leaving`. Then begins the next one if
  // `begin_next`. False on failure.
  bool end(bool begin_next, const std::vector<kafka::TopicPartition>& leaving = {});
  // Shutdown of a failed (fenced) instance: best-effort abort.
  void abandon();
  // Stopped on an error it cannot recover from: the daemon exits non-zero (any thread).
  bool failed() const noexcept { return failed_.load(std::memory_order_relaxed); }

 private:
  void abort_and_rewind(const std::vector<kafka::TopicPartition>& leaving);
  void fail(const std::string& why);

  const Engine& engine_;
  Delivery& delivery_;
  Poller& poller_;
  Rebalancer& rebalancer_;
  const std::atomic<bool>& stop_;
  std::function<void()> hand_on_, beat_;
  Clock::time_point begun_{};
  std::size_t messages_{0};  // dispatched since the transaction began
  bool open_{false};
  std::atomic<bool> failed_{false};
};

}  // namespace hanzo::hmm::actors
