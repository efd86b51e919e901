// Parameter defaults and validation: every error names the config key path.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace tenant_test;

TEST_CASE("params: defaults are valid and describe four regimes over four signals", "[tenant][params]") {
  const TenantParams p;
  REQUIRE(p.validate());
  CHECK(p.adapter.requantize_every == 8);
  CHECK(p.regime.dim() == kDefaultSignals);
  CHECK(p.regime.initial.size() == kNumRegimes);
  const auto m = make_regime_model(p.regime).value();
  CHECK(m.states() == std::vector<std::string>{"exploration", "exploitation", "crisis", "transition"});
}

TEST_CASE("params: adapter errors name tenants.adapter.<key>", "[tenant][params]") {
  AdapterParams a;
  a.requantize_every = 0;
  auto r = a.validate();
  REQUIRE_FALSE(r);
  CHECK(r.error().to_string() == "tenants.adapter.requantize_every: must be >= 1");

  a = {};
  a.learning_rate = -0.1;
  CHECK(a.validate().error().where == "tenants.adapter.learning_rate");
  a.learning_rate = std::numeric_limits<double>::quiet_NaN();
  CHECK(a.validate().error().where == "tenants.adapter.learning_rate");
  a.learning_rate = 1e300;  // would overflow the float step
  CHECK(a.validate().error().where == "tenants.adapter.learning_rate");
  a = {};
  a.clip = 0.0;
  CHECK(a.validate().error().where == "tenants.adapter.clip");
  a.clip = std::numeric_limits<double>::infinity();
  CHECK(a.validate().error().where == "tenants.adapter.clip");
  a = {};
  a.learning_rate = 0.0;  // frozen adapters are allowed
  CHECK(a.validate());
}

TEST_CASE("params: the feedback window is bounded and named", "[tenant][params]") {
  TenantParams p;
  CHECK(p.feedback_window == 16);
  p.feedback_window = 0;
  CHECK(p.validate().error().to_string() == "tenants.feedback_window: must be in [1, 4096], not 0");
  p.feedback_window = TenantParams::kMaxFeedbackWindow + 1;
  CHECK(p.validate().error().where == "tenants.feedback_window");
  p.feedback_window = TenantParams::kMaxFeedbackWindow;
  CHECK(p.validate());
}

TEST_CASE("params: regime errors name tenants.regime.<key>", "[tenant][params]") {
  RegimeParams r;
  r.transitions[1][2] = 0.5;  // row no longer sums to 1
  auto e = r.validate();
  REQUIRE_FALSE(e);
  CHECK(e.error().where.rfind("tenants.regime.transitions[1]", 0) == 0);

  r = {};
  r.variances[2][3] = 0.0;
  CHECK(r.validate().error().where == "tenants.regime.variances[2][3]");

  r = {};
  r.means.pop_back();
  e = r.validate();
  CHECK(e.error().where == "tenants.regime.means");
  CHECK(e.error().message.find("expected 4") != std::string::npos);

  r = {};
  r.initial = {0.5, 0.5, 0.0};
  CHECK(r.validate().error().where == "tenants.regime.initial");

  TenantParams t;
  t.adapter.clip = -1;
  CHECK(t.validate().error().where == "tenants.adapter.clip");
}

TEST_CASE("params: a context rejects invalid params and keeps the shapes", "[tenant][params]") {
  TenantParams p;
  p.adapter.requantize_every = 0;
  CHECK_FALSE(TenantContext::create(p, random_base(3, 2)));
  const auto ctx = make_context(5, 7);
  CHECK(ctx->models() == 5);
  CHECK(ctx->features() == 7);
  CHECK(ctx->signals() == 4);
  CHECK(ctx->regimes() == 4);
}

TEST_CASE("params: base weights are validated", "[tenant][params]") {
  CHECK(BaseWeights::create(2, 3, std::vector<float>(5)).error().where == "base.weights");
  CHECK(BaseWeights::create(0, 3, {}).error().where == "base.models");
  CHECK(BaseWeights::create(2, 0, {}).error().where == "base.features");
  std::vector<float> w(6, 0.0f);
  w[4] = std::numeric_limits<float>::infinity();
  const auto e = BaseWeights::create(2, 3, w).error();
  CHECK(e.where == "base.weights[1][1]");
  CHECK(BaseWeights::zeros(2, 3).value().values().size() == 6);
}
