// Budgets: an unmeetable soft budget pushes towards the cheapest feasible models (never away),
// cost preference is monotone in the budget, and the opt-in hard cap excludes with a reason.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <optional>

#include "fixtures.hpp"
#include "hanzo/hmm/random.hpp"

namespace {

// The router's cost bin of a price (the granularity its preferences can tell apart).
int cost_bin(const rt::RouterParams& p, double price) {
  int b = 0;
  while (b < 3 && price >= p.bins.cost_edges[static_cast<std::size_t>(b)]) ++b;
  return b;
}

double price_of(const rt::Decision& d, const rt::MarketSnapshot& snap) {
  return snap.prediction(d.model_index).price_per_token;
}

double cheapest_feasible(const rt::Decision& d, const rt::MarketSnapshot& snap) {
  double lo = INFINITY;
  for (const auto& a : d.alternatives) lo = std::min(lo, snap.prediction(a.index).price_per_token);
  return lo;
}

}  // namespace

TEST_CASE("routing: a budget below every price routes among the cheapest feasible models", "[routing][budget]") {
  const rt::Router router = fixtures::default_router();
  const auto snap = router.prepare(fixtures::market()).value();
  hanzo::hmm::Rng rng(17);
  double min_price = INFINITY;
  for (std::size_t i = 0; i < router.catalogue().models.size(); ++i)
    min_price = std::min(min_price, snap.prediction(i).price_per_token);
  for (int k = 0; k < 300; ++k) {
    auto q = fixtures::request("budget-" + std::to_string(k));
    // log-uniform between 1e-300 and half the cheapest price
    q.preferences.max_cost_per_token = std::exp(std::log(1e-300) + rng.uniform() * (std::log(min_price / 2) - std::log(1e-300)));
    q.preferences.quality_threshold = 0.9 * rng.uniform();
    if (rng.uniform() < 0.5) q.preferences.max_latency_ms = 300.0 + 3000.0 * rng.uniform();
    q.requirements.requires_function_calling = rng.uniform() < 0.3;
    const auto d = router.decide(q, fixtures::tenant(), {}, snap).value();
    REQUIRE(d.status == rt::Status::routed);
    INFO("budget " << *q.preferences.max_cost_per_token << " chose " << d.model);
    CHECK(cost_bin(router.params(), price_of(d, snap)) == cost_bin(router.params(), cheapest_feasible(d, snap)));
    CHECK(price_of(d, snap) <= 2.5 * cheapest_feasible(d, snap));
  }
}

TEST_CASE("routing: the cost preference is monotone in the budget", "[routing][budget]") {
  const rt::Router router = fixtures::default_router();
  const auto snap = router.prepare(fixtures::market()).value();
  for (const double threshold : {0.0, 0.7, 0.9}) {
    double prev_price = INFINITY;
    std::array<double, 3> prev_gap{-INFINITY, -INFINITY, -INFINITY};
    const auto expected_price = [&](std::optional<double> budget) {
      auto q = fixtures::request();
      q.preferences.quality_threshold = threshold;
      q.preferences.max_cost_per_token = budget;
      const auto d = router.decide(q, fixtures::tenant(), {}, snap).value();
      double e = 0.0;  // E_q[price]
      for (const auto& a : d.alternatives) e += a.probability * snap.prediction(a.index).price_per_token;
      return e;
    };
    // From a budget above every price down to one far below all of them.
    for (double budget = 1e-2; budget > 1e-300; budget /= 3.0) {
      auto q = fixtures::request();
      q.preferences.quality_threshold = threshold;
      q.preferences.max_cost_per_token = budget;
      const auto d = router.decide(q, fixtures::tenant(), {}, snap).value();
      INFO("threshold " << threshold << " budget " << budget << " chose " << d.model);
      CHECK(price_of(d, snap) <= prev_price * (1 + 1e-12));
      prev_price = price_of(d, snap);
      // ln sigma(C) of the cheapest cost bin over each dearer one only grows as the budget shrinks.
      const auto c = rt::log_preferences(q.preferences, router.params());
      for (std::size_t b = 1; b < 4; ++b) {
        const double gap = c[4] - c[4 + b];
        CHECK(gap >= prev_gap[b - 1] - 1e-12);
        prev_gap[b - 1] = gap;
      }
    }
    INFO("threshold " << threshold);
    CHECK(expected_price(1e-300) < expected_price(std::nullopt));
    CHECK(expected_price(1e-300) < expected_price(1.0));
  }
}

TEST_CASE("routing: a hard budget excludes dearer models and rejects with the reason", "[routing][budget]") {
  const rt::Router router = fixtures::default_router();
  const auto snap = router.prepare(fixtures::market()).value();
  auto q = fixtures::request();
  q.requirements.hard_budget = true;
  SECTION("needs a budget") {
    auto r = q.validate();
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().where == "requirements.hard_budget");
  }
  SECTION("between prices: only models within it remain") {
    q.preferences.max_cost_per_token = 1e-5;
    const auto d = router.decide(q, fixtures::tenant(), {}, snap).value();
    REQUIRE(d.status == rt::Status::routed);
    CHECK(price_of(d, snap) <= 1e-5);
    for (const auto& a : d.alternatives) CHECK(snap.prediction(a.index).price_per_token <= 1e-5);
    REQUIRE_FALSE(d.excluded.empty());
    for (const auto& e : d.excluded) CHECK_THAT(e.reason, Catch::Contains("> max_cost_per_token"));
  }
  SECTION("below every price: rejected, saying why") {
    q.preferences.max_cost_per_token = 1e-12;
    const auto d = router.decide(q, fixtures::tenant(), {}, snap).value();
    CHECK(d.status == rt::Status::rejected);
    CHECK(d.excluded.size() == router.catalogue().models.size());
    CHECK_THAT(d.reasoning, Catch::Contains("price_per_token") && Catch::Contains("max_cost_per_token"));
  }
  SECTION("a soft budget below every price still routes") {
    q.requirements.hard_budget = false;
    q.preferences.max_cost_per_token = 1e-12;
    CHECK(router.decide(q, fixtures::tenant(), {}, snap).value().status == rt::Status::routed);
  }
}
