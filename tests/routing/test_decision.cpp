// Decisions: hard filters, probabilities, preferences, price, congestion, determinism.
#include <catch2/catch.hpp>

#include <algorithm>
#include <numeric>
#include <utility>

#include "fixtures.hpp"

using fixtures::probability_of;

namespace {

void check_well_formed(const rt::Decision& d) {
  REQUIRE(d.status == rt::Status::routed);
  REQUIRE_FALSE(d.alternatives.empty());
  double sum = 0.0;
  for (std::size_t i = 0; i < d.alternatives.size(); ++i) {
    const auto& a = d.alternatives[i];
    CHECK(a.probability >= 0.0);
    CHECK(a.probability <= 1.0);
    CHECK(a.expected_free_energy == Approx(a.risk + a.ambiguity));
    if (i > 0) CHECK(a.probability <= d.alternatives[i - 1].probability);
    sum += a.probability;
  }
  CHECK(sum == Approx(1.0).epsilon(1e-12));
  CHECK(d.confidence >= 0.0);
  CHECK(d.confidence <= 1.0);
  CHECK(d.confidence == d.alternatives[0].probability);
  CHECK(d.model == d.alternatives[0].model);
  CHECK(d.expected_free_energy == d.alternatives[0].expected_free_energy);
  for (std::size_t f = 0; f < d.fallback_models.size(); ++f) CHECK(d.fallback_models[f] == d.alternatives[f + 1].model);
  CHECK_FALSE(d.reasoning.empty());
  CHECK(d.price_per_token > 0.0);
  CHECK(d.expected_latency_ms > 0.0);
}

bool same(const rt::Decision& a, const rt::Decision& b) {
  if (a.alternatives.size() != b.alternatives.size() || a.excluded.size() != b.excluded.size()) return false;
  for (std::size_t i = 0; i < a.alternatives.size(); ++i) {
    const auto &x = a.alternatives[i], &y = b.alternatives[i];
    if (x.model != y.model || x.index != y.index || x.probability != y.probability ||
        x.expected_free_energy != y.expected_free_energy || x.risk != y.risk || x.ambiguity != y.ambiguity ||
        x.habit != y.habit)
      return false;
  }
  for (std::size_t i = 0; i < a.excluded.size(); ++i)
    if (a.excluded[i].model != b.excluded[i].model || a.excluded[i].reason != b.excluded[i].reason) return false;
  return a.request_id == b.request_id && a.tenant == b.tenant && a.status == b.status && a.model == b.model &&
         a.provider == b.provider && a.compute_class == b.compute_class && a.regime == b.regime &&
         a.regime_posterior == b.regime_posterior && a.market_regime == b.market_regime &&
         a.confidence == b.confidence && a.price_per_token == b.price_per_token && a.expected_cost == b.expected_cost &&
         a.expected_latency_ms == b.expected_latency_ms && a.expected_free_energy == b.expected_free_energy &&
         a.fallback_models == b.fallback_models && a.reasoning == b.reasoning &&
         a.meets_preferences.latency == b.meets_preferences.latency &&
         a.meets_preferences.cost == b.meets_preferences.cost &&
         a.meets_preferences.quality == b.meets_preferences.quality;
}

}  // namespace

TEST_CASE("routing: a default decision is well formed", "[routing][decision]") {
  const rt::Router router = fixtures::default_router();
  const auto d = router.decide(fixtures::request(), fixtures::tenant(), {}, fixtures::market()).value();
  check_well_formed(d);
  CHECK(d.alternatives.size() == 12);
  CHECK(d.excluded.empty());
  CHECK(d.fallback_models.size() == 3);
  CHECK(d.request_id == "req-1");
  CHECK(d.tenant == "tenant-a");
  CHECK(d.regime == "exploitation");
  CHECK(d.market_regime == "balanced");
  CHECK(rt::to_string(d.status) == std::string("routed"));
  // Input tokens: ceil(63 chars / 4) = 16, plus 256 completion tokens.
  CHECK(d.expected_cost == Approx(d.price_per_token * (16.0 + 256.0)));
  const auto& m = router.catalogue().models[d.model_index];
  CHECK(m.name == d.model);
  CHECK(m.provider == d.provider);
  CHECK(m.compute_class == d.compute_class);
}

