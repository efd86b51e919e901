// The MarketMaker facade (mirrors the Rust crate): Hamiltonian prices per compute class, regime
// detection, per-tenant BitDelta adapters and active-inference routing in one value.
// Single-threaded; the daemon splits the same pieces (TenantSession, Market, Router) over actors.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hanzo/hmm/market/market.hpp"
#include "hanzo/hmm/mm/config.hpp"
#include "hanzo/hmm/mm/tenant_session.hpp"
#include "hanzo/hmm/routing/decision.hpp"

namespace hanzo::hmm::mm {

// The router's view of a market snapshot (prices, fees, regime posterior).
routing::MarketView market_view(const market::Snapshot& snapshot, const market::Market& market);

// The engine's parts built from a validated config: the market, the router (cost edges derived
// if auto_cost_edges) and the tenant context. MarketMaker owns them in one value; the daemon
// spreads them over actors (the market actor owns the market, routers share the const router).
struct Components {
  MarketMakerConfig config;  // as used (derived cost edges filled in)
  std::unique_ptr<market::Market> market;
  std::unique_ptr<routing::Router> router;
  std::unique_ptr<const tenant::TenantContext> tenants;
};
Result<Components> build_components(MarketMakerConfig config);

class MarketMaker {
 public:
  static Result<MarketMaker> create(MarketMakerConfig config);

  // Routes one request for `tenant`. Requests the router cannot serve (no feasible model, or
  // observations of the wrong length) come back as decisions with status "rejected" and the
  // reasons; an Error means the request itself is invalid.
  Result<routing::Decision> route_request(std::string_view tenant, const routing::RoutingRequest& request);
  // The same into a reused decision: once its strings and vectors have grown, routing allocates
  // (almost) nothing.
  Result<void> route_request_into(routing::Decision& out, std::string_view tenant,
                                  const routing::RoutingRequest& request);
  Result<FeedbackEffect> feedback(std::string_view tenant, const routing::Feedback& feedback);
  // Advances the market; the returned snapshot stays valid until the next tick. The router's
  // digest of the new prices is built lazily, by the first request after the tick.
  Result<const market::Snapshot*> tick(const market::Tick& tick);
  const market::Snapshot& prices() const noexcept { return market_->snapshot(); }

  Result<std::vector<std::byte>> snapshot_tenant(std::string_view tenant);
  Result<void> restore_tenant(std::string_view tenant, std::span<const std::byte> bytes);
  std::size_t tenants() const noexcept { return sessions_.size(); }

  const MarketMakerConfig& config() const noexcept { return config_; }
  const routing::Router& router() const noexcept { return *router_; }
  const market::Market& market() const noexcept { return *market_; }
  const tenant::TenantContext& tenant_context() const noexcept { return *tenants_; }

 private:
  MarketMaker() = default;
  TenantSession& session(std::string_view tenant);
  Result<void> refresh_prices();

  // Heterogeneous lookup: finding a tenant by string_view allocates nothing.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  MarketMakerConfig config_;
  std::unique_ptr<market::Market> market_;
  std::unique_ptr<routing::Router> router_;
  std::unique_ptr<const tenant::TenantContext> tenants_;
  std::unique_ptr<routing::MarketSnapshot> prepared_;  // router's view of the latest prices
  bool prepared_stale_{false};
  TenantPart part_;  // scratch, reused across requests
  std::unordered_map<std::string, TenantSession, Hash, std::equal_to<>> sessions_;
};

}  // namespace hanzo::hmm::mm
