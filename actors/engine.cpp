#include "engine.hpp"

#include <chrono>

#include "hanzo/hmm/mm/market_maker.hpp"

namespace hanzo::hmm::actors {

Result<std::shared_ptr<const Engine>> Engine::create(daemon::DaemonConfig config, Sink* sink, daemon::Metrics* metrics,
                                                     daemon::Health* health) {
  auto parts = mm::build_components(config.engine);
  if (!parts) return std::move(parts).error();
  auto e = std::make_shared<Engine>();
  config.engine = parts->config;
  e->config = std::move(config);
  e->router = std::move(parts->router);
  e->tenants = std::move(parts->tenants);
  e->initial_market = std::shared_ptr<const market::Market>(std::move(parts->market));
  for (const auto& c : e->config.engine.classes) e->class_ids.push_back(c.id);
  e->regime_states = e->config.engine.market_regime.states;
  e->limits.max_document_bytes = e->config.max_message_bytes;
  e->limits.max_id_bytes = e->config.max_tenant_id_bytes;
  e->pools = std::make_unique<SharedPools>(e->config.engine.router.shared_base, e->router->catalogue().models.size(),
                                           e->config.shared_pool_separator);
  e->sink = sink;
  e->metrics = metrics;
  e->health = health;
  if (auto ok = e->publish_prices(e->initial_market->snapshot(), *e->initial_market); !ok)
    return std::move(ok).error();
  return std::shared_ptr<const Engine>(std::move(e));
}

Result<void> Engine::publish_prices(const market::Snapshot& snapshot, const market::Market& market) const {
  auto prepared = router->prepare(mm::market_view(snapshot, market));
  if (!prepared) return std::move(prepared).error();
  prices.publish(std::make_shared<const Prices>(Prices{snapshot, std::move(*prepared)}));
  return {};
}

std::int64_t now_ms() noexcept {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

}  // namespace hanzo::hmm::actors