TEST_CASE("routing: requiring vision excludes every non-vision model, with reasons", "[routing][filter]") {
  const rt::Router router = fixtures::default_router();
  auto q = fixtures::request();
  q.requirements.requires_vision = true;
  const auto d = router.decide(q, fixtures::tenant(), {}, fixtures::market()).value();
  check_well_formed(d);
  std::size_t non_vision = 0;
  for (const auto& m : router.catalogue().models) non_vision += !m.capabilities.vision;
  CHECK(d.excluded.size() == non_vision);
  for (const auto& e : d.excluded) {
    CHECK(e.reason == "requires vision");
    CHECK_FALSE(router.catalogue().models[*router.catalogue().model_index(e.model)].capabilities.vision);
  }
  for (const auto& a : d.alternatives) CHECK(router.catalogue().models[a.index].capabilities.vision);
  CHECK(d.alternatives.size() + d.excluded.size() == 12);
}

TEST_CASE("routing: with no feasible model the decision is rejected with the reasons", "[routing][filter]") {
  const rt::Router router = fixtures::default_router();
  auto q = fixtures::request();
  q.requirements.requires_vision = true;
  q.requirements.max_memory_gb = 20.0;  // every vision model needs more
  const auto d = router.decide(q, fixtures::tenant(), {}, fixtures::market()).value();
  CHECK(d.status == rt::Status::rejected);
  CHECK(rt::to_string(d.status) == std::string("rejected"));
  CHECK(d.model.empty());
  CHECK(d.alternatives.empty());
  CHECK(d.fallback_models.empty());
  CHECK(d.confidence == 0.0);
  REQUIRE(d.excluded.size() == 12);
  for (const auto& e : d.excluded) {
    const auto& m = router.catalogue().models[*router.catalogue().model_index(e.model)];
    CHECK_FALSE(e.reason.empty());
    if (!m.capabilities.vision) CHECK(e.reason.find("requires vision") != std::string::npos);
    if (m.memory_gb > 20.0) CHECK(e.reason.find("memory_gb") != std::string::npos);
  }
  CHECK(d.reasoning.rfind("Rejected", 0) == 0);
}

TEST_CASE("routing: the other hard filters", "[routing][filter]") {
  const rt::Router router = fixtures::default_router();
  auto q = fixtures::request();
  q.requirements.requires_function_calling = true;
  q.requirements.min_tokens_per_second = 60.0;
  q.requirements.region = "us-east";
  const auto d = router.decide(q, fixtures::tenant(), {}, fixtures::market()).value();
  check_well_formed(d);
  for (const auto& a : d.alternatives) {
    const auto& m = router.catalogue().models[a.index];
    CHECK(m.capabilities.function_calling);
    CHECK(m.tokens_per_second >= 60.0);
    CHECK(m.region == "us-east");
  }
  bool saw_tps = false, saw_region = false, saw_fc = false;
  for (const auto& e : d.excluded) {
    saw_tps |= e.reason.find("tokens_per_second") != std::string::npos;
    saw_region |= e.reason.find("region eu-west != us-east") != std::string::npos;
    saw_fc |= e.reason.find("requires function calling") != std::string::npos;
  }
  CHECK(saw_tps);
  CHECK(saw_region);
  CHECK(saw_fc);
  // phi-3-mini fails two requirements: both are listed, in order.
  for (const auto& e : d.excluded)
    if (e.model == "phi-3-mini") CHECK(e.reason == "requires function calling; tokens_per_second 12 < 60");
}

TEST_CASE("routing: a tighter latency bound never picks the slower of two otherwise equal models", "[routing][latency]") {
  auto fast = fixtures::plain_model("fast");
  auto slow = fixtures::plain_model("slow");
  fast.latency_ms = 600.0;
  slow.latency_ms = 900.0;
  for (const bool fast_first : {true, false}) {
    const rt::Router router =
        rt::Router::create(fixtures::one_class(fast_first ? std::vector{fast, slow} : std::vector{slow, fast})).value();
    for (const auto& posterior : {std::array<double, 4>{0, 1, 0, 0}, std::array<double, 4>{0.1, 0.5, 0.3, 0.1},
                                  std::array<double, 4>{0, 0, 0, 1}}) {
      const auto snap = router.prepare(fixtures::one_class_market(2e-4, posterior)).value();
      const double slow_ms = router.predict(*router.catalogue().model_index("slow"), {}, snap)->expected_latency_ms;
      for (const double bound : {20000.0, 5000.0, 2000.0, 1200.0, 800.0, 500.0, 300.0, 100.0}) {
        auto q = fixtures::request();
        q.preferences.max_latency_ms = bound;
        const auto d = router.decide(q, fixtures::tenant(), {}, snap).value();
        INFO("bound " << bound << ", fast first " << fast_first);
        CHECK(d.model == "fast");
        CHECK(d.expected_latency_ms < slow_ms);
      }
    }
  }
}

