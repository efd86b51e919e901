// The generator: deterministic per seed, every item decodes with the daemon's wire decoders,
// request ids unique and parseable, the shock exactly where configured, plausible feedback.
#include <catch2/catch.hpp>

#include <set>

#include "hanzo/hmm/loadgen/generator.hpp"
#include "hanzo/hmm/mm/market_maker.hpp"
#include "hanzo/hmm/wire/wire.hpp"

using namespace hanzo::hmm;
using loadgen::Generator;
using loadgen::GeneratorOptions;

namespace {

GeneratorOptions options(std::uint64_t seed = 7) {
  GeneratorOptions o;
  o.seed = seed;
  o.run_id = "lg-test";
  o.tenants = 500;
  o.ticks = 100;
  o.tick_dt = 0.5;
  o.shock_at = 0.3;
  o.feedback_ratio = 0.25;
  return o;
}

Generator make(GeneratorOptions o = options()) { return Generator::create(std::move(o)).value(); }

// Real decisions: the generator's requests routed by a fresh MarketMaker.
std::vector<routing::Decision> route(const Generator& g, std::uint64_t n) {
  auto mm = mm::MarketMaker::create(mm::default_config()).value();
  std::vector<routing::Decision> out;
  for (std::uint64_t i = 0; i < n; ++i) {
    const auto m = g.request(i);
    out.push_back(mm.route_request(m.tenant, m.request).value());
  }
  return out;
}

}  // namespace

TEST_CASE("loadgen generator: same seed same traffic, other seed other traffic", "[loadgen]") {
  const Generator a = make(), b = make(), c = make(options(8));
  std::size_t differ = 0;
  for (std::uint64_t i = 0; i < 200; ++i) {
    const auto ra = a.request_record(i), rb = b.request_record(i), rc = c.request_record(i);
    CHECK(ra.key == rb.key);
    CHECK(ra.value == rb.value);
    CHECK(a.tick_json(i % 100) == b.tick_json(i % 100));
    differ += ra.value != rc.value ? 1 : 0;
  }
  CHECK(differ > 150);  // other seed: other tenants, prompts, preferences
  // Items do not depend on what was generated before them.
  const Generator fresh = make();
  CHECK(fresh.request_record(137).value == a.request_record(137).value);
  for (const auto& d : route(a, 50)) {
    CHECK(a.feedback_due(d) == b.feedback_due(d));
    CHECK(a.feedback_record(d).value_or(loadgen::Outgoing{}).value == b.feedback_record(d).value_or(loadgen::Outgoing{}).value);
  }
}

TEST_CASE("loadgen generator: requests decode as keyed requests with mixed preferences", "[loadgen]") {
  const Generator g = make();
  std::set<std::string> tenants;
  std::size_t vision = 0, region = 0, cost = 0, latency = 0, observed = 0, context = 0, preferred = 0;
  for (std::uint64_t i = 0; i < 3000; ++i) {
    const auto rec = g.request_record(i);
    INFO(rec.value);
    CHECK(rec.key == g.tenant_of(i));
    CHECK(rec.value.size() < 1024);
    auto m = wire::decode_keyed_request(rec.key, rec.value);
    REQUIRE(m);
    CHECK(m->tenant == rec.key);
    auto plain = *m;
    plain.tenant.clear();
    CHECK(wire::encode_request(plain) == rec.value);  // nothing lost in decoding
    const auto& r = m->request;
    CHECK(r.request_id == "lg-test-" + std::to_string(i));
    CHECK((r.observations.empty() || r.observations.size() == 4));
    tenants.insert(m->tenant);
    vision += r.requirements.requires_vision;
    region += r.requirements.region.has_value();
    cost += r.preferences.max_cost_per_token.has_value();
    latency += r.preferences.max_latency_ms.has_value();
    observed += !r.observations.empty();
    context += !r.context.empty();
    preferred += !r.preferences.preferred_models.empty();
  }
  CHECK(tenants.size() > 250);  // skewed, yet most of the 500 tenants appear
  CHECK(tenants.count("tenant-0") == 1);
  for (const std::size_t n : {vision, region, cost, latency, context, preferred}) {
    CHECK(n > 30);
    CHECK(n < 2500);
  }
  CHECK(observed > 2500);
}

