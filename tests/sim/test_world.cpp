// The simulated world: common random numbers, events, and the documented utility.
#include <catch2/catch.hpp>

#include <cmath>

#include "hanzo/hmm/sim/world.hpp"

namespace sim = hanzo::hmm::sim;

namespace {

sim::World small(std::uint64_t seed = 1) {
  auto spec = sim::preset("small").value();
  spec.seed = seed;
  return sim::World::create(std::move(spec)).value();
}

std::size_t model(const sim::World& w, const std::string& name) {
  return *w.spec().config.catalogue().model_index(name);
}

}  // namespace

TEST_CASE("sim world: outcomes are common random numbers of (seed, request, model)", "[sim][world]") {
  const auto w = small(1);
  const auto w2 = small(1);
  const auto other = small(2);
  int differ = 0;
  for (std::size_t t = 0; t < 200; ++t) {
    const auto r = w.request(t);
    CHECK(r.tenant == w2.request(t).tenant);
    CHECK(r.request.input == w2.request(t).request.input);
    for (std::size_t m = 0; m < w.models(); ++m) {
      const auto a = w.outcome(r, m), b = w2.outcome(r, m), again = w.outcome(r, m);
      CHECK(a.success == b.success);
      CHECK(a.latency_ms == b.latency_ms);
      CHECK(a.quality == again.quality);
      differ += a.latency_ms != other.outcome(other.request(t), m).latency_ms;
    }
  }
  CHECK(differ > 2000);  // another seed, another world
}

TEST_CASE("sim world: the documented utility is the mean of the realised one", "[sim][world]") {
  auto w = small(7);
  // Before the outage and the shock (requests < 1050), qwen2.5-72b (not drifting) has a fixed
  // truth and price per segment.
  const std::size_t m = model(w, "qwen2.5-72b");
  std::array<double, 4> sum{}, expected{};
  std::array<int, 4> n{};
  for (std::size_t t = 0; t < 1000; ++t) {
    const auto r = w.request(t);
    sum[r.segment] += w.outcome(r, m).utility;
    expected[r.segment] += w.expected_utility(r, m);
    ++n[r.segment];
  }
  for (std::size_t s = 0; s < 4; ++s) {
    INFO("segment " << s);
    REQUIRE(n[s] > 150);
    // U's spread is below 1, so the mean of >150 draws is within 0.1 of its expectation.
    CHECK(std::abs(sum[s] / n[s] - expected[s] / n[s]) < 0.1);
  }
}

TEST_CASE("sim world: outage, supply shock and drift act when stated", "[sim][world]") {
  auto w = small();
  const std::size_t n = w.spec().requests, mini = w.outage_model();
  CHECK(w.spec().config.models[mini].name == "gpt-4o-mini");
  CHECK(w.truth(0, mini, 2).success > 0.9);
  CHECK(w.truth(n / 2, mini, 2).success == Approx(0.1));
  CHECK(w.truth(n - 1, mini, 2).success > 0.9);
  CHECK(w.phase(0) == sim::Phase::before);
  CHECK(w.phase(n / 2) == sim::Phase::during);
  CHECK(w.phase(n - 1) == sim::Phase::after);
  const std::size_t qwen7 = model(w, "qwen2.5-7b"), big = model(w, "qwen2.5-72b");
  const double before = w.prices()[qwen7], other = w.prices()[big];
  const auto version = w.market_version();
  for (std::size_t t = 0; t < n; ++t) REQUIRE(w.advance(t).has_value());
  CHECK(w.market_version() > version);
  CHECK(w.prices()[qwen7] > 3.0 * before);  // the l4 class became expensive
  CHECK(w.prices()[big] < 1.5 * other);
  const std::size_t slow = model(w, "llama-3.1-70b");
  CHECK(w.truth(n - 1, slow, 3).latency_ms > 3.5 * w.truth(0, slow, 3).latency_ms);
}

TEST_CASE("sim world: the truth differs from the catalogue where stated", "[sim][world]") {
  const auto w = small();
  const auto& models = w.spec().config.models;
  const std::size_t claude = model(w, "claude-3.5-sonnet"), qwen7 = model(w, "qwen2.5-7b");
  CHECK(w.truth(0, claude, 1).quality < models[claude].quality - 0.2);  // advertised strong, poor at code
  CHECK(w.truth(0, qwen7, 0).quality > models[qwen7].quality + 0.1);    // cheap, good at chat
}

TEST_CASE("sim world: presets and specs are checked", "[sim][world]") {
  CHECK_FALSE(sim::preset("huge").has_value());
  auto spec = sim::preset("small").value();
  spec.tenants = 2;  // fewer than the segments
  CHECK(sim::World::create(spec).error().where == "tenants");
  spec = sim::preset("small").value();
  spec.outage.model = "nope";
  CHECK(sim::World::create(spec).error().where == "outage.model");
  spec = sim::preset("small").value();
  spec.truth[0].pop_back();
  CHECK_FALSE(sim::World::create(spec).has_value());
}