TEST_CASE("routing: preferred_models raises that model's probability", "[routing][habit]") {
  const rt::Router router = fixtures::default_router();
  const auto snap = router.prepare(fixtures::market()).value();
  auto q = fixtures::request();
  const auto before = router.decide(q, fixtures::tenant(), {}, snap).value();
  for (const char* name : {"mixtral-8x7b", "phi-3-mini", "claude-3.5-sonnet"}) {
    q.preferences.preferred_models = {name, name};  // listed twice: one bonus
    const auto after = router.decide(q, fixtures::tenant(), {}, snap).value();
    check_well_formed(after);
    CHECK(probability_of(after, name) > probability_of(before, name));
    CHECK(fixtures::alternative(after, name)->habit == Approx(router.params().preferred_bonus));
  }
  q.preferences.preferred_models = {"no-such-model"};
  CHECK(same(router.decide(q, fixtures::tenant(), {}, snap).value(), before));
}

TEST_CASE("routing: the adapter's habit scores enter ln E, times habit_weight (0 by default)", "[routing][habit]") {
  // q(qwen2.5-7b) without and with a habit score of 2 for it.
  const auto shift = [](const rt::RouterParams& params) {
    const rt::Router router = fixtures::default_router(params);
    const auto snap = router.prepare(fixtures::market()).value();
    std::vector<double> habit(12, 0.0);
    rt::TenantView t = fixtures::tenant();
    const auto before = router.decide(fixtures::request(), t, {}, snap).value();
    habit[*router.catalogue().model_index("qwen2.5-7b")] = 2.0;
    t.habit = habit;
    const auto after = router.decide(fixtures::request(), t, {}, snap).value();
    return std::pair{probability_of(before, "qwen2.5-7b"),
                     std::pair{probability_of(after, "qwen2.5-7b"), fixtures::alternative(after, "qwen2.5-7b")->habit}};
  };
  rt::RouterParams params;
  params.habit_weight = 1.0;
  const auto [before, after] = shift(params);
  CHECK(after.first > before);
  CHECK(after.second == 2.0);
  const auto [plain_before, plain_after] = shift(rt::RouterParams{});
  CHECK(plain_after.first == plain_before);
  CHECK(plain_after.second == 0.0);
}

TEST_CASE("routing: a higher price raises the cost modality's risk", "[routing][price]") {
  auto a = fixtures::plain_model("a");
  const rt::Router router = rt::Router::create(fixtures::one_class({a})).value();
  rt::Preferences prefs;
  prefs.max_cost_per_token = 1e-5;
  const auto ln_c = rt::log_preferences(prefs, router.params());
  double previous_risk = -1.0, previous_g = -1.0;
  // Cost per token = price / 50 tok/s: 1e-6 .. 1.6e-4 credits, across the 1e-5 bound.
  for (const double price : {5e-5, 2e-4, 5e-4, 1e-3, 2e-3, 4e-3, 8e-3}) {
    const auto snap = router.prepare(fixtures::one_class_market(price)).value();
    const auto t = rt::efe_terms(snap.prediction(0), ln_c);
    CHECK(snap.prediction(0).price_per_token == Approx(price / 50.0));
    CHECK(t.risk[1] > previous_risk);
    // With no hidden-state uncertainty in cost, risk + ambiguity is the cross-entropy: monotone.
    CHECK(t.risk[1] + t.ambiguity[1] > previous_g);
    previous_risk = t.risk[1];
    previous_g = t.risk[1] + t.ambiguity[1];
    auto q = fixtures::request();
    q.preferences = prefs;
    const auto d = router.decide(q, fixtures::tenant(), {}, snap).value();
    CHECK(d.meets_preferences.cost == (price / 50.0 <= 1e-5));
  }
  // In the full catalogue, raising one class's price moves probability away from its models.
  const rt::Router full = fixtures::default_router();
  auto m = fixtures::market();
  const auto cheap = full.decide(fixtures::request(), fixtures::tenant(), {}, m).value();
  m.classes[3].price_per_gpu_second *= 8.0;  // l4-24g
  const auto dear = full.decide(fixtures::request(), fixtures::tenant(), {}, m).value();
  for (const char* name : {"llama-3.1-8b", "qwen2.5-7b", "mistral-7b"}) {
    CHECK(fixtures::alternative(dear, name)->risk > fixtures::alternative(cheap, name)->risk);
    CHECK(probability_of(dear, name) < probability_of(cheap, name));
  }
}

