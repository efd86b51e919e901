// The Market object: snapshots, swaps through the market, allocation-free steady state.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

#include "helpers.hpp"

using namespace market_test;

#if !defined(__SANITIZE_ADDRESS__)
// Counts global allocations while armed (the sanitizers bring their own operator new).
namespace {
std::atomic<long> g_allocations{0};
std::atomic<bool> g_counting{false};
}  // namespace
void* operator new(std::size_t n) {
  if (g_counting.load(std::memory_order_relaxed)) g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
// GCC cannot see that this operator new is malloc underneath and warns on the pairing.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#pragma GCC diagnostic pop
#define HANZO_COUNT_ALLOCATIONS 1
#endif

namespace {
void check_consistent(const Market& m) {
  const auto& s = m.snapshot();
  const auto& cfg = m.config();
  REQUIRE(s.classes.size() == m.size());
  double h = 0.0;
  for (std::size_t i = 0; i < m.size(); ++i) {
    const auto& c = s.classes[i];
    const double w = cfg.classes[i].weight;
    CHECK(c.price == Approx(price(w, s.lambda, c.supply, c.credits)).epsilon(1e-14));
    CHECK(c.price == m.prices()[i]);
    CHECK(c.supply == m.supply()[i]);
    CHECK(c.credits == m.credits()[i]);
    CHECK(c.risk_fee == Approx(s.risk_lambda / c.supply).epsilon(1e-15));
    h += class_energy(w, s.lambda, c.supply, c.credits);
  }
  CHECK(s.hamiltonian == Approx(h).epsilon(1e-13));
  CHECK(s.kappa == m.kappa());
  CHECK(s.drift == Approx(std::fabs(s.hamiltonian - s.kappa) / s.kappa).epsilon(1e-13).margin(1e-300));
  CHECK(s.lambda == m.lambda());
  CHECK(s.risk_lambda == m.risk_lambda());
  double total = 0.0;
  std::size_t best = 0;
  for (std::size_t j = 0; j < s.regime_posterior.size(); ++j) {
    total += s.regime_posterior[j];
    if (s.regime_posterior[j] > s.regime_posterior[best]) best = j;
  }
  CHECK(total == Approx(1.0).epsilon(1e-12));
  CHECK(s.regime == best);
  CHECK(s.regime_label == cfg.regime.states[best]);
}
}  // namespace

TEST_CASE("market: κ defaults to H at the start, or is configured", "[market]") {
  auto m = make(five_classes());
  CHECK(m.kappa() == m.hamiltonian());
  CHECK(m.snapshot().drift == 0.0);
  auto c = five_classes();
  c.market.kappa = 2.0 * m.kappa();
  auto m2 = make(c);
  CHECK(m2.kappa() == 2.0 * m.kappa());
  CHECK(m2.snapshot().drift == Approx(0.5));
  // ...and the market then grows towards it.
  for (int k = 0; k < 100; ++k) REQUIRE(m2.tick(Tick{1.0, {}}));
  CHECK(m2.snapshot().drift < 1e-3);
  CHECK(m2.supply()[0] > m.supply()[0]);
}

TEST_CASE("market: snapshot fields are consistent after ticks and swaps", "[market]") {
  auto m = make(many_classes(16));
  check_consistent(m);
  TickGen gen(21, 0.3, 0.05);
  for (int k = 0; k < 300; ++k) {
    REQUIRE(m.tick(gen.next(m)));
    check_consistent(m);
    CHECK(m.snapshot().tick == static_cast<std::uint64_t>(k + 1));
    if (k % 3 == 0 && m.swap(k % 16, Side::buy, 0.02 * m.credits()[k % 16], 0.0)) check_consistent(m);
  }
}

TEST_CASE("market: swaps apply their quote, keep H, collect fees, honour min-out", "[market]") {
  auto m = make(five_classes());
  const double h = m.hamiltonian();
  const auto q = m.quote(0, Side::buy, 500.0).value();
  CHECK(q.price_before == m.prices()[0]);
  // A guard above the quote rejects and changes nothing.
  auto r = m.swap(0, Side::buy, 500.0, q.amount_out * (1 + 1e-12));
  REQUIRE_FALSE(r);
  CHECK(r.error().where == "swap.min_out");
  CHECK(m.supply()[0] == 4000.0);
  // At the quote it goes through, exactly as quoted.
  const auto done = m.swap(0, Side::buy, 500.0, q.amount_out).value();
  CHECK(done.amount_out == q.amount_out);
  CHECK(m.supply()[0] == q.supply_after);
  CHECK(m.credits()[0] == q.credits_after);
  CHECK(m.snapshot().classes[0].fees == q.fee);
  CHECK(m.hamiltonian() == Approx(h).epsilon(1e-14));
  CHECK(m.prices()[0] == q.price_after);
  // Selling back through the market.
  const auto back = m.swap(0, Side::sell, done.amount_out, 0.0).value();
  CHECK(500.0 - back.amount_out == Approx(done.fee + back.fee).epsilon(1e-9));
  CHECK(m.snapshot().classes[0].fees == done.fee + back.fee);
  // Inverse quote through the market; class and amount errors.
  CHECK(m.quote(1, Side::buy, m.quote_buy_supply(1, 100.0)->amount_in)->amount_out == Approx(100.0));
  CHECK(m.quote(9, Side::buy, 1.0).error().where == "quote.class");
  auto exhausted = m.quote(0, Side::buy, 1e12);
  REQUIRE_FALSE(exhausted);
  CHECK_THAT(exhausted.error().message, Catch::Contains("h100-80g") && Catch::Contains("liquidity exhausted"));
  CHECK(m.swap(0, Side::buy, 1.0, std::nan("")).error().where == "swap.min_out");
}

#ifdef HANZO_COUNT_ALLOCATIONS
TEST_CASE("market: tick, quote and swap do not allocate in the steady state", "[market]") {
  auto m = make(many_classes(16));
  TickGen gen(31, 0.3, 0.05);
  std::vector<Tick> ticks;
  for (int k = 0; k < 1000; ++k) ticks.push_back(gen.next(m));
  ticks.push_back(Tick{1.0, {ClassFlow{0, 0, 900.0 * m.classes()[0].supply, 0, 0, 1}}});  // a tick with a cut
  for (const auto& t : ticks) REQUIRE(m.tick(t));  // warm-up
  g_allocations = 0;
  g_counting = true;
  bool ok = true;
  for (const auto& t : ticks) {
    ok &= static_cast<bool>(m.tick(t));
    // Trade on the healthiest class (a random walk parks some at their floors; errors allocate).
    std::size_t c = 0;
    for (std::size_t i = 1; i < m.size(); ++i)
      if (std::min(m.supply()[i], m.credits()[i]) > std::min(m.supply()[c], m.credits()[c])) c = i;
    ok &= static_cast<bool>(m.quote(c, Side::buy, 1e-3 * m.credits()[c]));
    ok &= static_cast<bool>(m.quote_buy_supply(c, 1e-3 * m.supply()[c]));
    ok &= static_cast<bool>(m.swap(c, Side::sell, 1e-3 * m.supply()[c], 0.0));
  }
  g_counting = false;
  CHECK(ok);
  CHECK(g_allocations == 0);
}
#endif

TEST_CASE("market: scaling every reserve and flow by s scales the state by s and keeps prices", "[market]") {
  // H is homogeneous of degree 2, the projection and restoring directions of degree 1, and every
  // regime observation of degree 0: the whole market is scale-equivariant.
  const double s = 1024.0;
  auto small = many_classes(16, 5), large = small;
  for (auto& c : large.classes) c.supply *= s, c.credits *= s;
  auto a = make(small), b = make(large);
  TickGen gen(41, 0.2, 0.05);
  for (int k = 0; k < 300; ++k) {
    Tick t = gen.next(a);
    REQUIRE(a.tick(t));
    for (auto& f : t.flows) f.supply_in *= s, f.usage *= s, f.demand *= s, f.value_out *= s;
    REQUIRE(b.tick(t));
  }
  for (std::size_t i = 0; i < 16; ++i) {
    CHECK(b.prices()[i] == Approx(a.prices()[i]).epsilon(1e-9));
    CHECK(b.supply()[i] == Approx(s * a.supply()[i]).epsilon(1e-9));
    CHECK(b.credits()[i] == Approx(s * a.credits()[i]).epsilon(1e-9));
  }
  CHECK(b.snapshot().regime_label == a.snapshot().regime_label);
  CHECK(b.kappa() == Approx(s * s * a.kappa()).epsilon(1e-12));
}
