// Catalogue, parameter, request and view validation: defaults are valid, errors name key paths.
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>

#include "fixtures.hpp"

using hanzo::hmm::Errc;

TEST_CASE("routing: the default catalogue is valid and covers the five classes", "[routing][catalogue]") {
  const rt::Catalogue c = rt::default_catalogue();
  REQUIRE(c.validate().has_value());
  CHECK(c.models.size() == 12);
  std::set<std::string> used, providers;
  int vision = 0, fc = 0;
  for (const auto& m : c.models) {
    used.insert(m.compute_class);
    providers.insert(m.provider);
    vision += m.capabilities.vision;
    fc += m.capabilities.function_calling;
  }
  CHECK(used == std::set<std::string>{"h100-80g", "a100-80g", "l40s-48g", "l4-24g", "cpu"});
  CHECK(providers.count("openai") == 1);
  CHECK(providers.count("anthropic") == 1);
  CHECK(vision >= 3);
  CHECK(fc >= 6);
  CHECK(c.model_index("phi-3-mini").has_value());
  CHECK(c.models[*c.model_index("phi-3-mini")].compute_class == "cpu");
  CHECK(rt::Router::create(c).has_value());
}

TEST_CASE("routing: catalogue errors name the key path", "[routing][catalogue]") {
  auto with = [](auto edit) {
    rt::Catalogue c = rt::default_catalogue();
    edit(c);
    auto r = c.validate();
    REQUIRE_FALSE(r.has_value());
    return r.error().to_string();
  };
  CHECK(with([](rt::Catalogue& c) { c.models[3].tokens_per_second = 0.0; }) ==
        "models[3].tokens_per_second: must be finite and > 0");
  CHECK(with([](rt::Catalogue& c) { c.models[2].compute_class = "tpu-v5"; }) ==
        "models[2].compute_class: unknown class 'tpu-v5'");
  CHECK(with([](rt::Catalogue& c) { c.models[5].name = c.models[1].name; }) == "models[5].name: duplicate of models[1]");
  CHECK(with([](rt::Catalogue& c) { c.models[0].quality = 1.5; }) == "models[0].quality: must be in [0, 1]");
  CHECK(with([](rt::Catalogue& c) { c.classes[4].memory_gb = -1.0; }) == "classes[4].memory_gb: must be finite and > 0");
  CHECK(with([](rt::Catalogue& c) { c.models.clear(); }) == "models: must not be empty");
  auto r = rt::Router::create([] {
    rt::Catalogue c = rt::default_catalogue();
    c.models[7].latency_sigma = 0.0;
    return c;
  }());
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().to_string() == "catalogue, models[7].latency_sigma: must be in (0, 3]");
}

TEST_CASE("routing: parameter errors name the key path", "[routing][params]") {
  REQUIRE(rt::RouterParams{}.validate().has_value());
  auto with = [](auto edit) {
    rt::RouterParams p;
    edit(p);
    auto r = p.validate();
    REQUIRE_FALSE(r.has_value());
    return r.error().to_string();
  };
  CHECK(with([](rt::RouterParams& p) { p.bins.latency_edges_ms[1] = 100.0; }) ==
        "bins.latency_edges_ms[1]: edges must be strictly increasing");
  CHECK(with([](rt::RouterParams& p) { p.bins.quality_edges[2] = 1.0; }) == "bins.quality_edges[2]: out of range");
  CHECK(with([](rt::RouterParams& p) { p.regimes.crisis.gamma = 0.0; }) == "regimes.crisis.gamma: must be finite and > 0");
  CHECK(with([](rt::RouterParams& p) { p.regimes.exploration.cost = -1.0; }) ==
        "regimes.exploration.cost: must be finite and >= 0");
  CHECK(with([](rt::RouterParams& p) { p.outcomes.congested.latency_stretch = NAN; }) ==
        "outcomes.congested.latency_stretch: must be finite and > 0");
  CHECK(with([](rt::RouterParams& p) { p.outcomes.prior_strength = 0.0; }) ==
        "outcomes.prior_strength: must be finite and > 0");
  CHECK(with([](rt::RouterParams& p) { p.preferences.floor = 1.0; }) == "preferences.floor: must be in (0, 1)");
  CHECK(with([](rt::RouterParams& p) { p.chars_per_token = 0.0; }) == "chars_per_token: must be finite and > 0");
}

TEST_CASE("routing: request, feedback and view errors name the key path", "[routing][params]") {
  rt::RoutingRequest q = fixtures::request();
  REQUIRE(q.validate().has_value());
  q.preferences.max_latency_ms = -5.0;
  CHECK(q.validate().error().to_string() == "preferences.max_latency_ms: must be finite and > 0");
  q = fixtures::request();
  q.preferences.quality_threshold = 1.5;
  CHECK(q.validate().error().to_string() == "preferences.quality_threshold: must be in [0, 1]");
  q = fixtures::request();
  q.requirements.max_memory_gb = 0.0;
  CHECK(q.validate().error().to_string() == "requirements.max_memory_gb: must be finite and > 0");

  const rt::Router router = fixtures::default_router();
  rt::MarketView m = fixtures::market();
  m.classes[2].price_per_gpu_second = 0.0;
  CHECK(router.prepare(m).error().to_string() == "market.classes[2].price_per_gpu_second: must be finite and > 0");
  m = fixtures::market({0.5, 0.6, 0.0, 0.0});
  CHECK(router.prepare(m).error().code == Errc::not_normalised);
  m = fixtures::market();
  m.classes.pop_back();
  CHECK(router.prepare(m).error().code == Errc::invalid_dimension);

  const auto snap = router.prepare(fixtures::market()).value();
  const std::vector<double> habit(5, 0.0);
  rt::TenantView t = fixtures::tenant();
  t.habit = habit;
  auto d = router.decide(fixtures::request(), t, {}, snap);
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().to_string() == "tenant.habit: has 5 scores, the catalogue 12 models");
  q = fixtures::request();
  q.preferences.max_cost_per_token = 0.0;
  d = router.decide(q, fixtures::tenant(), {}, snap);
  REQUIRE_FALSE(d.has_value());
  CHECK(d.error().to_string() == "request, preferences.max_cost_per_token: must be finite and > 0");

  // A snapshot belongs to the router that prepared it.
  const rt::Router other = fixtures::default_router();
  CHECK_FALSE(other.decide(fixtures::request(), fixtures::tenant(), {}, snap).has_value());

  rt::Feedback f{"req-1", "tenant-a", "gpt-4o", 500.0, 80.0, 1.2, 1e-5, true};
  CHECK(f.validate().error().to_string() == "quality: must be in [0, 1]");
}
