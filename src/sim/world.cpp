// The world: stream, truth, events and outcomes (the presets are in presets.cpp).
#include "hanzo/hmm/sim/world.hpp"

#include <algorithm>
#include <cmath>

#include "hanzo/hmm/mm/market_maker.hpp"

namespace hanzo::hmm::sim {

namespace {

std::uint64_t mix(std::uint64_t z) noexcept {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double normal_cdf(double z) noexcept { return 0.5 * std::erfc(-z * 0.7071067811865476); }

Error bad(std::string where, std::string message) {
  return make_error(Errc::invalid_value, std::move(where), std::move(message));
}

// Salts of the per-request draws (request stream) and per-(request, model) draws (outcomes).
enum Salt : std::uint64_t { kTenant = 1, kInput, kSuccess, kQuality, kLatency1, kLatency2 };

}  // namespace

double uniform(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c) noexcept {
  std::uint64_t h = mix(seed + 0x9e3779b97f4a7c15ULL);
  h = mix(h ^ (a + 0x632be59bd9b4e019ULL));
  h = mix(h ^ (b + 0x8cb92ba72f3d8dd7ULL));
  h = mix(h ^ (c + 0x2545f4914f6cdd1dULL));
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

Result<void> WorldSpec::validate() const {
  if (auto ok = config.validate(); !ok) return ok;
  if (segments.empty()) return bad("segments", "must not be empty");
  if (tenants < segments.size()) return bad("tenants", "at least one per segment");
  if (requests < 10) return bad("requests", "must be >= 10");
  if (truth.size() != config.models.size()) return bad("truth", "one row per model");
  for (std::size_t m = 0; m < truth.size(); ++m) {
    if (truth[m].size() != segments.size()) return bad("truth[" + std::to_string(m) + "]", "one entry per segment");
    for (const Truth& x : truth[m])
      if (!(x.success >= 0 && x.success <= 1 && x.quality >= quality_noise && x.quality <= 1 - quality_noise &&
            x.latency_ms > 0 && x.latency_sigma > 0))
        return bad("truth[" + std::to_string(m) + "]", "out of range");
  }
  if (!(outage.start >= 0 && outage.start < outage.end && outage.end <= 1)) return bad("outage", "0 <= start < end <= 1");
  if (!(shock.factor > 0 && shock.at >= 0 && shock.at <= 1)) return bad("shock", "factor > 0, at in [0, 1]");
  if (!(drift.to > 0)) return bad("drift.to", "must be > 0");
  return {};
}

Result<World> World::create(WorldSpec spec) {
  if (auto ok = spec.validate(); !ok) return std::move(ok).error();
  auto market = market::Market::create(spec.config.market_config());
  if (!market) return std::move(market).error();
  const auto cat = spec.config.catalogue();
  const auto om = cat.model_index(spec.outage.model);
  const auto dm = cat.model_index(spec.drift.model);
  const auto sc = cat.class_index(spec.shock.compute_class);
  if (!om) return bad("outage.model", "not in the catalogue");
  if (!dm) return bad("drift.model", "not in the catalogue");
  if (!sc) return bad("shock.compute_class", "not a class");
  World w(std::move(spec), std::move(*market));
  w.outage_model_ = *om;
  w.drift_model_ = *dm;
  w.shock_class_ = *sc;
  w.refresh_prices();
  return w;
}

void World::refresh_prices() {
  const auto view = mm::market_view(market_.snapshot(), market_);
  const auto cat = spec_.config.catalogue();
  prices_.resize(cat.models.size());
  for (std::size_t i = 0; i < cat.models.size(); ++i) {
    const auto& m = cat.models[i];
    const std::size_t c = *cat.class_index(m.compute_class);
    const double devices = std::max(1.0, std::ceil(m.memory_gb / cat.classes[c].memory_gb));
    const auto& p = view.classes[c];
    prices_[i] = p.price_per_gpu_second * devices / m.tokens_per_second * (1.0 + p.risk_fee + p.base_fee);
  }
  ++market_version_;
}

std::size_t World::shock_request() const noexcept {
  return static_cast<std::size_t>(spec_.shock.at * static_cast<double>(spec_.requests));
}

market::Tick World::shock_tick() const {
  market::Tick tick;
  tick.dt = 1.0;
  market::ClassFlow f;
  f.cls = shock_class_;
  f.shock = spec_.shock.factor;
  tick.flows.push_back(f);
  return tick;
}

Result<void> World::advance(std::size_t t) {
  if (!shocked_ && t >= shock_request()) {
    shocked_ = true;
    if (auto ok = market_.tick(shock_tick()); !ok) return ok;
    refresh_prices();
  }
  return {};
}

std::string World::tenant_name(std::size_t tenant) const {
  return spec_.segments[segment_of(tenant)].name + "-" + std::to_string(tenant);
}

Request World::request(std::size_t t) const {
  Request r;
  r.t = t;
  r.tenant = std::min(spec_.tenants - 1,
                      static_cast<std::size_t>(uniform(spec_.seed, t, 0, kTenant) * static_cast<double>(spec_.tenants)));
  r.segment = segment_of(r.tenant);
  const Segment& s = spec_.segments[r.segment];
  r.request.request_id = "r" + std::to_string(t);
  r.request.input.assign(200 + static_cast<std::size_t>(1800.0 * uniform(spec_.seed, t, 0, kInput)), 'x');
  r.request.preferences.max_latency_ms = s.latency_bound_ms;
  r.request.preferences.max_cost_per_token = s.max_cost_per_token;
  r.request.preferences.quality_threshold = s.quality_threshold;
  r.request.requirements.requires_function_calling = s.requires_function_calling;
  return r;
}

Phase World::phase(std::size_t t) const noexcept {
  const double n = static_cast<double>(spec_.requests);
  if (static_cast<double>(t) < spec_.outage.start * n) return Phase::before;
  if (static_cast<double>(t) < spec_.outage.end * n) return Phase::during;
  return Phase::after;
}

bool World::feasible(const Request& r, std::size_t model) const noexcept {
  const auto& m = spec_.config.models[model];
  return !r.request.requirements.requires_function_calling || m.capabilities.function_calling;
}

Truth World::truth(std::size_t t, std::size_t model, std::size_t segment) const noexcept {
  Truth x = spec_.truth[model][segment];
  if (model == outage_model_ && phase(t) == Phase::during) x.success = spec_.outage.success;
  if (model == drift_model_)
    x.latency_ms *= 1.0 + (spec_.drift.to - 1.0) * static_cast<double>(t) / static_cast<double>(spec_.requests);
  return x;
}

namespace {
double utility_of(const Segment& s, double success, double quality, double price, double latency_ms, double sigma) {
  const double late = 1.0 - normal_cdf(std::log(s.latency_bound_ms / latency_ms) / sigma);
  return success * quality - s.cost_weight * price - s.latency_penalty * late;
}
}  // namespace

double World::expected_utility(const Request& r, std::size_t model) const noexcept {
  const Truth x = truth(r.t, model, r.segment);
  return utility_of(spec_.segments[r.segment], x.success, x.quality, prices_[model], x.latency_ms, x.latency_sigma);
}

double World::advertised_utility(const Request& r, std::size_t model) const noexcept {
  const auto& m = spec_.config.models[model];
  return utility_of(spec_.segments[r.segment], m.success_rate, m.quality, prices_[model], m.latency_ms, m.latency_sigma);
}

Outcome World::outcome(const Request& r, std::size_t model) const noexcept {
  const Truth x = truth(r.t, model, r.segment);
  const Segment& s = spec_.segments[r.segment];
  const std::uint64_t seed = spec_.seed;
  Outcome o;
  o.success = uniform(seed, r.t, model, kSuccess) < x.success;
  const double noise = spec_.quality_noise * (2.0 * uniform(seed, r.t, model, kQuality) - 1.0);
  o.quality = o.success ? x.quality + noise : 0.0;
  // Box-Muller from two uniforms of (request, model): latency ~ log-normal(median, sigma).
  const double u1 = 1.0 - uniform(seed, r.t, model, kLatency1), u2 = uniform(seed, r.t, model, kLatency2);
  const double z = std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  o.latency_ms = x.latency_ms * std::exp(x.latency_sigma * z);
  o.price_per_token = prices_[model];
  o.utility = o.quality - s.cost_weight * o.price_per_token - (o.latency_ms > s.latency_bound_ms ? s.latency_penalty : 0.0);
  return o;
}

routing::Feedback World::feedback(const Request& r, std::size_t model, const Outcome& o) const {
  routing::Feedback f;
  f.request_id = r.request.request_id;
  f.tenant = tenant_name(r.tenant);
  f.model = spec_.config.models[model].name;
  f.latency_ms = o.latency_ms;
  f.tokens_per_second = spec_.config.models[model].tokens_per_second;
  f.quality = std::clamp(o.quality, 0.0, 1.0);
  f.cost_per_token = o.price_per_token;
  f.success = o.success;
  return f;
}

}  // namespace hanzo::hmm::sim
