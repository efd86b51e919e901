// ActiveTenant <-> DormantTenant: conversions keep behaviour, sizes are checked against the
// context, and memory accounting gives the daemon its bytes per tenant.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace tenant_test;

namespace {
std::vector<float> scores_of(const ActiveTenant& t, std::span<const float> x) {
  std::vector<float> out(t.context().models());
  t.scores(x, out).value();
  return out;
}
void exercise(ActiveTenant& t, std::uint64_t seed, int steps) {
  for (int i = 0; i < steps; ++i) {
    REQUIRE(t.observe(i % 3 == 0 ? crisis_obs() : i % 3 == 1 ? exploitation_obs() : std::vector<double>{}));
    REQUIRE(t.learn((seed + i) % t.context().models(), random_floats(t.context().features(), seed + i),
                    (i % 4 == 0) ? -0.5 : 1.0));
  }
}
}  // namespace

TEST_CASE("state: a new tenant scores as the base and starts at the initial regime belief", "[tenant][state]") {
  const auto ctx = make_context(6, 4);
  const ActiveTenant t(*ctx);
  const auto x = random_floats(4, 3);
  const auto s = scores_of(t, x);
  for (std::size_t k = 0; k < 6; ++k) {
    double wx = 0.0;
    for (std::size_t j = 0; j < 4; ++j) wx += static_cast<double>(ctx->base().row(k)[j]) * x[j];
    CHECK(s[k] == Approx(wx).margin(1e-6));
  }
  const auto p = t.regime().posterior();
  for (std::size_t i = 0; i < 4; ++i) CHECK(p[i] == ctx->regime_model().chain().initial(i));
}

TEST_CASE("state: dormant and back behaves like the tenant that never slept", "[tenant][state]") {
  const auto ctx = make_context();
  ActiveTenant a(*ctx);
  exercise(a, 5, 11);  // 11 updates with N = 8: 3 pending
  REQUIRE(a.adapter().pending_updates() == 3);
  const DormantTenant d = a.to_dormant();
  CHECK(a.adapter().pending_updates() == 0);  // pending updates were requantized, not lost
  CHECK(d.adapter == a.adapter().quantized());
  auto b = ActiveTenant::activate(*ctx, d).value();
  const auto x = random_floats(16, 77);
  CHECK(scores_of(a, x) == scores_of(b, x));
  exercise(a, 9, 13);
  exercise(b, 9, 13);
  CHECK(scores_of(a, x) == scores_of(b, x));
  CHECK(a.snapshot() == b.snapshot());
}

TEST_CASE("state: activation checks sizes against the context", "[tenant][state]") {
  const auto ctx = make_context(32, 16);
  const auto other = make_context(8, 16);
  ActiveTenant a(*ctx);
  auto d = a.to_dormant();
  const auto r = ActiveTenant::activate(*other, d);
  REQUIRE_FALSE(r);
  CHECK(r.error().where == "adapter");
  CHECK(r.error().message.find("32 x 16") != std::string::npos);
  d.regime.belief.pop_back();
  const auto s = ActiveTenant::activate(*ctx, d);
  REQUIRE_FALSE(s);
  CHECK(s.error().where == "regime, belief");
}

TEST_CASE("state: memory per tenant", "[tenant][state][memory]") {
  const auto ctx = make_context(32, 16);
  ActiveTenant a(*ctx);
  exercise(a, 1, 4);
  const auto d = a.to_dormant();
  CHECK(d.adapter.memory_bytes() <= 256);
  CHECK(d.memory_bytes() == sizeof(DormantTenant) + 192 + 4 * sizeof(double));
  // Active: adds the K x F float working delta and the filter's buffers.
  CHECK(a.memory_bytes() >= sizeof(ActiveTenant) + 32 * 16 * sizeof(float) + 192);
  CHECK(a.memory_bytes() > d.memory_bytes());
}
