// What every actor shares, without CAF: the immutable engine parts (router, tenant context,
// class and regime names), the price board the market actor publishes to, and the sink results
// leave through. Kept free of CAF and librdkafka headers so it is cheap to include.
#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>
#include "hanzo/hmm/daemon/config.hpp"
#include "hanzo/hmm/kafka/types.hpp"
#include "hanzo/hmm/market/market.hpp"
#include "hanzo/hmm/routing/router.hpp"
#include "hanzo/hmm/tenant/state.hpp"
#include "hanzo/hmm/wire/request.hpp"

namespace hanzo::hmm::daemon {
class Metrics;
class Health;
}

namespace hanzo::hmm::actors {

// Where results go. Every consumed message yields exactly one of: a produced record (decision,
// price snapshot, DLQ record) or done() (feedback). `token` identifies the consumed message, so
// its offset becomes committable once the result is acknowledged. Thread-safe.
class Sink {
 public:
  virtual ~Sink() = default;
  virtual void produce(kafka::Record record, std::uint64_t token) = 0;
  virtual void done(std::uint64_t token) = 0;
};

// The latest prices, digested for routing. Immutable once published.
struct Prices {
  market::Snapshot snapshot;
  routing::MarketSnapshot prepared;
};

// Single writer (the market actor), many readers (routers): readers take the latest without a
// message round trip, which is how prices reach routing requests (issue 4, market actor).
class PriceBoard {
 public:
  void publish(std::shared_ptr<const Prices> p) noexcept { latest_.store(std::move(p)); }
  std::shared_ptr<const Prices> latest() const noexcept { return latest_.load(); }
 private:
  std::atomic<std::shared_ptr<const Prices>> latest_;
};

struct Engine {
  daemon::DaemonConfig config;                         // engine part with derived cost edges
  std::shared_ptr<const routing::Router> router;
  std::shared_ptr<const tenant::TenantContext> tenants;
  std::unique_ptr<market::Market> initial_market;      // taken by the market actor
  std::vector<std::string> class_ids;
  std::vector<std::string> regime_states;
  wire::Limits limits;  // decoding bounds (daemon.max_message_bytes, daemon.max_tenant_id_bytes)
  PriceBoard prices;
  Sink* sink{nullptr};                 // outlives every actor
  daemon::Metrics* metrics{nullptr};   // may be null (tests)
  daemon::Health* health{nullptr};     // may be null (tests)

  // Builds the parts and publishes the initial prices. `sink` and `metrics` must outlive the actors.
  static Result<std::shared_ptr<Engine>> create(daemon::DaemonConfig config, Sink* sink, daemon::Metrics* metrics);
  // Prepares and publishes a price snapshot (market actor).
  Result<void> publish_prices(const market::Snapshot& snapshot, const market::Market& market);
};

// Wall clock in ms since the epoch (Kafka timestamps' unit), for latency and event age.
std::int64_t now_ms() noexcept;

}  // namespace hanzo::hmm::actors
