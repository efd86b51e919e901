// Configuration validation: every rejection names its key path (src/market/params.cpp).
#include <catch2/catch.hpp>

#include "helpers.hpp"

using namespace market_test;

namespace {
std::string where_of(const MarketConfig& c) {
  auto r = c.validate();
  REQUIRE_FALSE(r);
  return r.error().where;
}
}  // namespace

TEST_CASE("params: the defaults and the five-class example validate", "[market][params]") {
  CHECK(MarketParams{}.validate());
  CHECK(RegimeParams{}.validate());
  CHECK(ComputeClass{"x"}.validate());
  CHECK(five_classes().validate());
  CHECK(many_classes(16).validate());
  CHECK(Market::create(five_classes()));
}

TEST_CASE("params: λ must stay below the smallest weight at its largest modulated value", "[market][params]") {
  auto c = five_classes();  // min weight 0.5 (cpu)
  c.market.lambda = 0.24;
  c.market.lambda_modulation = {0.5, 1.0};  // max factor 2: 0.48 < 0.5
  CHECK(c.validate());
  c.market.lambda = 0.25;  // 0.5: not below
  auto r = c.validate();
  REQUIRE_FALSE(r);
  CHECK(r.error().where == "market.lambda");
  CHECK_THAT(r.error().message, Catch::Contains("min class weight 0.5") && Catch::Contains("classes[4]"));
  // The congested coefficient alone can push it over too.
  c.market.lambda = 0.2;
  c.market.lambda_modulation = {1.6, 0.0};
  CHECK(where_of(c) == "market.lambda");
  // Unmodulated λ at the weight itself.
  c.market.lambda_modulation = {0.0, 0.0};
  c.market.lambda = 0.5;
  CHECK(where_of(c) == "market.lambda");
  CHECK_FALSE(Market::create(c));
}

TEST_CASE("params: bad classes name their index and key", "[market][params]") {
  auto c = five_classes();
  c.classes[2].weight = 0.0;
  CHECK(where_of(c) == "classes[2].weight");
  c = five_classes();
  c.classes[1].supply = -1.0;
  CHECK(where_of(c) == "classes[1].supply");
  c = five_classes();
  c.classes[3].credits = std::nan("");
  CHECK(where_of(c) == "classes[3].credits");
  c = five_classes();
  c.classes[0].id.clear();
  CHECK(where_of(c) == "classes[0].id");
  c = five_classes();
  c.classes[4].id = "a100-80g";
  CHECK(where_of(c) == "classes[4].id");
  CHECK(c.validate().error().code == hanzo::hmm::Errc::duplicate_label);
  c = five_classes();
  c.classes[0].memory_gb = -80;
  CHECK(where_of(c) == "classes[0].memory_gb");
  c.classes.clear();
  CHECK(where_of(c) == "classes");
}

TEST_CASE("params: bad market parameters name their key", "[market][params]") {
  const auto check = [](auto mutate, const std::string& key) {
    auto c = five_classes();
    mutate(c.market);
    CHECK(where_of(c) == key);
  };
  check([](MarketParams& m) { m.lambda = -0.1; }, "market.lambda");
  check([](MarketParams& m) { m.alpha = -1; }, "market.alpha");
  check([](MarketParams& m) { m.kappa = 0.0; }, "market.kappa");
  check([](MarketParams& m) { m.market_fee = 1.0; }, "market.market_fee");
  check([](MarketParams& m) { m.risk_fee = 0.3; }, "market.risk_fee");  // 0.003 + 2·1.5 ≥ 1
  check([](MarketParams& m) { m.risk_fee_modulation.shock = std::nan(""); }, "market.risk_fee_modulation.shock");
  check([](MarketParams& m) { m.lambda_modulation.congested = -2.0; }, "market.lambda_modulation");
  check([](MarketParams& m) { m.reserve_floor = 0.0; }, "market.reserve_floor");
  check([](MarketParams& m) { m.max_shock = 0.5; }, "market.max_shock");
  check([](MarketParams& m) { m.max_step_fraction = 0.0; }, "market.max_step_fraction");
  check([](MarketParams& m) { m.max_substeps = 0; }, "market.max_substeps");
}

TEST_CASE("params: the regime model is overridable and checked", "[market][params]") {
  auto c = five_classes();
  c.regime.transitions[1][2] = 0.5;  // row 1 no longer sums to 1
  CHECK_THAT(where_of(c), Catch::StartsWith("regime.transitions[1]"));
  c = five_classes();
  c.regime.means[2].pop_back();
  CHECK(where_of(c) == "regime.means[2]");
  c = five_classes();
  c.regime.variances[3][2] = 0.0;
  CHECK(where_of(c) == "regime.variances[3][2]");
  c = five_classes();
  c.regime.volatility_decay = 0.0;
  CHECK(where_of(c) == "regime.volatility_decay");
  // A two-regime model works once nothing modulates on the missing states...
  c = unmodulated(five_classes());
  c.regime.states = {"calm", "stormy"};
  c.regime.initial = {0.9, 0.1};
  c.regime.transitions = {{0.95, 0.05}, {0.2, 0.8}};
  c.regime.means = {{0.5, 0.0, 0.01}, {0.9, 0.2, 0.2}};
  c.regime.variances = {{0.04, 0.04, 1e-4}, {0.09, 0.16, 0.01}};
  CHECK(c.validate());
  auto m = Market::create(c).value();
  CHECK(m.snapshot().regime_label == "calm");
  // ...and is rejected when a coefficient refers to one.
  c.market.lambda_modulation.shock = 0.5;
  CHECK(where_of(c) == "regime.states");
}
