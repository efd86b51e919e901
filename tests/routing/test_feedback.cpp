// Feedback: per-tenant Dirichlet counts, isolation between tenants, features and reward.
#include <catch2/catch.hpp>

#include <cmath>

#include "fixtures.hpp"

using fixtures::probability_of;

namespace {
rt::Feedback good(const std::string& model) { return {"r", "tenant-a", model, 250.0, 90.0, 0.97, 1e-6, true}; }
}  // namespace

TEST_CASE("routing: feedback favouring a model raises it for that tenant only", "[routing][feedback]") {
  const rt::Router router = fixtures::default_router();
  const auto snap = router.prepare(fixtures::market()).value();
  const auto q = fixtures::request();
  rt::TenantOutcomes a, b;
  const auto a_before = router.decide(q, fixtures::tenant("tenant-a"), a, snap).value();
  const auto b_before = router.decide(q, fixtures::tenant("tenant-b"), b, snap).value();
  double previous = probability_of(a_before, "mistral-7b");
  for (int i = 0; i < 5; ++i) {
    REQUIRE(router.observe(good("mistral-7b"), a).has_value());
    const auto a_after = router.decide(q, fixtures::tenant("tenant-a"), a, snap).value();
    CHECK(probability_of(a_after, "mistral-7b") > previous);
    previous = probability_of(a_after, "mistral-7b");
  }
  const auto b_after = router.decide(q, fixtures::tenant("tenant-b"), b, snap).value();
  REQUIRE(b_after.alternatives.size() == b_before.alternatives.size());
  for (std::size_t i = 0; i < b_after.alternatives.size(); ++i) {
    CHECK(b_after.alternatives[i].model == b_before.alternatives[i].model);
    CHECK(b_after.alternatives[i].probability == b_before.alternatives[i].probability);
  }
  CHECK(b_after.model == b_before.model);
  CHECK(b_after.reasoning == b_before.reasoning);
}

TEST_CASE("routing: failures lower a model, and only the success modality counts them", "[routing][feedback]") {
  const rt::Router router = fixtures::default_router();
  const auto snap = router.prepare(fixtures::market()).value();
  rt::TenantOutcomes o;
  const auto before = router.decide(fixtures::request(), fixtures::tenant(), o, snap).value();
  for (int i = 0; i < 4; ++i)
    REQUIRE(router.observe({"r", "t", "gpt-4o-mini", 9000.0, 1.0, 0.0, 1.0, false}, o).has_value());
  const auto* e = o.find(rt::model_key("gpt-4o-mini"));
  REQUIRE(e != nullptr);
  CHECK(e->counts[12] == 4.0F);  // fail bin
  for (std::size_t b = 0; b < 12; ++b) CHECK(e->counts[b] == 0.0F);
  const auto after = router.decide(fixtures::request(), fixtures::tenant(), o, snap).value();
  CHECK(probability_of(after, "gpt-4o-mini") < probability_of(before, "gpt-4o-mini"));
  const auto p = router.predict(*router.catalogue().model_index("gpt-4o-mini"), o, snap).value();
  CHECK(p.q[12] == Approx((10.0 * snap.prediction(10).q[12] + 4.0) / 14.0));
}

TEST_CASE("routing: feedback goes into the bins the edges define, capped", "[routing][feedback]") {
  rt::RouterParams params;
  params.outcomes.count_cap = 20.0;
  const rt::Router router = fixtures::default_router(params);
  rt::TenantOutcomes o;
  // latency 1500 ms -> bin 2 of (500, 1000, 2000); cost 2e-5 -> bin 2; quality 0.7 -> bin 1.
  REQUIRE(router.observe({"r", "t", "qwen2.5-72b", 1500.0, 30.0, 0.7, 2e-5, true}, o).has_value());
  const auto* e = o.find(rt::model_key("qwen2.5-72b"));
  REQUIRE(e != nullptr);
  CHECK(e->counts[2] == 1.0F);
  CHECK(e->counts[4 + 2] == 1.0F);
  CHECK(e->counts[8 + 1] == 1.0F);
  CHECK(e->counts[13] == 1.0F);
  for (int i = 0; i < 100; ++i) REQUIRE(router.observe({"r", "t", "qwen2.5-72b", 100.0, 30.0, 0.99, 1e-7, true}, o));
  e = o.find(rt::model_key("qwen2.5-72b"));
  float latency_total = 0.0F;
  for (std::size_t b = 0; b < 4; ++b) latency_total += e->counts[b];
  CHECK(latency_total <= 20.0F + 1e-3F);
  CHECK(e->counts[0] > 19.0F);
  CHECK(e->counts[2] < 0.1F);  // old evidence fades

  auto r = router.observe({"r", "t", "gpt-5", 100.0, 30.0, 0.9, 1e-6, true}, o);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == hanzo::hmm::Errc::unknown_symbol);
  CHECK(r.error().to_string() == "feedback.model: 'gpt-5' is not in the catalogue");
  CHECK(router.observe({"r", "t", "gpt-4o", -1.0, 30.0, 0.9, 1e-6, true}, o).error().to_string() ==
        "feedback, latency_ms: must be finite and >= 0");
}

