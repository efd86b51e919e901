// BitDeltaAdapter learning: rewards move the right score, stay private to the tenant, and reach
// the served weights exactly every requantize_every updates.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace tenant_test;

namespace {
std::vector<float> scores_of(const BitDeltaAdapter& a, std::span<const float> x) {
  std::vector<float> out(a.models());
  a.scores(x, out).value();
  return out;
}
AdapterParams every(std::uint32_t n) {
  AdapterParams p;
  p.requantize_every = n;
  return p;
}
}  // namespace

TEST_CASE("adapter: a new tenant scores exactly as the base", "[tenant][adapter]") {
  const auto base = random_base(32, 16);
  const BitDeltaAdapter a(base, {});
  const auto x = random_floats(16, 21);
  const auto s = scores_of(a, x);
  for (std::size_t k = 0; k < 32; ++k) {
    double wx = 0.0;
    for (std::size_t j = 0; j < 16; ++j) wx += static_cast<double>(base.row(k)[j]) * x[j];
    CHECK(s[k] == Approx(wx).margin(1e-5));
  }
}

TEST_CASE("adapter: positive reward raises that model's score - other tenants are untouched", "[tenant][adapter]") {
  const auto base = random_base(32, 16);
  const auto base_copy = std::vector<float>(base.values().begin(), base.values().end());
  BitDeltaAdapter mine(base, every(1)), other(base, every(1));
  const auto x = random_floats(16, 22);
  const auto before = scores_of(mine, x);
  const auto other_before = other.quantized();
  const std::size_t k = 5;
  REQUIRE(mine.learn(k, x, 1.0));
  const auto after = scores_of(mine, x);
  CHECK(after[k] > before[k]);
  for (std::size_t m = 0; m < 32; ++m)
    if (m != k) CHECK(after[m] == before[m]);  // only row k's delta moved
  CHECK(other.quantized() == other_before);
  CHECK(scores_of(other, x) == before);
  CHECK(std::vector<float>(base.values().begin(), base.values().end()) == base_copy);

  // Negative reward lowers it.
  BitDeltaAdapter neg(base, every(1));
  REQUIRE(neg.learn(k, x, -1.0));
  CHECK(scores_of(neg, x)[k] < before[k]);
}

TEST_CASE("adapter: the working delta follows the rule and is clipped", "[tenant][adapter]") {
  const auto base = random_base(4, 3);
  AdapterParams p;
  p.learning_rate = 0.5;
  p.clip = 0.4;
  p.requantize_every = 100;
  BitDeltaAdapter a(base, p);
  const std::vector<float> x{0.2f, -0.6f, 4.0f};
  REQUIRE(a.learn(2, x, 0.5));
  const auto w = a.working();
  CHECK(w[2 * 3 + 0] == Approx(0.05f));
  CHECK(w[2 * 3 + 1] == Approx(-0.15f));
  CHECK(w[2 * 3 + 2] == 0.4f);  // 1.0 clipped
  for (std::size_t i = 0; i < 12; ++i)
    if (i / 3 != 2) CHECK(w[i] == 0.0f);
  for (int t = 0; t < 10; ++t) REQUIRE(a.learn(2, x, -1.0));
  CHECK(a.working()[2 * 3 + 0] == -0.4f);
  CHECK(a.working()[2 * 3 + 1] == 0.4f);
  CHECK(a.working()[2 * 3 + 2] == -0.4f);
}

TEST_CASE("adapter: requantizes every N updates, not before", "[tenant][adapter]") {
  const auto base = random_base(8, 6);
  const std::uint32_t n = 5;
  BitDeltaAdapter a(base, every(n));
  const QuantizedDelta zero(8, 6);
  for (std::uint32_t round = 0; round < 3; ++round) {
    for (std::uint32_t i = 1; i < n; ++i) {
      const auto served = a.quantized();
      REQUIRE(a.learn((round + i) % 8, random_floats(6, 100 * round + i), 0.7));
      CHECK(a.pending_updates() == i);
      CHECK(a.quantized() == served);  // the working delta moved, the served form did not
    }
    REQUIRE(a.learn(round, random_floats(6, 999 + round), 0.7));
    CHECK(a.pending_updates() == 0);
    // The served form is now exactly the quantized working delta.
    CHECK(a.quantized() == QuantizedDelta::quantize(a.working(), 8, 6));
    CHECK_FALSE(a.quantized() == zero);
  }
}

TEST_CASE("adapter: rebase makes the working delta the served one", "[tenant][adapter]") {
  const auto base = random_base(8, 6);
  BitDeltaAdapter a(base, every(100));
  for (int i = 0; i < 7; ++i) REQUIRE(a.learn(i % 3, random_floats(6, 40 + i), 0.9));
  REQUIRE(a.pending_updates() == 7);
  a.rebase();
  CHECK(a.pending_updates() == 0);
  std::vector<float> deq(48);
  a.quantized().dequantize(deq);
  CHECK(std::vector<float>(a.working().begin(), a.working().end()) == deq);
  // Rebuilding from the quantized form gives an identical adapter.
  const auto b = BitDeltaAdapter::from_quantized(base, every(100), a.quantized()).value();
  CHECK(std::vector<float>(b.working().begin(), b.working().end()) == deq);
}

TEST_CASE("adapter: invalid feedback is rejected and changes nothing", "[tenant][adapter]") {
  const auto base = random_base(4, 3);
  BitDeltaAdapter a(base, every(1));
  const std::vector<float> x{1, 2, 3};
  CHECK(a.learn(4, x, 1.0).error().where == "feedback.model");
  CHECK(a.learn(0, x, 1.5).error().where == "feedback.reward");
  CHECK(a.learn(0, x, std::nan("")).error().where == "feedback.reward");
  CHECK(a.learn(0, std::vector<float>{1, 2}, 1.0).error().code == Errc::wrong_dimension);
  CHECK(a.learn(0, std::vector<float>{1, std::numeric_limits<float>::infinity(), 3}, 1.0).error().where ==
        "feedback.features[1]");
  CHECK(a.pending_updates() == 0);
  CHECK(a.quantized() == QuantizedDelta(4, 3));
  for (float w : a.working()) CHECK(w == 0.0f);

  std::vector<float> out(4);
  CHECK(a.scores(std::vector<float>{1, 2}, out).error().code == Errc::wrong_dimension);
  std::vector<float> small(3);
  CHECK_FALSE(a.scores(x, small));
  CHECK(BitDeltaAdapter::from_quantized(base, {}, QuantizedDelta(3, 4)).error().where == "adapter");
}
