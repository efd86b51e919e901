// Tick dynamics (src/market/tick.cpp, dynamics.cpp): flows along the level set, the restoring
// force, positivity, cuts, validation, determinism.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstring>

#include "helpers.hpp"

using namespace market_test;

namespace {
Tick one_flow(std::size_t cls, double dt, ClassFlow f) {
  f.cls = cls;
  Tick t;
  t.dt = dt;
  t.flows.push_back(f);
  return t;
}
Tick shock(std::size_t cls, double factor) { return one_flow(cls, 0.0, ClassFlow{0, 0, 0, 0, 0, factor}); }
}  // namespace

TEST_CASE("tick: supply inflow lowers and demand raises the class price", "[market][tick]") {
  TickGen gen(3, 0.03, 0.0);
  auto m = make(unmodulated(many_classes(16)));
  for (int k = 0; k < 400; ++k) {
    REQUIRE(m.tick(gen.next(m)));  // wander to varied states (gently: a random walk reaches the floors)
    const std::size_t c = static_cast<std::size_t>(gen.uniform(0, 16));
    const double size = gen.uniform(1e-4, 0.2);
    const bool supply = k % 2 == 0;
    const double before = m.prices()[c];
    auto copy = m;
    ClassFlow f;
    (supply ? f.supply_in : f.demand) = size * (supply ? m.supply()[c] : m.credits()[c]);
    REQUIRE(copy.tick(one_flow(c, 0.0, f)));
    if (supply)
      CHECK(copy.prices()[c] < before);
    else
      CHECK(copy.prices()[c] > before);
    // The opposite outflows move the price the other way.
    auto copy2 = m;
    ClassFlow g;
    (supply ? g.usage : g.value_out) = 0.5 * size * (supply ? m.supply()[c] : m.credits()[c]);
    REQUIRE(copy2.tick(one_flow(c, 0.0, g)));
    if (supply)
      CHECK(copy2.prices()[c] > before);
    else
      CHECK(copy2.prices()[c] < before);
  }
}

TEST_CASE("tick: flows move each class along its own level set (H_i conserved, no restoring needed)",
          "[market][tick]") {
  TickGen gen(4, 0.3, 0.0);
  auto m = make(unmodulated(many_classes(16)));
  const auto energy = [&](std::size_t i) { return class_energy(m.classes()[i].weight, m.lambda(), m.supply()[i], m.credits()[i]); };
  std::size_t checked = 0;
  for (int k = 0; k < 500; ++k) {
    Tick t = gen.next(m);
    t.dt = 0.0;  // no restoring: the level set must hold by the flow step alone
    std::vector<double> before(m.size());
    for (std::size_t i = 0; i < m.size(); ++i) before[i] = energy(i);
    REQUIRE(m.tick(t));
    for (std::size_t i = 0; i < m.size(); ++i) {
      const auto& cuts = m.snapshot().cuts;
      // A class cut at its floor has left its level set (the floor is not on it).
      if (std::any_of(cuts.begin(), cuts.end(), [&](const FlowCut& c) { return c.cls == i; })) continue;
      CHECK(energy(i) == Approx(before[i]).epsilon(1e-13));
      ++checked;
    }
  }
  CHECK(checked > 7000);
}

