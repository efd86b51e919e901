// Expected free energy against hand computation, and the shape of the log-preferences.
#include <catch2/catch.hpp>

#include <cmath>

#include "fixtures.hpp"

namespace {

// Only the success modality counts, gamma = 2 in every tenant regime.
rt::RouterParams success_only() {
  rt::RouterParams p;
  for (auto* r : {&p.regimes.exploration, &p.regimes.exploitation, &p.regimes.crisis, &p.regimes.transition})
    *r = rt::RegimeParams{2.0, 0.0, 0.0, 0.0, 1.0};
  p.preferences.failure_log_preference = -2.0;
  p.outcomes.congested.failure_multiplier = 2.0;
  p.habit_weight = 1.0;  // the habit section reads the scores as ln E
  return p;
}

rt::Router toy() {
  auto a = fixtures::plain_model("a");
  auto b = fixtures::plain_model("b");
  a.success_rate = 0.9;
  b.success_rate = 0.6;
  return rt::Router::create(fixtures::one_class({a, b}), success_only()).value();
}

double entropy2(double p) { return -p * std::log(p) - (1 - p) * std::log(1 - p); }

}  // namespace

TEST_CASE("routing: EFE of a 2-candidate, 1-modality toy matches the hand computation", "[routing][efe]") {
  const rt::Router router = toy();
  // sigma(C) for C = (fail -2, ok 0).
  const double pf = std::exp(-2.0) / (1.0 + std::exp(-2.0)), ps = 1.0 / (1.0 + std::exp(-2.0));
  SECTION("known regime: Q = P, so risk = KL, ambiguity = H") {
    const auto d = router.decide(fixtures::request(), fixtures::tenant(), {}, fixtures::one_class_market()).value();
    const double risk_a = 0.1 * std::log(0.1 / pf) + 0.9 * std::log(0.9 / ps);
    const double risk_b = 0.4 * std::log(0.4 / pf) + 0.6 * std::log(0.6 / ps);
    const double g_a = risk_a + entropy2(0.1), g_b = risk_b + entropy2(0.4);
    const auto* a = fixtures::alternative(d, "a");
    const auto* b = fixtures::alternative(d, "b");
    CHECK(a->risk == Approx(risk_a).epsilon(1e-9));
    CHECK(a->ambiguity == Approx(entropy2(0.1)).epsilon(1e-9));
    CHECK(b->risk == Approx(risk_b).epsilon(1e-9));
    CHECK(b->ambiguity == Approx(entropy2(0.4)).epsilon(1e-9));
    // q(a) = 1 / (1 + exp(-gamma (G_b - G_a))).
    CHECK(a->probability == Approx(1.0 / (1.0 + std::exp(-2.0 * (g_b - g_a)))).epsilon(1e-9));
    CHECK(d.model == "a");
    // Here risk + ambiguity is the cross-entropy -sum Q ln sigma(C).
    CHECK(g_a == Approx(-(0.1 * std::log(pf) + 0.9 * std::log(ps))));
  }
  SECTION("uncertain regime: Q mixes P(o|s), ambiguity is the expected entropy") {
    // Balanced: fail 0.1 / 0.4; congested doubles the failure rate: 0.2 / 0.8 capped at 0.5.
    const auto m = fixtures::one_class_market(2e-4, {0.0, 0.5, 0.5, 0.0});
    const auto d = router.decide(fixtures::request(), fixtures::tenant(), {}, m).value();
    const double qa = 0.5 * 0.1 + 0.5 * 0.2, qb = 0.5 * 0.4 + 0.5 * 0.5;
    const auto kl = [&](double f) { return f * std::log(f / pf) + (1 - f) * std::log((1 - f) / ps); };
    const auto* a = fixtures::alternative(d, "a");
    const auto* b = fixtures::alternative(d, "b");
    CHECK(a->risk == Approx(kl(qa)).epsilon(1e-9));
    CHECK(a->ambiguity == Approx(0.5 * entropy2(0.1) + 0.5 * entropy2(0.2)).epsilon(1e-9));
    CHECK(b->risk == Approx(kl(qb)).epsilon(1e-9));
    CHECK(b->ambiguity == Approx(0.5 * entropy2(0.4) + 0.5 * entropy2(0.5)).epsilon(1e-9));
    const double g_a = a->risk + a->ambiguity, g_b = b->risk + b->ambiguity;
    CHECK(a->probability == Approx(1.0 / (1.0 + std::exp(-2.0 * (g_b - g_a)))).epsilon(1e-9));
  }
  SECTION("habit enters the softmax additively") {
    std::vector<double> habit{0.0, 1.5};
    rt::TenantView t = fixtures::tenant();
    t.habit = habit;
    const auto d = router.decide(fixtures::request(), t, {}, fixtures::one_class_market()).value();
    const auto* a = fixtures::alternative(d, "a");
    const auto* b = fixtures::alternative(d, "b");
    const double za = -2.0 * a->expected_free_energy, zb = -2.0 * b->expected_free_energy + 1.5;
    CHECK(b->probability == Approx(std::exp(zb) / (std::exp(za) + std::exp(zb))).epsilon(1e-9));
  }
}

