// decide_into on a reused Decision allocates nothing in the steady state: the same number of
// alternatives and exclusions (a vector that shrinks destroys its strings; regrowing allocates).
#include <catch2/catch.hpp>

#include "../core/alloc_counter.hpp"
#include "fixtures.hpp"

TEST_CASE("routing: decide_into does not allocate once the decision has grown", "[routing][alloc]") {
  const rt::Router router = fixtures::default_router();
  const auto snap = router.prepare(fixtures::market({0.1, 0.5, 0.3, 0.1})).value();
  rt::TenantOutcomes o;
  for (const char* m : {"gpt-4o-mini", "mistral-7b", "qwen2.5-72b"})
    REQUIRE(router.observe({"r", "t", m, 400.0, 60.0, 0.8, 4e-6, true}, o));
  std::vector<rt::RoutingRequest> reqs;
  for (int i = 0; i < 6; ++i) {
    auto q = fixtures::request("request-with-a-long-identifier-" + std::to_string(i));
    if (i % 2) q.preferences.max_latency_ms = 300.0 + 200.0 * i;
    if (i % 3 == 0) q.preferences.max_cost_per_token = 1e-6 * (i + 1);
    q.requirements.requires_function_calling = true;  // the same 3 exclusions, with reasons
    if (i == 5) q.requirements.min_tokens_per_second = 1.0;  // excludes nothing more
    if (i == 2) q.preferences.preferred_models = {"claude-3.5-sonnet"};
    reqs.push_back(std::move(q));
  }
  std::vector<double> habit(12, 0.1);
  rt::TenantView t = fixtures::tenant("a-tenant-with-a-long-identifier", {0.2, 0.5, 0.2, 0.1});
  t.habit = habit;
  rt::Decision d;
  for (int pass = 0; pass < 3; ++pass)  // grow every string and vector to its largest
    for (const auto& q : reqs) REQUIRE(router.decide_into(d, q, t, o, snap));
  const std::size_t before = alloc_counter::count();
  for (int pass = 0; pass < 3; ++pass)
    for (const auto& q : reqs) REQUIRE(router.decide_into(d, q, t, o, snap));
  CHECK(alloc_counter::count() - before == 0);
}
