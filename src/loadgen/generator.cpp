#include "hanzo/hmm/loadgen/generator.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

#include "hanzo/hmm/market/market.hpp"
#include "hanzo/hmm/random.hpp"

namespace hanzo::hmm::loadgen {
namespace {

// One independent random stream per (kind of item, index): items never depend on each other.
enum class Stream : std::uint64_t { request = 1, profile = 2, regime = 3, tick = 4, feedback = 5 };

std::uint64_t mix(std::uint64_t z) noexcept {  // splitmix64's finaliser
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

Rng stream(std::uint64_t seed, Stream s, std::uint64_t index) noexcept {
  return Rng(mix(seed ^ mix((static_cast<std::uint64_t>(s) << 58) ^ mix(index))));
}

std::uint64_t hash(std::string_view s) noexcept {  // FNV-1a
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (const unsigned char c : s) h = (h ^ c) * 0x100000001b3ULL;
  return mix(h);
}

// Short decimals keep the messages near the sizes real clients send.
// (+ 0.0 turns -0 into 0: "-0" would not survive a decode/encode round trip.)
double round_to(double x, double unit) { return std::round(x / unit) * unit + 0.0; }
double uniform(Rng& rng, double lo, double hi) { return lo + (hi - lo) * rng.uniform(); }
double log_uniform(Rng& rng, double lo, double hi) { return std::exp(uniform(rng, std::log(lo), std::log(hi))); }
bool chance(Rng& rng, double p) { return rng.uniform() < p; }

constexpr std::array<const char*, 16> kPrompts{
    "Summarise the attached quarterly report in three bullet points.",
    "Translate the following paragraph into German, keeping the formal register.",
    "Write a Python function that merges two sorted lists without using sort().",
    "What are the main differences between supervised and unsupervised learning?",
    "Draft a polite reply declining the meeting invitation for Thursday afternoon.",
    "Explain the CAP theorem to a new backend engineer with one concrete example.",
    "Classify the sentiment of this product review as positive, neutral or negative.",
    "Generate five subject lines for a newsletter about GPU price trends.",
    "Extract every date and amount from the invoice text below as JSON.",
    "Refactor this SQL query so it uses a window function instead of a self-join.",
    "Give me a two-sentence description of the image for an alt text.",
    "Answer the customer's question using only the knowledge base excerpt provided.",
    "List the risks of migrating a monolith to microservices in order of severity.",
    "Rewrite the error message so a non-technical user understands what to do next.",
    "Plan a three-day itinerary in Lisbon for a family with two small children.",
    "Which of these log lines indicates the root cause of the outage, and why?"};
constexpr std::array<const char*, 4> kContexts{
    "The user is a first-year student.", "Previous turn: the user asked for a shorter answer.",
    "Company style guide: plain English, no jargon.", "The conversation so far concerns invoice #4471."};

enum class Kind { balanced, cost, latency, quality, vision, eu };
constexpr std::array<double, 6> kKindWeights{0.25, 0.25, 0.20, 0.15, 0.07, 0.08};
constexpr std::array<double, 4> kBaseRegimeWeights{0.25, 0.60, 0.05, 0.10};  // exploration .. transition
constexpr std::uint64_t kRegimePeriod = 5000;  // a tenant's regime holds over this many requests of the run

}  // namespace

struct Generator::Profile {
  Kind kind{Kind::balanced};
  std::size_t base_regime{1};
  std::vector<std::size_t> favourites;  // catalogue indices: habit, sent as preferred_models
};

Result<void> GeneratorOptions::validate() const {
  const auto bad = [](const char* key, const char* msg) { return make_error(Errc::invalid_value, key, msg); };
  if (run_id.empty() || run_id.size() > 200) return bad("run_id", "must have 1 to 200 bytes");
  if (tenants < 1) return bad("tenants", "must be >= 1");
  if (!(tenant_skew >= 1.0 && tenant_skew <= 16.0)) return bad("tenant_skew", "must be in [1, 16]");
  if (!(std::isfinite(tick_dt) && tick_dt > 0.0)) return bad("tick_dt", "must be finite and > 0");
  if (!(shock_at >= 0.0 && shock_at <= 1.0)) return bad("shock_at", "must be in [0, 1]");
  if (!(std::isfinite(shock_factor) && shock_factor > 0.0)) return bad("shock_factor", "must be finite and > 0");
  if (!(feedback_ratio >= 0.0 && feedback_ratio <= 1.0)) return bad("feedback_ratio", "must be in [0, 1]");
  return {};
}

Result<Generator> Generator::create(GeneratorOptions options, const mm::MarketMakerConfig& config) {
  if (auto ok = options.validate(); !ok) return std::move(ok).error();
  if (options.shock_factor > config.market.max_shock)
    return make_error(Errc::invalid_value, "shock_factor", "exceeds the market's max_shock");
  auto market = market::Market::create(config.market_config());
  if (!market) return std::move(market).error();
  Generator g;
  g.options_ = std::move(options);
  g.classes_ = config.classes;
  g.opening_price_.assign(market->prices().begin(), market->prices().end());
  const auto shock = std::find_if(g.classes_.begin(), g.classes_.end(),
                                  [&](const market::ComputeClass& k) { return k.id == g.options_.shock_class; });
  if (shock == g.classes_.end()) return make_error(Errc::invalid_value, "shock_class", "is not a configured class");
  g.shock_cls_ = static_cast<std::size_t>(shock - g.classes_.begin());
  g.models_ = config.models;
  if (g.models_.empty()) return make_error(Errc::invalid_dimension, "models", "must not be empty");
  g.regime_ = config.tenants.regime;
  return g;
}

// ---- ticks --------------------------------------------------------------------------------

std::optional<std::uint64_t> Generator::shock_tick() const noexcept {
  if (options_.ticks == 0) return std::nullopt;
  const auto at = static_cast<std::uint64_t>(std::floor(options_.shock_at * static_cast<double>(options_.ticks)));
  return std::min(at, options_.ticks - 1);
}

wire::TickMessage Generator::tick(std::uint64_t index) const {
  constexpr double kFlowPerSecond = 300.0;  // GPU-seconds offered and used per second, per class
  Rng rng = stream(options_.seed, Stream::tick, index);
  wire::TickMessage m;
  m.sequence = index;
  m.tick.dt = options_.tick_dt;
  const bool shock = shock_tick() == index;
  for (std::size_t k = 0; k < classes_.size(); ++k) {
    market::ClassFlow f;
    f.cls = k;
    const double flow = kFlowPerSecond * options_.tick_dt;
    f.supply_in = round_to(flow * (1.0 + 0.01 * rng.normal()), 1e-3);
    f.usage = round_to(flow * (1.0 + 0.01 * rng.normal()), 1e-3);
    f.demand = round_to(f.usage * opening_price_[k] * (1.0 + 0.01 * rng.normal()), 1e-5);
    f.value_out = round_to(f.usage * opening_price_[k] * (1.0 + 0.005 * rng.normal()), 1e-5);
    for (double* x : {&f.supply_in, &f.usage, &f.demand, &f.value_out}) *x = std::max(*x, 0.0);
    if (shock && k == shock_cls_) f.shock = options_.shock_factor;
    m.tick.flows.push_back(f);
  }
  return m;
}

std::string Generator::tick_json(std::uint64_t index, std::optional<std::int64_t> timestamp_ms) const {
  auto m = tick(index);
  m.timestamp_ms = timestamp_ms;
  return wire::encode_tick(m, classes_);
}

// ---- requests -----------------------------------------------------------------------------

Generator::Profile Generator::profile(std::uint64_t tenant) const {
  Rng rng = stream(options_.seed, Stream::profile, tenant);
  Profile p;
  p.kind = static_cast<Kind>(sample_index(kKindWeights.data(), kKindWeights.size(), rng));
  p.base_regime = sample_index(kBaseRegimeWeights.data(), kBaseRegimeWeights.size(), rng);
  if (chance(rng, 0.4)) {
    const std::size_t n = 1 + static_cast<std::size_t>(rng.next() % 2);
    for (std::size_t i = 0; i < n; ++i) p.favourites.push_back(static_cast<std::size_t>(rng.next() % models_.size()));
  }
  return p;
}

// The first draw of a request's stream: tenant = floor(tenants * u^skew), so low ids are hot.
std::uint64_t Generator::draw_tenant(Rng& rng) const {
  const double u = std::pow(rng.uniform(), options_.tenant_skew);
  return std::min(options_.tenants - 1, static_cast<std::uint64_t>(u * static_cast<double>(options_.tenants)));
}

std::string Generator::tenant_of(std::uint64_t request_index) const {
  Rng rng = stream(options_.seed, Stream::request, request_index);
  return "tenant-" + std::to_string(draw_tenant(rng));
}

std::string Generator::request_id(std::uint64_t request_index) const {
  return options_.run_id + "-" + std::to_string(request_index);
}

std::optional<std::uint64_t> Generator::parse_request_id(std::string_view id) const noexcept {
  const std::string_view run = options_.run_id;
  if (id.size() <= run.size() + 1 || id.substr(0, run.size()) != run || id[run.size()] != '-') return std::nullopt;
  const std::string_view digits = id.substr(run.size() + 1);
  std::uint64_t v = 0;
  const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (r.ec != std::errc{} || r.ptr != digits.data() + digits.size()) return std::nullopt;
  return v;
}

wire::RequestMessage Generator::request(std::uint64_t index) const {
  Rng rng = stream(options_.seed, Stream::request, index);
  const std::uint64_t t = draw_tenant(rng);
  const Profile p = profile(t);

  wire::RequestMessage m;
  m.tenant = "tenant-" + std::to_string(t);
  auto& r = m.request;
  r.request_id = request_id(index);
  r.input = kPrompts[rng.next() % kPrompts.size()];
  if (chance(rng, 0.3)) r.context = kContexts[rng.next() % kContexts.size()];
  auto& pref = r.preferences;
  auto& req = r.requirements;
  switch (p.kind) {
    case Kind::cost:
      pref.max_cost_per_token = round_to(log_uniform(rng, 0.002, 0.01), 1e-4);
      if (chance(rng, 0.3)) pref.quality_threshold = 0.6;
      break;
    case Kind::latency:
      pref.max_latency_ms = round_to(uniform(rng, 300.0, 900.0), 10.0);
      if (chance(rng, 0.5)) req.min_tokens_per_second = round_to(uniform(rng, 40.0, 70.0), 5.0);
      break;
    case Kind::quality:
      pref.quality_threshold = round_to(uniform(rng, 0.8, 0.92), 0.01);
      if (chance(rng, 0.5)) pref.max_latency_ms = round_to(uniform(rng, 1000.0, 3000.0), 100.0);
      break;
    case Kind::balanced:
      if (chance(rng, 0.5)) pref.max_latency_ms = round_to(uniform(rng, 800.0, 2500.0), 100.0);
      if (chance(rng, 0.5)) pref.max_cost_per_token = round_to(log_uniform(rng, 0.005, 0.05), 1e-3);
      if (chance(rng, 0.4)) pref.quality_threshold = round_to(uniform(rng, 0.65, 0.8), 0.01);
      break;
    case Kind::vision:
      req.requires_vision = true;
      pref.max_latency_ms = round_to(uniform(rng, 1500.0, 3000.0), 100.0);
      break;
    case Kind::eu:
      req.region = "eu-west";
      if (chance(rng, 0.05)) req.requires_vision = true;  // nothing serves it there: rejected
      break;
  }
  if (chance(rng, 0.2)) req.requires_function_calling = true;
  if (chance(rng, 0.02)) req.max_memory_gb = round_to(uniform(rng, 32.0, 200.0), 1.0);
  if (!p.favourites.empty() && chance(rng, 0.5))
    for (const auto i : p.favourites) pref.preferred_models.push_back(models_[i].name);

  // Observations from the tenant's current regime; 10% of requests carry none.
  if (!chance(rng, 0.1)) {
    Rng sticky = stream(options_.seed, Stream::regime, (t << 20) ^ (index / kRegimePeriod));
    std::size_t regime = p.base_regime;
    if (chance(sticky, 0.2)) regime = static_cast<std::size_t>(sticky.next() % regime_.means.size());
    const auto& mean = regime_.means[regime];
    const auto& var = regime_.variances[regime];
    for (std::size_t d = 0; d < mean.size(); ++d)
      r.observations.push_back(round_to(mean[d] + std::sqrt(var[d]) * rng.normal(), 1e-3));
  }
  return m;
}

Outgoing Generator::request_record(std::uint64_t index) const {
  auto m = request(index);
  Outgoing out{std::move(m.tenant), {}};
  m.tenant.clear();  // the key carries it
  out.value = wire::encode_request(m);
  return out;
}

// ---- feedback -----------------------------------------------------------------------------

bool Generator::feedback_due(const routing::Decision& d) const noexcept {
  if (d.status != routing::Status::routed || options_.feedback_ratio <= 0.0) return false;
  const double u = static_cast<double>(hash(d.request_id) >> 11) * 0x1.0p-53;
  return u < options_.feedback_ratio;
}

std::optional<routing::Feedback> Generator::feedback(const routing::Decision& d) const {
  if (d.status != routing::Status::routed || d.model.empty()) return std::nullopt;
  Rng rng = stream(options_.seed, Stream::feedback, hash(d.request_id));
  routing::ModelSpec spec;  // an unknown model: the catalogue's defaults, the decision's figures
  spec.latency_ms = 600.0;
  spec.tokens_per_second = 50.0;
  for (const auto& m : models_)
    if (m.name == d.model) spec = m;
  const double latency = d.expected_latency_ms > 0.0 ? d.expected_latency_ms : spec.latency_ms;
  routing::Feedback f;
  f.request_id = d.request_id;
  f.tenant = d.tenant;
  f.model = d.model;
  f.latency_ms = round_to(latency * std::exp(spec.latency_sigma * rng.normal()), 0.1);
  f.tokens_per_second = round_to(std::max(1.0, spec.tokens_per_second * (1.0 + 0.1 * rng.normal())), 0.1);
  f.quality = std::clamp(round_to(spec.quality + 0.05 * rng.normal(), 1e-3), 0.0, 1.0);
  f.cost_per_token = std::max(0.0, d.price_per_token * (1.0 + 0.02 * rng.normal()));
  f.success = rng.uniform() < spec.success_rate;
  return f;
}

std::optional<Outgoing> Generator::feedback_record(const routing::Decision& d) const {
  auto f = feedback(d);
  if (!f) return std::nullopt;
  Outgoing out{f->tenant, {}};
  f->tenant.clear();  // the key carries it
  out.value = wire::encode_feedback(*f);
  return out;
}

}  // namespace hanzo::hmm::loadgen
