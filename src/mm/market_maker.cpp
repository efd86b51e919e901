#include "hanzo/hmm/mm/market_maker.hpp"

namespace hanzo::hmm::mm {

routing::MarketView market_view(const market::Snapshot& snapshot, const market::Market& market) {
  routing::MarketView v;
  v.classes.reserve(snapshot.classes.size());
  for (const auto& c : snapshot.classes) {
    // The snapshot's risk fee is per GPU-second bought; a routed request buys about one device-
    // second per class quote, so that is its risk-fee fraction.
    v.classes.push_back({c.price, c.risk_fee, snapshot.market_fee});
  }
  for (std::size_t i = 0; i < v.regime_posterior.size() && i < snapshot.regime_posterior.size(); ++i)
    v.regime_posterior[i] = snapshot.regime_posterior[i];
  v.regime = snapshot.regime_label;
  (void)market;
  return v;
}

Result<Components> build_components(MarketMakerConfig config) {
  if (auto ok = config.validate(); !ok) return std::move(ok).error();
  Components c;
  auto market = market::Market::create(config.market_config());
  if (!market) return std::move(market).error();
  c.market = std::make_unique<market::Market>(std::move(*market));
  const routing::Catalogue catalogue = config.catalogue();
  if (config.auto_cost_edges) {
    auto edges = routing::suggest_cost_edges(catalogue, market_view(c.market->snapshot(), *c.market));
    if (!edges) return std::move(edges).error().within("auto_cost_edges");
    config.router.bins.cost_edges = *edges;
  }
  auto router = routing::Router::create(catalogue, config.router);
  if (!router) return std::move(router).error();
  c.router = std::make_unique<routing::Router>(std::move(*router));
  auto base = tenant::BaseWeights::zeros(catalogue.models.size(), routing::kFeatures);
  if (!base) return std::move(base).error();
  auto ctx = tenant::TenantContext::create(config.tenants, std::move(*base));
  if (!ctx) return std::move(ctx).error();
  c.tenants = std::move(*ctx);
  c.config = std::move(config);
  return c;
}

Result<MarketMaker> MarketMaker::create(MarketMakerConfig config) {
  auto parts = build_components(std::move(config));
  if (!parts) return std::move(parts).error();
  MarketMaker mm;
  mm.market_ = std::move(parts->market);
  mm.router_ = std::move(parts->router);
  mm.tenants_ = std::move(parts->tenants);
  auto prepared = mm.router_->prepare(market_view(mm.market_->snapshot(), *mm.market_));
  if (!prepared) return std::move(prepared).error();
  mm.prepared_ = std::make_unique<routing::MarketSnapshot>(std::move(*prepared));
  mm.config_ = std::move(parts->config);
  return mm;
}

TenantSession& MarketMaker::session(std::string_view tenant) {
  auto it = sessions_.find(tenant);
  if (it == sessions_.end()) it = sessions_.emplace(std::string(tenant), TenantSession(*tenants_)).first;
  return it->second;
}

Result<void> MarketMaker::refresh_prices() {
  if (!prepared_stale_) return {};
  auto prepared = router_->prepare(market_view(market_->snapshot(), *market_));
  if (!prepared) return std::move(prepared).error();
  *prepared_ = std::move(*prepared);
  prepared_stale_ = false;
  return {};
}

Result<routing::Decision> MarketMaker::route_request(std::string_view tenant, const routing::RoutingRequest& request) {
  routing::Decision d;
  if (auto ok = route_request_into(d, tenant, request); !ok) return std::move(ok).error();
  return d;
}

Result<void> MarketMaker::route_request_into(routing::Decision& out, std::string_view tenant,
                                             const routing::RoutingRequest& request) {
  if (tenant.empty()) return make_error(Errc::invalid_value, "tenant", "must not be empty");
  if (auto ok = request.validate(); !ok) return ok;
  if (auto ok = refresh_prices(); !ok) return ok;
  TenantSession& s = session(tenant);
  if (auto ok = s.prepare(request, part_); !ok) {
    // The request is well-formed but unusable for this tenant: answer it, with the reason.
    out = routing::Decision{};
    out.request_id = request.request_id;
    out.tenant = std::string(tenant);
    out.status = routing::Status::rejected;
    s.current_regime(part_);
    out.regime = std::string(part_.regime);
    std::copy(part_.regime_posterior.begin(), part_.regime_posterior.end(), out.regime_posterior.begin());
    out.market_regime = prices().regime_label;
    out.reasoning = "Rejected: " + ok.error().to_string() + ".";
    return {};
  }
  const routing::TenantView view{tenant, part_.regime_posterior, part_.regime, part_.habit};
  if (auto ok = router_->decide_into(out, request, view, s.outcomes(), *prepared_); !ok) return ok;
  if (out.status == routing::Status::routed) s.remember(request, part_, out.model_index);
  return {};
}

Result<FeedbackEffect> MarketMaker::feedback(std::string_view tenant, const routing::Feedback& feedback) {
  if (!feedback.tenant.empty() && feedback.tenant != tenant)
    return make_error(Errc::invalid_value, "tenant", "feedback names tenant \"" + feedback.tenant + "\", not \"" +
                                                          std::string(tenant) + "\"");
  return session(tenant).feedback(feedback, *router_);
}

Result<const market::Snapshot*> MarketMaker::tick(const market::Tick& tick) {
  if (auto ok = market_->tick(tick); !ok) return std::move(ok).error();
  prepared_stale_ = true;
  return &market_->snapshot();
}

Result<std::vector<std::byte>> MarketMaker::snapshot_tenant(std::string_view tenant) {
  auto it = sessions_.find(tenant);
  if (it == sessions_.end()) return make_error(Errc::invalid_value, "tenant", "unknown tenant \"" + std::string(tenant) + "\"");
  return it->second.snapshot();
}

Result<void> MarketMaker::restore_tenant(std::string_view tenant, std::span<const std::byte> bytes) {
  auto s = TenantSession::restore(*tenants_, *router_, bytes);
  if (!s) return std::move(s).error();
  sessions_.insert_or_assign(std::string(tenant), std::move(*s));
  return {};
}

}  // namespace hanzo::hmm::mm