TEST_CASE("loadgen generator: request ids are unique and only ours parse", "[loadgen]") {
  const Generator g = make();
  std::set<std::string> ids;
  for (std::uint64_t i = 0; i < 20000; ++i) {
    const auto id = g.request_id(i);
    ids.insert(id);
    CHECK(g.parse_request_id(id) == i);
  }
  CHECK(ids.size() == 20000);
  for (const char* other : {"lg-test", "lg-test-", "lg-test-12x", "lg-test12", "lg-other-3", "x-lg-test-3", ""})
    CHECK_FALSE(g.parse_request_id(other).has_value());
}

TEST_CASE("loadgen generator: ticks decode and the shock is exactly where configured", "[loadgen]") {
  const Generator g = make();
  const auto classes = mm::default_config().classes;
  REQUIRE(g.shock_tick() == 30u);  // floor(0.3 * 100)
  std::size_t shocks = 0;
  for (std::uint64_t k = 0; k < 100; ++k) {
    const std::string text = g.tick_json(k, 1700000000000 + static_cast<std::int64_t>(k));
    INFO(text);
    auto t = wire::decode_tick(text, classes);
    REQUIRE(t);
    CHECK(t->sequence == k);
    CHECK(t->timestamp_ms == 1700000000000 + static_cast<std::int64_t>(k));
    CHECK(t->tick.dt == 0.5);
    REQUIRE(t->tick.flows.size() == classes.size());
    for (const auto& f : t->tick.flows) {
      CHECK(f.supply_in > 0.0);
      CHECK(f.usage > 0.0);
      CHECK(f.demand > 0.0);
      if (f.shock != 1.0) {
        ++shocks;
        CHECK(k == 30);
        CHECK(classes[f.cls].id == "h100-80g");
        CHECK(f.shock == 0.5);
      }
    }
  }
  CHECK(shocks == 1);
  // The market takes every tick, and the shock raises the h100 price.
  auto market = market::Market::create(mm::default_config().market_config()).value();
  double before = 0.0;
  for (std::uint64_t k = 0; k < 100; ++k) {
    if (k == 30) before = market.prices()[0];
    REQUIRE(market.tick(g.tick(k).tick));
    if (k == 30) CHECK(market.prices()[0] > 1.5 * before);
  }

  auto edge = options();
  edge.shock_at = 1.0;
  CHECK(make(edge).shock_tick() == 99u);
  edge.shock_at = 0.0;
  CHECK(make(edge).shock_tick() == 0u);
  edge.ticks = 0;
  CHECK_FALSE(make(edge).shock_tick().has_value());
}

TEST_CASE("loadgen generator: feedback decodes and follows the decision", "[loadgen]") {
  const Generator g = make();
  const auto decisions = route(g, 2000);
  std::size_t routed = 0, due = 0, failures = 0;
  for (const auto& d : decisions) {
    auto rec = g.feedback_record(d);
    if (d.status == routing::Status::rejected) {
      CHECK_FALSE(rec.has_value());
      CHECK_FALSE(g.feedback_due(d));
      continue;
    }
    ++routed;
    due += g.feedback_due(d);
    REQUIRE(rec);
    CHECK(rec->key == d.tenant);
    auto f = wire::decode_keyed_feedback(rec->key, rec->value);
    REQUIRE(f);
    CHECK(f->request_id == d.request_id);
    CHECK(f->model == d.model);
    CHECK(f->latency_ms > 0.0);
    CHECK(f->cost_per_token == Approx(d.price_per_token).epsilon(0.2));
    failures += !f->success;
  }
  CHECK(routed > 1800);  // a few requests nothing can serve (e.g. vision in eu-west)
  CHECK(due > routed / 5);  // feedback_ratio 0.25
  CHECK(due < routed / 3);
  CHECK(failures < routed / 10);
}

TEST_CASE("loadgen generator: invalid options are errors naming the option", "[loadgen]") {
  auto o = options();
  o.shock_class = "tpu-v9";
  auto g = Generator::create(o);
  REQUIRE_FALSE(g);
  CHECK(g.error().where == "shock_class");
  o = options();
  o.tenants = 0;
  CHECK(Generator::create(o).error().where == "tenants");
  o = options();
  o.feedback_ratio = 1.5;
  CHECK(Generator::create(o).error().where == "feedback_ratio");
  o = options();
  o.shock_factor = 1000.0;  // beyond the market's max_shock
  CHECK(Generator::create(o).error().where == "shock_factor");
  o = options();
  o.run_id = "";
  CHECK(Generator::create(o).error().where == "run_id");
}
