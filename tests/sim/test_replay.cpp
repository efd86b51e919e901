// What the end-to-end run relies on: recorded choices scored like a policy, and the world's
// supply shock as the one market tick it sends to the daemon.
#include <catch2/catch.hpp>

#include "hanzo/hmm/sim/simulate.hpp"

namespace sim = hanzo::hmm::sim;

namespace {

sim::WorldSpec small_world() {
  auto spec = sim::preset("small").value();
  spec.requests = 600;
  return spec;
}

}  // namespace

TEST_CASE("sim replay: recorded choices are scored as the policy that made them", "[sim][replay]") {
  const auto first = sim::run(small_world(), "small").value();
  sim::RunOptions o;
  for (const char* name : {"oracle", "random", "router"})
    o.replays.push_back({std::string("replayed-") + name, first.find(name)->choices});
  const auto again = sim::run(small_world(), "small", o).value();
  for (const char* name : {"oracle", "random", "router"}) {
    INFO(name);
    const auto* original = again.find(name);
    const auto* replayed = again.find(std::string("replayed-") + name);
    REQUIRE(replayed != nullptr);
    CHECK(replayed->choices == original->choices);
    CHECK(replayed->total_regret == original->total_regret);
    CHECK(replayed->outage_failures == original->outage_failures);
    CHECK(replayed->cost_per_success == original->cost_per_success);
  }
  CHECK(again.policies.back().name == "replayed-router");
}

TEST_CASE("sim replay: one choice per request, each feasible", "[sim][replay]") {
  sim::RunOptions o;
  o.replays.push_back({"short", std::vector<std::size_t>(599, 0)});
  const auto shorter = sim::run(small_world(), "small", o);
  REQUIRE_FALSE(shorter);
  CHECK(shorter.error().to_string().find("one choice per request") != std::string::npos);
  o.replays = {{"bad", std::vector<std::size_t>(600, 999)}};
  CHECK_FALSE(sim::run(small_world(), "small", o));
}

TEST_CASE("sim world: the supply shock is one tick, applied at shock_request()", "[sim][world]") {
  auto world = sim::World::create(small_world()).value();
  const std::size_t due = world.shock_request();
  CHECK(due == static_cast<std::size_t>(0.75 * 600));
  const auto before = world.prices();
  REQUIRE(world.advance(due - 1));
  CHECK(world.prices() == before);
  REQUIRE(world.advance(due));
  CHECK(world.prices() != before);
  // The same tick on a fresh market gives the same prices: what the daemon is sent.
  auto market = hanzo::hmm::market::Market::create(world.spec().config.market_config()).value();
  REQUIRE(market.tick(world.shock_tick()));
  const auto& mine = world.market().snapshot().classes;
  const auto& theirs = market.snapshot().classes;
  REQUIRE(mine.size() == theirs.size());
  for (std::size_t c = 0; c < mine.size(); ++c) CHECK(mine[c].price == theirs[c].price);
}