TEST_CASE("tick: without flows |H − κ| decays as e^{−αt}", "[market][tick]") {
  for (double alpha : {0.05, 0.3, 2.0}) {
    auto c = unmodulated(five_classes());
    c.market.alpha = alpha;
    auto m = make(c);
    REQUIRE(m.tick(shock(1, 0.4)));  // off the level set: H < κ
    const double gap0 = m.hamiltonian() - m.kappa();
    REQUIRE(gap0 < -1e-3 * m.kappa());
    double t = 0.0;
    for (int k = 0; k < 60; ++k) {
      Tick quiet;
      quiet.dt = 0.05 + 0.01 * (k % 7);
      t += quiet.dt;
      REQUIRE(m.tick(quiet));
      const double gap = m.hamiltonian() - m.kappa();
      // The step solves dH/dt = −α(H−κ) exactly; well within the 1% the issue asks.
      CHECK(gap == Approx(gap0 * std::exp(-alpha * t)).epsilon(1e-9));
      CHECK(m.snapshot().drift == Approx(std::fabs(gap) / m.kappa()).epsilon(1e-12));
    }
  }
  // Above κ (supply returning), the same rate downwards.
  auto m = make(unmodulated(five_classes()));
  REQUIRE(m.tick(shock(0, 3.0)));
  const double gap0 = m.hamiltonian() - m.kappa();
  REQUIRE(gap0 > 0.0);
  Tick quiet;
  quiet.dt = 2.5;
  REQUIRE(m.tick(quiet));
  CHECK(m.hamiltonian() - m.kappa() == Approx(gap0 * std::exp(-0.1 * 2.5)).epsilon(1e-9));
}

TEST_CASE("tick: with regime modulation the market still returns to κ", "[market][tick]") {
  auto m = make(five_classes());
  REQUIRE(m.tick(shock(2, 0.3)));
  for (int k = 0; k < 300; ++k) REQUIRE(m.tick(Tick{1.0, {}}));
  CHECK(m.snapshot().drift < 1e-6);
}

TEST_CASE("tick: reserves stay positive under random flows and shocks - cuts are reported", "[market][tick]") {
  auto flat = five_classes();
  flat.market.lambda = 0.0;  // constant product
  auto m = make(GENERATE_COPY(as<MarketConfig>{}, many_classes(16), skewed_classes(16), flat, many_classes(1)));
  TickGen gen(5, 1.5, 0.05);  // outflows up to 1.5× the reserve: many must be cut
  std::size_t cut_ticks = 0;
  for (int k = 0; k < 5000; ++k) {
    const Tick t = gen.next(m);
    REQUIRE(m.tick(t));
    const auto& s = m.snapshot();
    for (std::size_t i = 0; i < m.size(); ++i) {
      REQUIRE(s.classes[i].supply > 0.0);
      REQUIRE(s.classes[i].credits > 0.0);
      REQUIRE(s.classes[i].supply >= 1e-6 * m.classes()[i].supply);
      REQUIRE(std::isfinite(s.classes[i].price));
    }
    REQUIRE(std::isfinite(s.hamiltonian));
    for (const auto& cut : s.cuts) {
      CHECK(cut.cls < m.size());
      CHECK((cut.supply > 0.0 || cut.credits > 0.0));
    }
    cut_ticks += !s.cuts.empty();
  }
  CHECK(cut_ticks > 0);
}

TEST_CASE("tick: a flow that would drain a class is cut at the floor and reported", "[market][tick]") {
  auto m = make(unmodulated(five_classes()));
  const double psi = m.supply()[3];
  ClassFlow f;
  f.usage = 900.0 * psi;
  REQUIRE(m.tick(one_flow(3, 1.0, f)));
  const auto& s = m.snapshot();
  REQUIRE(s.cuts.size() == 1);  // the class's own: no other class pays for its flows
  CHECK(s.cuts[0].cls == 3);
  CHECK(s.cuts[0].supply > psi);  // most of the 900Ψ could not be taken
  CHECK(m.supply()[3] >= 1e-6 * m.classes()[3].supply);
  // An extreme shock is floored and reported too.
  REQUIRE(m.tick(shock(0, 1e-9)));
  REQUIRE(m.snapshot().cuts.size() == 1);
  CHECK(m.snapshot().cuts[0].cls == 0);
  CHECK(m.supply()[0] == 1e-6 * m.classes()[0].supply);
}