TEST_CASE("routing: market congestion raises expected latency", "[routing][market]") {
  const rt::Router router = fixtures::default_router();
  const auto balanced = router.prepare(fixtures::market({0, 1, 0, 0})).value();
  const auto congested = router.prepare(fixtures::market({0, 0, 1, 0})).value();
  const auto shock = router.prepare(fixtures::market({0, 0, 0, 1})).value();
  for (std::size_t i = 0; i < router.catalogue().models.size(); ++i) {
    CHECK(congested.prediction(i).expected_latency_ms > balanced.prediction(i).expected_latency_ms);
    CHECK(shock.prediction(i).expected_latency_ms > congested.prediction(i).expected_latency_ms);
    CHECK(congested.prediction(i).q[3] > balanced.prediction(i).q[3]);  // slowest latency bin
  }
  CHECK(congested.regime() == "congested");
  // Same single model, decision under both beliefs.
  const rt::Router one = rt::Router::create(fixtures::one_class({fixtures::plain_model("m")})).value();
  const auto d0 = one.decide(fixtures::request(), fixtures::tenant(), {}, fixtures::one_class_market(2e-4, {0, 1, 0, 0}));
  const auto d1 = one.decide(fixtures::request(), fixtures::tenant(), {}, fixtures::one_class_market(2e-4, {0, 0, 1, 0}));
  CHECK(d1->expected_latency_ms > d0->expected_latency_ms);
  CHECK(d1->market_regime == "congested");
}

TEST_CASE("routing: the tenant regime sets the precision", "[routing][regime]") {
  const rt::Router router = fixtures::default_router();
  const auto snap = router.prepare(fixtures::market()).value();
  const auto explore = router.decide(fixtures::request(), fixtures::tenant("t", {1, 0, 0, 0}), {}, snap).value();
  const auto exploit = router.decide(fixtures::request(), fixtures::tenant("t", {0, 1, 0, 0}), {}, snap).value();
  CHECK(explore.regime == "exploration");
  CHECK(explore.confidence < exploit.confidence);  // lower gamma spreads q
  rt::TenantView labelled = fixtures::tenant("t", {0, 0, 1, 0});
  labelled.regime = "crisis (filtered)";
  CHECK(router.decide(fixtures::request(), labelled, {}, snap)->regime == "crisis (filtered)");
}

TEST_CASE("routing: decisions are deterministic and decide_into reuses the struct", "[routing][determinism]") {
  const rt::Router router = fixtures::default_router();
  const auto snap = router.prepare(fixtures::market({0.1, 0.4, 0.4, 0.1})).value();
  auto q = fixtures::request();
  q.preferences.max_latency_ms = 900.0;
  q.preferences.max_cost_per_token = 2e-5;
  q.requirements.requires_function_calling = true;
  const auto t = fixtures::tenant("t", {0.2, 0.5, 0.2, 0.1});
  rt::TenantOutcomes o;
  REQUIRE(router.observe({"r0", "t", "gpt-4o-mini", 300.0, 100.0, 0.9, 5e-6, true}, o).has_value());
  const auto a = router.decide(q, t, o, snap).value();
  const auto b = router.decide(q, t, o, snap).value();
  const auto c = router.decide(q, t, o, fixtures::market({0.1, 0.4, 0.4, 0.1})).value();
  CHECK(same(a, b));
  CHECK(same(a, c));
  // Reuse a struct that held a different (rejected, then routed) decision.
  rt::Decision reused;
  auto r = fixtures::request();
  r.requirements.requires_vision = true;
  r.requirements.max_memory_gb = 1.0;
  REQUIRE(router.decide_into(reused, r, t, o, snap).has_value());
  CHECK(reused.status == rt::Status::rejected);
  REQUIRE(router.decide_into(reused, fixtures::request("other"), fixtures::tenant(), {}, snap).has_value());
  REQUIRE(router.decide_into(reused, q, t, o, snap).has_value());
  CHECK(same(a, reused));
}

TEST_CASE("routing: suggested cost edges split the catalogue into four cost bins", "[routing][price]") {
  const auto edges = rt::suggest_cost_edges(rt::default_catalogue(), fixtures::market()).value();
  CHECK(edges[0] < edges[1]);
  CHECK(edges[1] < edges[2]);
  rt::RouterParams p;
  p.bins.cost_edges = edges;
  const rt::Router router = fixtures::default_router(p);
  const auto snap = router.prepare(fixtures::market()).value();
  std::array<int, 4> per_bin{};
  for (std::size_t i = 0; i < 12; ++i) {
    const double c = snap.prediction(i).price_per_token;
    per_bin[static_cast<std::size_t>(std::upper_bound(edges.begin(), edges.end(), c) - edges.begin())] += 1;
  }
  for (const int n : per_bin) CHECK(n >= 2);
  CHECK_FALSE(rt::suggest_cost_edges(rt::default_catalogue(), rt::MarketView{}).has_value());
}

