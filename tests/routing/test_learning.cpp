// Learning beyond the posterior mean: Thompson sampling (seeded, explained), forgetting, and the
// shared base pooled across tenants. All off by default.
#include <catch2/catch.hpp>

#include <set>

#include "fixtures.hpp"

using fixtures::probability_of;

namespace {

rt::Feedback outcome(const std::string& model, bool success, const std::string& id = "r") {
  return {id, "tenant-a", model, 400.0, 60.0, success ? 0.85 : 0.0, 2e-6, success};
}

rt::RouterParams sampling() {
  rt::RouterParams p;
  p.sample = true;
  return p;
}

float success_counts(const rt::TenantOutcomes& o, const std::string& model) {
  const auto* e = o.find(rt::model_key(model));
  return e == nullptr ? 0.0F : e->counts[12] + e->counts[13];
}

}  // namespace

TEST_CASE("routing: sampled decisions are reproducible per (tenant, request) and explore", "[routing][learning]") {
  const rt::Router router = fixtures::default_router(sampling());
  const auto snap = router.prepare(fixtures::market()).value();
  std::set<std::string> chosen;
  for (int k = 0; k < 200; ++k) {
    const auto q = fixtures::request("req-" + std::to_string(k));
    const auto a = router.decide(q, fixtures::tenant(), {}, snap).value();
    const auto b = router.decide(q, fixtures::tenant(), {}, snap).value();
    CHECK(a.model == b.model);
    CHECK(a.reasoning == b.reasoning);
    CHECK_THAT(a.reasoning, Catch::Contains("sampled"));
    chosen.insert(a.model);
  }
  CHECK(chosen.size() >= 3);  // thin evidence: several models get tried
  // Without sampling the same stream always goes to one model.
  const rt::Router plain = fixtures::default_router();
  const auto plain_snap = plain.prepare(fixtures::market()).value();
  std::set<std::string> argmax;
  for (int k = 0; k < 50; ++k)
    argmax.insert(plain.decide(fixtures::request("req-" + std::to_string(k)), fixtures::tenant(), {}, plain_snap).value().model);
  CHECK(argmax.size() == 1);
}

TEST_CASE("routing: sampling concentrates as evidence accumulates", "[routing][learning]") {
  const rt::Router router = fixtures::default_router(sampling());
  const auto snap = router.prepare(fixtures::market()).value();
  rt::TenantOutcomes o;
  const auto share = [&](const std::string& model) {
    int n = 0;
    for (int k = 0; k < 200; ++k)
      n += router.decide(fixtures::request("s-" + std::to_string(k)), fixtures::tenant(), o, snap).value().model == model;
    return n / 200.0;
  };
  const double before = share("gpt-4o-mini");
  for (int i = 0; i < 60; ++i) REQUIRE(router.observe(outcome("gpt-4o-mini", false), o).has_value());
  CHECK(share("gpt-4o-mini") < 0.02);
  CHECK(before > share("gpt-4o-mini"));
}

TEST_CASE("routing: forgetting fades old counts so a failed model recovers", "[routing][learning]") {
  rt::RouterParams p;
  p.forgetting = 0.02;
  const rt::Router router = fixtures::default_router(p);
  const rt::Router keeping = fixtures::default_router();
  rt::TenantOutcomes fading, kept;
  for (int i = 0; i < 30; ++i) {
    REQUIRE(router.observe(outcome("gpt-4o-mini", false), fading).has_value());
    REQUIRE(keeping.observe(outcome("gpt-4o-mini", false), kept).has_value());
  }
  const float start = success_counts(fading, "gpt-4o-mini");
  for (int i = 0; i < 100; ++i) {
    REQUIRE(router.observe(outcome("qwen2.5-7b", true), fading).has_value());
    REQUIRE(keeping.observe(outcome("qwen2.5-7b", true), kept).has_value());
  }
  CHECK(success_counts(fading, "gpt-4o-mini") == Approx(start * std::pow(0.98, 100)).epsilon(1e-3));
  CHECK(success_counts(kept, "gpt-4o-mini") == 30.0F);
  const auto snap = router.prepare(fixtures::market()).value();
  const auto ksnap = keeping.prepare(fixtures::market()).value();
  const auto q = fixtures::request();
  CHECK(probability_of(router.decide(q, fixtures::tenant(), fading, snap).value(), "gpt-4o-mini") >
        probability_of(keeping.decide(q, fixtures::tenant(), kept, ksnap).value(), "gpt-4o-mini"));
}

TEST_CASE("routing: the shared base carries one tenant's evidence to another", "[routing][learning]") {
  rt::RouterParams p;
  p.shared_base = true;
  const rt::Router router = fixtures::default_router(p);
  const auto snap = router.prepare(fixtures::market()).value();
  rt::SharedOutcomes pool(router.catalogue().models.size());
  rt::TenantOutcomes a, b;  // b never reports anything
  const auto q = fixtures::request();
  const auto before = router.decide(q, fixtures::tenant("tenant-b"), b, snap, &pool).value();
  for (int i = 0; i < 40; ++i) {
    REQUIRE(router.observe(outcome("gpt-4o-mini", false), a).has_value());
    REQUIRE(router.observe_shared(outcome("gpt-4o-mini", false), pool).has_value());
  }
  const auto after = router.decide(q, fixtures::tenant("tenant-b"), b, snap, &pool).value();
  CHECK(probability_of(after, "gpt-4o-mini") < 0.5 * probability_of(before, "gpt-4o-mini"));
  CHECK_THAT(after.reasoning, Catch::Contains("shared base"));
  // Off: the pool is ignored.
  const rt::Router off = fixtures::default_router();
  const auto off_snap = off.prepare(fixtures::market()).value();
  const auto x = off.decide(q, fixtures::tenant("tenant-b"), b, off_snap, &pool).value();
  const auto y = off.decide(q, fixtures::tenant("tenant-b"), b, off_snap).value();
  CHECK(x.model == y.model);
  CHECK(probability_of(x, "gpt-4o-mini") == probability_of(y, "gpt-4o-mini"));
  // A pool of the wrong size is refused.
  rt::SharedOutcomes small(3);
  CHECK_FALSE(router.observe_shared(outcome("gpt-4o-mini", false), small).has_value());
  CHECK_FALSE(router.decide(q, fixtures::tenant("tenant-b"), b, snap, &small).has_value());
}

TEST_CASE("routing: learning parameters are bounded", "[routing][learning]") {
  rt::RouterParams p;
  p.forgetting = 1.0;
  CHECK(p.validate().error().where == "forgetting");
  p.forgetting = 0.0;
  p.shared_cap = 0.5;
  CHECK(p.validate().error().where == "shared_cap");
  p.shared_cap = 50.0;
  p.shared_forgetting = -0.1;
  CHECK(p.validate().error().where == "shared_forgetting");
  p.shared_forgetting = 0.0;
  CHECK(p.validate().has_value());
}
