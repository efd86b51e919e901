// MarketMaker configuration: every layer's parameters in one value, declared once as options
// (config::Schema) so a TOML file maps onto it key by key and --print-config documents it.
#pragma once

#include <string>
#include <vector>

#include "hanzo/hmm/config/schema.hpp"
#include "hanzo/hmm/market/params.hpp"
#include "hanzo/hmm/routing/catalogue.hpp"
#include "hanzo/hmm/routing/params.hpp"
#include "hanzo/hmm/tenant/params.hpp"

namespace hanzo::hmm::mm {

struct MarketMakerConfig {
  // The market's assets; the routing catalogue's classes are derived from these (id, memory).
  std::vector<market::ComputeClass> classes;
  market::MarketParams market;
  market::RegimeParams market_regime;
  tenant::TenantParams tenants;
  routing::RouterParams router;
  std::vector<routing::ModelSpec> models;
  // Derive router.bins.cost_edges from the catalogue's cost per token at the initial prices
  // (quartiles), so cost preferences bite whatever the credit unit is.
  bool auto_cost_edges{true};

  // Every layer's checks plus the cross-checks (each model's compute class exists). Errors name
  // the file key ("models[3].compute_class: unknown class \"h200\"").
  Result<void> validate() const;
  routing::Catalogue catalogue() const;
  market::MarketConfig market_config() const;
};

// Five classes (h100-80g, a100-80g, l40s-48g, l4-24g, cpu) priced around 1, 0.6, 0.35, 0.15 and
// 0.035 credits per GPU-second (1 credit ~ one H100-second), and the default catalogue.
MarketMakerConfig default_config();

// Declares every option of `c` (binding to its fields) into `s`, under the top-level keys
// classes, market, tenants, router, models, auto_cost_edges.
void declare(config::Schema& s, MarketMakerConfig& c);

// Defaults, then the document's values, then validate().
Result<MarketMakerConfig> config_from_toml(const std::string& text, const std::string& source);
Result<MarketMakerConfig> load_config(const std::string& path);

}  // namespace hanzo::hmm::mm