TEST_CASE("routing: at most 8 models are tracked, the least recently updated is evicted", "[routing][feedback]") {
  const rt::Router router = fixtures::default_router();
  rt::TenantOutcomes o;
  const auto& models = router.catalogue().models;
  for (std::size_t i = 0; i < 8; ++i) REQUIRE(router.observe(good(models[i].name), o));
  REQUIRE(router.observe(good(models[0].name), o));  // model 1 is now the stalest
  REQUIRE(router.observe(good(models[8].name), o));
  CHECK(o.entries().size() == 8);
  CHECK(o.find(rt::model_key(models[1].name)) == nullptr);
  CHECK(o.find(rt::model_key(models[0].name)) != nullptr);
  CHECK(o.find(rt::model_key(models[8].name)) != nullptr);
  CHECK(o.clock() == 10);
}

TEST_CASE("routing: the habit adapter's features", "[routing][features]") {
  auto q = fixtures::request();
  q.context = std::string(400, 'c');
  q.requirements.requires_vision = true;
  q.preferences.max_latency_ms = 1000.0;
  q.preferences.preferred_models = {"a", "b"};
  const std::array<double, 4> regime{0.1, 0.2, 0.3, 0.4};
  const auto x = rt::features(q, regime);
  CHECK(x[0] == 1.0);
  CHECK(x[1] == Approx(std::log1p(static_cast<double>(q.input.size()) / 4.0) / 10.0));
  CHECK(x[2] == Approx(std::log1p(100.0) / 10.0));
  CHECK(x[3] == 0.0);
  CHECK(x[4] == 1.0);
  CHECK(x[5] == 1.0);
  CHECK(x[6] == Approx(0.0));
  CHECK(x[7] == 0.0);
  CHECK(x[8] == 0.0);
  CHECK(x[9] == 0.7);
  CHECK(x[10] == 0.0);
  CHECK(x[11] == 0.5);
  for (std::size_t i = 0; i < 4; ++i) CHECK(x[12 + i] == regime[i]);
  for (const double v : x) CHECK(std::abs(v) <= 1.0);
}

TEST_CASE("routing: reward is in [-1, 1] and follows the preferences", "[routing][features]") {
  rt::Preferences p;
  p.max_latency_ms = 1000.0;
  p.max_cost_per_token = 1e-5;
  p.quality_threshold = 0.8;
  rt::Feedback f{"r", "t", "m", 200.0, 80.0, 0.98, 1e-6, true};
  const double great = rt::reward(f, p);
  CHECK(great > 0.9);
  CHECK(great <= 1.0);
  f.latency_ms = 5000.0;
  f.quality = 0.3;
  f.cost_per_token = 1e-4;
  const double poor = rt::reward(f, p);
  CHECK(poor < -0.4);
  CHECK(poor >= -1.0);
  f.success = false;
  CHECK(rt::reward(f, p) == -1.0);
  // Exactly meeting every preference: the success alone, averaged with three neutral terms.
  f = {"r", "t", "m", 1000.0, 80.0, 0.8, 1e-5, true};
  CHECK(rt::reward(f, p) == Approx(0.25));
  CHECK(rt::reward(f, rt::Preferences{}) == 1.0);
}