TEST_CASE("tick: bad ticks are errors naming the field, and change nothing", "[market][tick]") {
  auto m = make(five_classes());
  TickGen gen(6);
  for (int k = 0; k < 10; ++k) REQUIRE(m.tick(gen.next(m)));
  const auto before = m.snapshot();
  const auto expect = [&](Tick t, const std::string& where) {
    auto r = m.tick(t);
    REQUIRE_FALSE(r);
    CHECK(r.error().where == where);
    CHECK(m.snapshot().tick == before.tick);
    CHECK(m.snapshot().hamiltonian == before.hamiltonian);
    CHECK(std::equal(m.supply().begin(), m.supply().end(), before.classes.begin(),
                     [](double a, const ClassSnapshot& b) { return a == b.supply; }));
  };
  Tick good = balanced_tick(m);
  Tick t = good;
  t.dt = -1;
  expect(t, "tick.dt");
  t = good;
  t.dt = std::nan("");
  expect(t, "tick.dt");
  t = good;
  t.flows[2].usage = HUGE_VAL;
  expect(t, "tick.flows[2].usage");
  t = good;
  t.flows[4].demand = -1.0;
  expect(t, "tick.flows[4].demand");
  t = good;
  t.flows[1].shock = 0.0;
  expect(t, "tick.flows[1].shock");
  t = good;
  t.flows[1].shock = 11.0;  // above max_shock 10
  expect(t, "tick.flows[1].shock");
  t = good;
  t.flows[0].cls = 5;
  expect(t, "tick.flows[0].cls");
  t = good;
  t.flows[3].cls = 1;  // class 1 twice
  t.flows[4].shock = 0.5;  // and a shock after the duplicate that must not be applied
  expect(t, "tick.flows[3].cls");
  CHECK(m.tick(good));
}

TEST_CASE("tick: ids resolve to indices once - unknown ids are named", "[market][tick]") {
  auto m = make(five_classes());
  const std::vector<std::string> ids{"cpu", "h100-80g", "l4-24g"};
  CHECK(resolve_class_ids(m.classes(), ids).value() == std::vector<std::size_t>{4, 0, 3});
  const std::vector<std::string> bad{"cpu", "h200"};
  auto r = resolve_class_ids(m.classes(), bad);
  REQUIRE_FALSE(r);
  CHECK(r.error().where == "ids[1]");
  CHECK_THAT(r.error().message, Catch::Contains("\"h200\""));
  CHECK(m.index_of("l40s-48g").value() == 2);
  CHECK_FALSE(m.index_of("tpu"));
}

TEST_CASE("tick: replay is bit-identical", "[market][tick]") {
  const auto config = many_classes(16, 99);
  auto a = make(config), b = make(config);
  TickGen gen(8, 0.5, 0.03);
  std::vector<Tick> ticks;
  for (int k = 0; k < 2000; ++k) {
    ticks.push_back(gen.next(a));
    REQUIRE(a.tick(ticks.back()));
    if (k % 10 == 0) (void)a.swap(k % 16, k % 20 == 0 ? Side::buy : Side::sell, 0.01 * a.credits()[k % 16], 0.0);
  }
  Market c = b;  // a copy replays identically too
  for (auto* m : {&b, &c})
    for (int k = 0; k < 2000; ++k) {
      REQUIRE(m->tick(ticks[k]));
      if (k % 10 == 0) (void)m->swap(k % 16, k % 20 == 0 ? Side::buy : Side::sell, 0.01 * m->credits()[k % 16], 0.0);
    }
  for (auto* m : {&b, &c}) {
    CHECK(std::memcmp(a.supply().data(), m->supply().data(), 16 * sizeof(double)) == 0);
    CHECK(std::memcmp(a.credits().data(), m->credits().data(), 16 * sizeof(double)) == 0);
    CHECK(std::memcmp(a.prices().data(), m->prices().data(), 16 * sizeof(double)) == 0);
    CHECK(a.snapshot().regime_posterior == m->snapshot().regime_posterior);
    CHECK(a.lambda() == m->lambda());
    CHECK(a.snapshot().volatility == m->snapshot().volatility);
  }
}