TEST_CASE("routing: modality weights scale G per tenant regime", "[routing][efe]") {
  rt::RouterParams p = success_only();
  p.regimes.crisis = rt::RegimeParams{2.0, 0.0, 0.0, 0.0, 3.0};
  auto a = fixtures::plain_model("a");
  a.success_rate = 0.9;
  const rt::Router router = rt::Router::create(fixtures::one_class({a}), p).value();
  const auto m = fixtures::one_class_market();
  const auto normal = router.decide(fixtures::request(), fixtures::tenant("t", {0, 1, 0, 0}), {}, m).value();
  const auto mixed = router.decide(fixtures::request(), fixtures::tenant("t", {0, 0.5, 0.5, 0}), {}, m).value();
  CHECK(mixed.expected_free_energy == Approx(2.0 * normal.expected_free_energy));  // weight 0.5*1 + 0.5*3
}

TEST_CASE("routing: log-preferences are normalised and ordered", "[routing][preferences]") {
  const rt::RouterParams params;
  for (const bool given : {false, true}) {
    rt::Preferences prefs;
    if (given) {
      prefs.max_latency_ms = 800.0;
      prefs.max_cost_per_token = 1e-5;
      prefs.quality_threshold = 0.8;
    }
    const auto c = rt::log_preferences(prefs, params);
    for (std::size_t m = 0; m < rt::kModalities; ++m) {
      double s = 0.0;
      for (std::size_t b = 0; b < rt::kBins[m]; ++b) s += std::exp(c[rt::kOffset[m] + b]);
      CHECK(s == Approx(1.0));
    }
    for (std::size_t b = 1; b < 4; ++b) {
      CHECK(c[b] < c[b - 1]);          // latency: faster preferred
      CHECK(c[4 + b] < c[4 + b - 1]);  // cost: cheaper preferred
      CHECK(c[8 + b] > c[8 + b - 1]);  // quality: better preferred
    }
    CHECK(c[12] < c[13]);  // success preferred
  }
  // A tighter bound moves preference mass to the fastest bin.
  rt::Preferences loose, tight;
  loose.max_latency_ms = 3000.0;
  tight.max_latency_ms = 600.0;
  CHECK(rt::log_preferences(tight, params)[0] > rt::log_preferences(loose, params)[0]);
}

TEST_CASE("routing: risk is a KL divergence", "[routing][efe]") {
  const rt::Router router = fixtures::default_router();
  const auto snap = router.prepare(fixtures::market({0.2, 0.3, 0.3, 0.2})).value();
  rt::Preferences prefs;
  prefs.max_latency_ms = 1000.0;
  const auto c = rt::log_preferences(prefs, router.params());
  for (std::size_t i = 0; i < router.catalogue().models.size(); ++i) {
    const auto t = rt::efe_terms(snap.prediction(i), c);
    for (std::size_t m = 0; m < rt::kModalities; ++m) {
      CHECK(t.risk[m] >= -1e-12);
      CHECK(t.ambiguity[m] >= 0.0);
    }
  }
  // Q = sigma(C) has zero risk.
  rt::Prediction p;
  for (std::size_t b = 0; b < rt::kOutcomeBins; ++b) p.q[b] = std::exp(c[b]);
  for (std::size_t m = 0; m < rt::kModalities; ++m)
    for (std::size_t b = 0; b < rt::kBins[m]; ++b) p.neg_entropy[m] += p.q[rt::kOffset[m] + b] * c[rt::kOffset[m] + b];
  for (const double r : rt::efe_terms(p, c).risk) CHECK(r == Approx(0.0).margin(1e-12));
}
