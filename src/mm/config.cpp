#include "hanzo/hmm/mm/config.hpp"

#include <boost/json.hpp>

namespace hanzo::hmm::mm {

MarketMakerConfig default_config() {
  MarketMakerConfig c;
  const routing::Catalogue cat = routing::default_catalogue();
  // Θ/Ψ sets the opening price (for small λ); supply is 10 devices for an hour per class.
  const struct {
    const char* id;
    double credits;  // opening price x 36000
  } opening[] = {{"h100-80g", 36000}, {"a100-80g", 21600}, {"l40s-48g", 12600}, {"l4-24g", 5400}, {"cpu", 1260}};
  for (const auto& o : opening) {
    market::ComputeClass k;
    k.id = o.id;
    k.weight = 1.0;
    k.supply = 36000.0;
    k.credits = o.credits;
    const auto idx = cat.class_index(o.id);
    k.memory_gb = idx ? cat.classes[*idx].memory_gb : 0.0;
    c.classes.push_back(k);
  }
  // Prices live in [λ/w, w/λ]: λ must sit well below the cheapest class's price.
  c.market.lambda = 0.005;
  c.models = cat.models;
  return c;
}

routing::Catalogue MarketMakerConfig::catalogue() const {
  routing::Catalogue cat;
  for (const auto& k : classes) cat.classes.push_back({k.id, k.memory_gb});
  cat.models = models;
  return cat;
}

market::MarketConfig MarketMakerConfig::market_config() const { return {classes, market, market_regime}; }

namespace {
// Layers name keys relative to their own section; map them onto this file's keys.
Error rekey(Error e, const std::string& from, const std::string& to) {
  if (e.where.rfind(from, 0) == 0) e.where = to + e.where.substr(from.size());
  return e;
}
// Defaults, then the document's values, then the cross-layer checks.
Result<MarketMakerConfig> from_document(Result<boost::json::value> doc, const std::string& source) {
  if (!doc) return std::move(doc).error();
  MarketMakerConfig c = default_config();
  config::Schema s;
  declare(s, c);
  if (auto ok = s.apply(*doc); !ok) return std::move(std::move(ok).error().in_source(source));
  if (auto ok = c.validate(); !ok) return std::move(std::move(ok).error().in_source(source));
  return c;
}
}  // namespace

Result<void> MarketMakerConfig::validate() const {
  if (auto ok = market_config().validate(); !ok) return rekey(std::move(ok).error(), "regime", "market_regime");
  if (auto ok = tenants.validate(); !ok) return ok;
  if (auto ok = router.validate(); !ok) return rekey(std::move(ok).error(), "", "router.");
  if (auto ok = catalogue().validate(); !ok) return ok;
  return {};
}

Result<MarketMakerConfig> config_from_toml(const std::string& text, const std::string& source) {
  return from_document(config::parse_toml(text, source), source);
}

Result<MarketMakerConfig> load_config(const std::string& path) {
  return from_document(config::parse_toml_file(path), path);
}

}  // namespace hanzo::hmm::mm
