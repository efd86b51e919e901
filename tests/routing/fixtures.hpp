// Shared fixtures for the routing tests: default prices, views, and small hand-made catalogues.
#pragma once

#include <string>
#include <vector>

#include "hanzo/hmm/routing/routing.hpp"

namespace rt = hanzo::hmm::routing;

namespace fixtures {

// Credits per device-second, roughly USD: h100, a100, l40s, l4, cpu.
inline rt::MarketView market(std::array<double, 4> posterior = {0.0, 1.0, 0.0, 0.0}) {
  rt::MarketView m;
  for (const double p : {9e-4, 5.5e-4, 2.8e-4, 1.25e-4, 1.4e-5}) m.classes.push_back({p, 0.05, 0.02});
  m.regime_posterior = posterior;
  return m;
}

inline rt::TenantView tenant(std::string_view id = "tenant-a", std::array<double, 4> posterior = {0.0, 1.0, 0.0, 0.0}) {
  rt::TenantView t;
  t.tenant = id;
  t.regime_posterior = posterior;
  return t;
}

inline rt::RoutingRequest request(std::string id = "req-1") {
  rt::RoutingRequest r;
  r.request_id = std::move(id);
  r.input = "Summarise the attached quarterly report in three bullet points.";
  r.preferences.quality_threshold = 0.7;
  return r;
}

inline rt::Router default_router(rt::RouterParams params = {}) {
  return rt::Router::create(rt::default_catalogue(), params).value();
}

// One class, models identical but for the given field tweaks.
inline rt::ModelSpec plain_model(std::string name) {
  rt::ModelSpec m;
  m.name = std::move(name);
  m.provider = "test";
  m.compute_class = "gpu";
  m.memory_gb = 20.0;
  m.tokens_per_second = 50.0;
  m.latency_ms = 800.0;
  m.latency_sigma = 0.35;
  m.quality = 0.8;
  m.success_rate = 0.99;
  m.region = "us-east";
  return m;
}

inline rt::Catalogue one_class(std::vector<rt::ModelSpec> models) {
  rt::Catalogue c;
  c.classes = {{"gpu", 80.0}};
  c.models = std::move(models);
  return c;
}

inline rt::MarketView one_class_market(double price = 2e-4, std::array<double, 4> posterior = {0.0, 1.0, 0.0, 0.0}) {
  rt::MarketView m;
  m.classes = {{price, 0.0, 0.0}};
  m.regime_posterior = posterior;
  return m;
}

inline double probability_of(const rt::Decision& d, const std::string& model) {
  for (const auto& a : d.alternatives)
    if (a.model == model) return a.probability;
  return -1.0;
}

inline const rt::Alternative* alternative(const rt::Decision& d, const std::string& model) {
  for (const auto& a : d.alternatives)
    if (a.model == model) return &a;
  return nullptr;
}

}  // namespace fixtures
