// The TOML configuration: the shipped example equals the built-in defaults; errors name keys.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace mmtest;

TEST_CASE("config: the shipped example loads and matches the built-in defaults", "[mm][config]") {
  const auto loaded = mm::load_config(std::string(HANZO_CONFIG_DIR) + "/hanzo-hmm.toml").value();
  const auto def = mm::default_config();
  REQUIRE(loaded.classes.size() == def.classes.size());
  for (std::size_t i = 0; i < def.classes.size(); ++i) {
    CHECK(loaded.classes[i].id == def.classes[i].id);
    CHECK(loaded.classes[i].credits == def.classes[i].credits);
  }
  REQUIRE(loaded.models.size() == def.models.size());
  for (std::size_t i = 0; i < def.models.size(); ++i) {
    CHECK(loaded.models[i].name == def.models[i].name);
    CHECK(loaded.models[i].tokens_per_second == def.models[i].tokens_per_second);
    CHECK(loaded.models[i].capabilities.vision == def.models[i].capabilities.vision);
  }
  CHECK(loaded.market.lambda == def.market.lambda);
  CHECK(loaded.router.regimes.crisis.success == def.router.regimes.crisis.success);
  REQUIRE(mm::MarketMaker::create(loaded));
}

TEST_CASE("config: errors name the file and the key", "[mm][config]") {
  auto e = mm::config_from_toml("[[models]]\nname = \"m\"\ncompute_class = \"h100-80g\"\nmemory_gb = 10\n"
                                "tokens_per_second = -3\n",
                                "c.toml");
  REQUIRE(!e);
  CHECK(e.error().where == "c.toml: models[0].tokens_per_second");

  e = mm::config_from_toml("[market]\nlamda = 0.1\n", "c.toml");
  REQUIRE(!e);
  CHECK(e.error().where == "c.toml: market.lamda");
  CHECK_THAT(e.error().message, Catch::Contains("did you mean \"lambda\""));

  // A curvature the regime modulation could push above the smallest class weight.
  e = mm::config_from_toml("[market]\nlambda = 0.9\n", "c.toml");
  REQUIRE(!e);
  CHECK_THAT(e.error().where, Catch::StartsWith("c.toml: market.lambda"));

  e = mm::config_from_toml("[[models]]\nname = \"m\"\ncompute_class = \"h200\"\nmemory_gb = 10\ntokens_per_second = 3\n"
                           "latency_ms = 100\n",
                           "c.toml");
  REQUIRE(!e);
  CHECK_THAT(e.error().to_string(), Catch::Contains("h200"));

  e = mm::config_from_toml("[router.regimes.crisis]\ngamma = 0\n", "c.toml");
  REQUIRE(!e);
  CHECK(e.error().where == "c.toml: router.regimes.crisis.gamma");

  e = mm::config_from_toml("[market_regime]\ntransitions = [[0.5, 0.5]]\n", "c.toml");
  REQUIRE(!e);
  CHECK_THAT(e.error().where, Catch::StartsWith("c.toml: market_regime"));

  e = mm::config_from_toml("[tenants]\nfeedback_window = 0\n", "c.toml");
  REQUIRE(!e);
  CHECK(e.error().where == "c.toml: tenants.feedback_window");
  e = mm::config_from_toml("[tenants]\nfeedback_window = 4097\n", "c.toml");
  REQUIRE(!e);
  CHECK(e.error().where == "c.toml: tenants.feedback_window");
  auto ok = mm::config_from_toml("[tenants]\nfeedback_window = 64\n", "c.toml");
  REQUIRE(ok);
  CHECK(ok->tenants.feedback_window == 64);
}

TEST_CASE("config: every option is described with a description", "[mm][config]") {
  auto c = mm::default_config();
  config::Schema s;
  mm::declare(s, c);
  const auto opts = s.describe();
  CHECK(opts.size() > 80);
  bool found = false;
  for (const auto& o : opts) {
    if (o.key == "models[].tokens_per_second") found = true;
    if (o.type != "table") CHECK(!o.description.empty());
  }
  CHECK(found);
}

TEST_CASE("config: tenants.adapter.learning_rate = 0 is accepted and freezes the habits", "[mm][config]") {
  auto c = mm::config_from_toml("[tenants.adapter]\nlearning_rate = 0\n[router]\nhabit_weight = 1.0\n", "c.toml");
  REQUIRE(c.has_value());
  CHECK(c->tenants.adapter.learning_rate == 0.0);
  CHECK_FALSE(mm::config_from_toml("[tenants.adapter]\nlearning_rate = -0.1\n", "c.toml").has_value());
  auto m = mm::MarketMaker::create(*c).value();
  const auto first = m.route_request("a", crate_request("r-0")).value();
  for (int i = 0; i < 20; ++i) {
    const auto d = m.route_request("a", crate_request("r-" + std::to_string(i + 1))).value();
    const routing::Feedback fb{d.request_id, "a", d.model, 300.0, 80.0, 0.95, 1e-6, true};
    REQUIRE(m.feedback("a", fb).value().learned);  // "learned" at rate 0: the adapter stays as it was
  }
  const auto last = m.route_request("a", crate_request("r-last")).value();
  for (const auto& a : last.alternatives) CHECK(a.habit == 0.0);
  CHECK(first.alternatives.size() == last.alternatives.size());
}
