// What every actor shares, without CAF: the immutable engine parts (router, tenant context,
// class and regime names), the price board the market actor publishes to, and the sink results
// leave through. Kept free of CAF and librdkafka headers so it is cheap to include.
#pragma once
#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>
#include "hanzo/hmm/daemon/config.hpp"
#include "hanzo/hmm/kafka/types.hpp"
#include "hanzo/hmm/market/market.hpp"
#include "hanzo/hmm/routing/router.hpp"
#include "hanzo/hmm/tenant/state.hpp"
#include "hanzo/hmm/wire/request.hpp"
#include "shared_pools.hpp"
#include "write_gate.hpp"

namespace hanzo::hmm::daemon {
class Metrics;
class Health;
}

namespace hanzo::hmm::actors {

// Where results go. Every consumed message is acknowledged exactly once: by the delivery of
// its produced result (price snapshot, DLQ record, a repeated answer), by done() (nothing to
// produce), or, for what changes a tenant's state (requests, feedback), by the delivery of the
// state record that covers it. Thread-safe.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void produce(kafka::Record record, std::uint64_t token) = 0;
  virtual void done(std::uint64_t token) = 0;
  // A tenant's decision, produced at once (copied: the caller may reuse `record`). Its delivery
  // is counted on `gate`: the tenant's next state record covers it and waits for it
  // (write_gate.hpp).
  virtual void produce_decision(const kafka::Record& record, WriteGate& gate) = 0;
  // A tenant-state record (`full`: the first of a chain, keyed by the tenant id). Once durable,
  // every token of `covered` is acknowledged and the gate told (state_acked). The caller has
  // called gate.state_started().
  virtual void produce_state(kafka::Record state, std::vector<std::uint64_t> covered, WriteGate& gate, bool full) = 0;
};

// Partition counts of the topics a decision's placement depends on (answer_log.hpp), read
// from the brokers' metadata once Kafka is reachable, before any request is dispatched.
struct TopicLayout {
  std::atomic<std::int32_t> requests{0};
  std::atomic<std::int32_t> decisions{0};
};

// The group's committed offsets on the requests topic (next offset to read, -1: unknown), by
// partition: the ingest thread writes them after each successful commit; tenant actors read
// them to drop answers Kafka will never redeliver from their changelog records.
class CommitBoard {
 public:
  static constexpr std::int32_t kPartitions = 4096;  // beyond: unknown, answers are kept (bounded)
  CommitBoard() noexcept {
    for (auto& v : committed_) v.store(-1, std::memory_order_relaxed);
  }
  void set(std::int32_t partition, std::int64_t next_offset) noexcept {
    if (partition >= 0 && partition < kPartitions) committed_[partition].store(next_offset, std::memory_order_relaxed);
  }
  std::int64_t get(std::int32_t partition) const noexcept {
    return partition >= 0 && partition < kPartitions ? committed_[partition].load(std::memory_order_relaxed) : -1;
  }
 private:
  std::array<std::atomic<std::int64_t>, kPartitions> committed_;
};

// The latest prices, digested for routing. Immutable once published.
struct Prices {
  market::Snapshot snapshot;
  routing::MarketSnapshot prepared;
};

// Single writer (the market actor), many readers (routers): readers take the latest without a
// message round trip, which is how prices reach routing requests.
class PriceBoard {
 public:
  void publish(std::shared_ptr<const Prices> p) noexcept { latest_.store(std::move(p)); }
  std::shared_ptr<const Prices> latest() const noexcept { return latest_.load(); }
 private:
  std::atomic<std::shared_ptr<const Prices>> latest_;
};

// Built once (create) and never changed after: actors share it read-only. The boards are the
// exception by design: each is thread-safe, written by one owner (prices: the market actor;
// committed, layout: the ingest thread) and read by the others.
struct Engine {
  daemon::DaemonConfig config;                         // engine part with derived cost edges
  std::shared_ptr<const routing::Router> router;
  std::shared_ptr<const tenant::TenantContext> tenants;
  std::shared_ptr<const market::Market> initial_market;  // the market actor starts from a copy
  std::vector<std::string> class_ids;
  std::vector<std::string> regime_states;
  wire::Limits limits;  // decoding bounds (daemon.max_message_bytes, daemon.max_tenant_id_bytes)
  Sink* sink{nullptr};                 // outlives every actor
  daemon::Metrics* metrics{nullptr};   // may be null (tests)
  daemon::Health* health{nullptr};     // may be null (tests)

  mutable PriceBoard prices;
  mutable CommitBoard committed;       // requests topic
  mutable TopicLayout layout;
  mutable std::atomic<std::uint64_t> dead_letters{0};  // every DLQ record, whoever produced it
  // router.shared_base: the groups' pools (thread-safe; tenant actors write, routers read).
  std::unique_ptr<SharedPools> pools;

  // Builds the parts and publishes the initial prices. `sink`, `metrics` and `health` must
  // outlive the actors.
  static Result<std::shared_ptr<const Engine>> create(daemon::DaemonConfig config, Sink* sink, daemon::Metrics* metrics,
                                                      daemon::Health* health = nullptr);
  // Prepares and publishes a price snapshot (market actor).
  Result<void> publish_prices(const market::Snapshot& snapshot, const market::Market& market) const;
};

// Wall clock in ms since the epoch (Kafka timestamps' unit), for latency and event age.
std::int64_t now_ms() noexcept;

}  // namespace hanzo::hmm::actors
