// Real messages for the wire tests and the wire_examples helper: decisions from the router on
// the default catalogue, and a snapshot from a five-class market after a few ticks.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "hanzo/hmm/market/market.hpp"
#include "hanzo/hmm/routing/routing.hpp"
#include "hanzo/hmm/wire/wire.hpp"

namespace wire_test {

namespace rt = hanzo::hmm::routing;
namespace mk = hanzo::hmm::market;

inline rt::Decision decide(const rt::RoutingRequest& request) {
  static const rt::Router router = rt::Router::create(rt::default_catalogue()).value();
  rt::MarketView view;
  for (const double p : {9e-4, 5.5e-4, 2.8e-4, 1.25e-4, 1.4e-5}) view.classes.push_back({p, 0.05, 0.02});
  view.regime_posterior = {0.1, 0.7, 0.15, 0.05};
  const auto market = router.prepare(view).value();
  rt::TenantView tenant;
  tenant.tenant = "acme";
  tenant.regime_posterior = {0.2, 0.6, 0.1, 0.1};
  return router.decide(request, tenant, rt::TenantOutcomes{}, market).value();
}

// Vision excludes most of the catalogue: the decision has alternatives, fallbacks and exclusions.
inline rt::Decision routed_decision() {
  rt::RoutingRequest r;
  r.request_id = "req-123";
  r.input = "Describe the chart in the attached image.";
  r.preferences.max_latency_ms = 2000.0;
  r.preferences.quality_threshold = 0.8;
  r.requirements.requires_vision = true;
  return decide(r);
}

// Nothing in the catalogue decodes 10,000 tokens per second.
inline rt::Decision rejected_decision() {
  rt::RoutingRequest r;
  r.request_id = "req-124";
  r.input = "Hello";
  r.requirements.min_tokens_per_second = 10000.0;
  return decide(r);
}

inline mk::MarketConfig five_classes() {
  mk::MarketConfig c;
  c.classes = {{"h100-80g", 1.0, 4000.0, 12000.0, 80.0},
               {"a100-80g", 0.9, 6000.0, 9000.0, 80.0},
               {"l40s-48g", 0.8, 3000.0, 3000.0, 48.0},
               {"l4-24g", 0.6, 8000.0, 2500.0, 24.0},
               {"cpu", 0.5, 20000.0, 1000.0, 0.0}};
  c.market.lambda = 0.15;
  return c;
}

// After three ticks, the third draining h100 past its reserve floor (so the snapshot has a cut).
inline mk::Market ticked_market() {
  auto m = mk::Market::create(five_classes()).value();
  mk::Tick t;
  t.dt = 1.0;
  t.flows = {{0, 50.0, 120.0, 400.0, 100.0, 1.0}, {3, 10.0, 5.0, 20.0, 0.0, 1.0}};
  m.tick(t).value();
  t.flows = {{1, 0.0, 30.0, 90.0, 10.0, 0.8}};
  m.tick(t).value();
  t.flows = {{0, 0.0, 3.9e6, 0.0, 0.0, 1.0}};  // just inside market.max_flow_ratio (1000 x 4000)
  m.tick(t).value();
  return m;
}

// text with the first occurrence of `from` replaced by `to` (which must occur).
inline std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("test bug: \"" + from + "\" not in the text");
  return text.replace(at, from.size(), to);
}

// "where: message" of a failed result, or "ok".
template <class T>
std::string error_text(const hanzo::hmm::Result<T>& r) {
  return r ? std::string("ok") : r.error().to_string();
}

}  // namespace wire_test
