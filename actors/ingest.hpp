// The ingest thread: a plain thread (CAF 0.17 detached actors deadlock at shutdown) that runs
// the Kafka side of the daemon through its parts — Delivery, Poller, Rebalancer, Transactions
// (actors.hpp lists them) — and hands polled work to the actors. This class only wires the
// parts and runs the loop: poll, serve deliveries, beat, backpressure, commit on time.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "actors.hpp"
#include "delivery.hpp"
#include "engine.hpp"
#include "hanzo/hmm/daemon/notify.hpp"
#include "poller.hpp"
#include "rebalancer.hpp"
#include "transactions.hpp"

namespace hanzo::hmm::actors {

struct IngestStats {
  std::uint64_t consumed{0};
  std::uint64_t dispatched{0};
  std::uint64_t dead_lettered{0};  // every DLQ record (bad keys and sizes here, bad JSON in tenants, bad ticks)
  std::size_t left_in_flight{0};  // after the drain (0 = orderly)
  bool failed{false};             // exactly_once: stopped on an error it cannot recover from (fenced)
};

class Ingest {
 public:
  // Wires the parts over `delivery` (created before the engine: the engine's sink is its) and
  // subscribes. Errors name the bad librdkafka key. `notifier` extends systemd's start timeout
  // during long restores.
  static Result<std::unique_ptr<Ingest>> create(std::shared_ptr<const Engine> engine,
                                                std::unique_ptr<Delivery> delivery, daemon::Notifier notifier = {});
  ~Ingest();

  // Waits until the group coordinator answers (Kafka reachable), up to `timeout` or stop().
  Result<void> await_connection(std::chrono::milliseconds timeout);
  // Runs the poll loop until stop(), then drains: stops fetching, waits for every dispatched
  // message's result to be acknowledged (up to daemon.shutdown_timeout_seconds), flushes the
  // producers, commits, leaves the group.
  IngestStats run(tenant_manager_actor manager, market_actor market);
  // Any thread: ends run() (or await_connection()) soon.
  void stop() noexcept { stop_.store(true, std::memory_order_relaxed); }
  // "consumed N, dead-lettered D, in flight F" for systemd's STATUS= (any thread).
  std::string status_line() const;
  std::uint64_t consumed() const noexcept { return consumed_.load(std::memory_order_relaxed); }
  std::uint64_t in_flight() const noexcept { return in_flight_.load(std::memory_order_relaxed); }
  // exactly_once: stopped on an error it cannot recover from (e.g. fenced by a newer
  // instance); the daemon exits non-zero so systemd restarts it (any thread).
  bool failed() const noexcept { return transactions_ && transactions_->failed(); }

 private:
  Ingest(std::shared_ptr<const Engine> engine, std::unique_ptr<Delivery> delivery, daemon::Notifier notifier)
      : engine_(std::move(engine)), delivery_(std::move(delivery)), notifier_(std::move(notifier)) {}
  // Rebalance callbacks (inside poll).
  void assigned(const std::vector<kafka::TopicPartition>& tps);
  void revoked(const std::vector<kafka::TopicPartition>& tps);
  void committed(const Result<void>& r, const std::vector<kafka::TopicPartitionOffset>& offsets);
  void commit(kafka::CommitMode mode);
  void periodic(std::chrono::steady_clock::time_point now);
  void beat();
  void drain();

  std::shared_ptr<const Engine> engine_;
  std::unique_ptr<Delivery> delivery_;
  std::unique_ptr<Poller> poller_;
  std::unique_ptr<Rebalancer> rebalancer_;
  std::unique_ptr<Transactions> transactions_;  // exactly_once only
  daemon::Notifier notifier_;
  PollTargets targets_;
  tenant_manager_actor manager_;
  market_actor market_;
  std::atomic<bool> stop_{false};
  IngestStats stats_;
  std::atomic<std::uint64_t> consumed_{0}, in_flight_{0};  // for status_line()
  std::chrono::steady_clock::time_point last_commit_{}, last_metrics_{}, last_heartbeat_{};
  std::chrono::steady_clock::time_point last_progress_{std::chrono::steady_clock::now()};
};

}  // namespace hanzo::hmm::actors
