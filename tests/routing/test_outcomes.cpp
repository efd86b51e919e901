// TenantOutcomes: the byte format round trip, its size, and corrupt input.
#include <catch2/catch.hpp>

#include <cstring>

#include "fixtures.hpp"

namespace {

std::uint32_t crc32(const std::uint8_t* p, std::size_t n) {
  std::uint32_t c = 0xFFFFFFFFU;
  for (std::size_t i = 0; i < n; ++i) {
    c ^= p[i];
    for (int k = 0; k < 8; ++k) c = (c & 1U) ? (c >> 1) ^ 0xEDB88320U : c >> 1;
  }
  return ~c;
}

// Re-seals bytes after a deliberate edit, to reach the checks behind the checksum.
void reseal(std::vector<std::uint8_t>& b) {
  const std::uint32_t c = crc32(b.data(), b.size() - 4);
  for (int i = 0; i < 4; ++i) b[b.size() - 4 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(c >> (8 * i));
}

rt::TenantOutcomes eight_models(const rt::Router& router) {
  rt::TenantOutcomes o;
  const auto& models = router.catalogue().models;
  for (int round = 0; round < 3; ++round)
    for (std::size_t i = 0; i < 9; ++i)
      REQUIRE(router.observe({"r", "t", models[i].name, 300.0 * static_cast<double>(i + 1), 50.0,
                              0.5 + 0.05 * static_cast<double>(i), 1e-6 * static_cast<double>(i + 1), (i + round) % 4 != 0},
                             o));
  return o;
}

std::string decode_error(const std::vector<std::uint8_t>& b) {
  auto r = rt::TenantOutcomes::decode(b);
  REQUIRE_FALSE(r.has_value());
  CHECK(r.error().code == hanzo::hmm::Errc::parse_error);
  return r.error().to_string();
}

}  // namespace

TEST_CASE("routing: TenantOutcomes round-trips through bytes", "[routing][outcomes]") {
  const rt::Router router = fixtures::default_router();
  const rt::TenantOutcomes empty;
  const auto e = empty.encode();
  CHECK(e.size() == 16);
  CHECK(rt::TenantOutcomes::decode(e).value() == empty);

  const rt::TenantOutcomes o = eight_models(router);
  REQUIRE(o.entries().size() == 8);
  const auto bytes = o.encode();
  CHECK(bytes.size() == 528);
  CHECK(bytes.size() == rt::TenantOutcomes::encoded_size(8));
  const auto back = rt::TenantOutcomes::decode(bytes).value();
  CHECK(back == o);
  CHECK(back.encode() == bytes);
  CHECK(o.memory_bytes() <= 1024);
  CHECK(o.memory_bytes() == sizeof(rt::TenantOutcomes));

  // The decoded counts decide exactly as the originals.
  const auto snap = router.prepare(fixtures::market()).value();
  const auto d1 = router.decide(fixtures::request(), fixtures::tenant(), o, snap).value();
  const auto d2 = router.decide(fixtures::request(), fixtures::tenant(), back, snap).value();
  CHECK(d1.model == d2.model);
  CHECK(d1.confidence == d2.confidence);
}

TEST_CASE("routing: corrupt TenantOutcomes bytes are errors, never crashes", "[routing][outcomes]") {
  const rt::Router router = fixtures::default_router();
  const auto bytes = eight_models(router).encode();
  for (std::size_t n = 0; n < bytes.size(); ++n)
    CHECK_FALSE(rt::TenantOutcomes::decode(std::span(bytes.data(), n)).has_value());
  auto longer = bytes;
  longer.push_back(0);
  CHECK(decode_error(longer).find("length") != std::string::npos);
  for (std::size_t i = 0; i < bytes.size(); ++i) {  // every single-byte corruption is caught
    auto b = bytes;
    b[i] ^= 0x5A;
    CHECK_FALSE(rt::TenantOutcomes::decode(b).has_value());
  }
  auto b = bytes;
  b[0] = 'X';
  CHECK(decode_error(b) == "tenant_outcomes: bad magic");
  b = bytes;
  b[4] = 2;
  CHECK(decode_error(b) == "tenant_outcomes.version: unsupported version 2");
  b = bytes;
  b[5] = 9;
  CHECK(decode_error(b) == "tenant_outcomes: 9 models, at most 8");
  b = bytes;
  b[6] = 15;
  reseal(b);
  CHECK(decode_error(b) == "tenant_outcomes: bin layout 15, expected 14");
  b = bytes;
  b[b.size() - 1] ^= 1;
  CHECK(decode_error(b) == "tenant_outcomes: checksum mismatch");
  // Semantic checks behind a valid checksum.
  b = bytes;
  const float nan = std::numeric_limits<float>::quiet_NaN();
  std::memcpy(b.data() + 12 + 64 * 2 + 8 + 4 * 5, &nan, 4);
  reseal(b);
  CHECK(decode_error(b) == "tenant_outcomes.entries[2].counts[5]: not a count");
  b = bytes;
  const float negative = -1.0F;
  std::memcpy(b.data() + 12 + 8, &negative, 4);
  reseal(b);
  CHECK(decode_error(b) == "tenant_outcomes.entries[0].counts[0]: not a count");
  b = bytes;
  std::memcpy(b.data() + 12 + 64 * 3, b.data() + 12 + 64 * 1, 4);  // entry 3 names entry 1's model
  reseal(b);
  CHECK(decode_error(b) == "tenant_outcomes.entries[3].model: duplicate");
  b = bytes;
  std::memset(b.data() + 12 + 64 * 4 + 4, 0xFF, 4);  // stamp after the clock
  reseal(b);
  CHECK(decode_error(b) == "tenant_outcomes.entries[4].stamp: later than the clock");
}

TEST_CASE("routing: counts of a model no longer in the catalogue are ignored", "[routing][outcomes]") {
  const rt::Router full = fixtures::default_router();
  rt::TenantOutcomes o;
  REQUIRE(full.observe({"r", "t", "gpt-4o", 100.0, 90.0, 0.99, 1e-6, true}, o));
  rt::Catalogue smaller = rt::default_catalogue();
  smaller.models.erase(smaller.models.begin() + static_cast<std::ptrdiff_t>(*smaller.model_index("gpt-4o")));
  const rt::Router router = rt::Router::create(smaller).value();
  rt::MarketView m = fixtures::market();
  const auto with = router.decide(fixtures::request(), fixtures::tenant(), o, m).value();
  const auto without = router.decide(fixtures::request(), fixtures::tenant(), {}, m).value();
  CHECK(with.model == without.model);
  CHECK(with.confidence == without.confidence);
}

TEST_CASE("routing: cached entropies change speed, not results", "[routing][outcomes]") {
  const rt::Router router = fixtures::default_router();
  const auto snap = router.prepare(fixtures::market({0.1, 0.5, 0.3, 0.1})).value();
  const rt::TenantOutcomes observed = eight_models(router);  // derived by observe()
  auto decoded = rt::TenantOutcomes::decode(observed.encode()).value();  // not derived
  const auto q = fixtures::request();
  const auto t = fixtures::tenant();
  const auto a = router.decide(q, t, observed, snap).value();
  const auto b = router.decide(q, t, decoded, snap).value();
  router.attach(decoded);
  const auto c = router.decide(q, t, decoded, snap).value();
  REQUIRE(a.alternatives.size() == b.alternatives.size());
  for (std::size_t i = 0; i < a.alternatives.size(); ++i) {
    CHECK(a.alternatives[i].probability == b.alternatives[i].probability);
    CHECK(a.alternatives[i].probability == c.alternatives[i].probability);
    CHECK(a.alternatives[i].ambiguity == c.alternatives[i].ambiguity);
  }
  // A rebuilt router (new priors, new id) re-derives rather than trusting stale entropies.
  rt::RouterParams p;
  p.outcomes.prior_strength = 3.0;
  const rt::Router rebuilt = fixtures::default_router(p);
  auto copy = observed;
  const auto stale = rebuilt.decide(q, t, copy, rebuilt.prepare(fixtures::market({0.1, 0.5, 0.3, 0.1})).value()).value();
  rebuilt.attach(copy);
  const auto fresh = rebuilt.decide(q, t, copy, rebuilt.prepare(fixtures::market({0.1, 0.5, 0.3, 0.1})).value()).value();
  for (std::size_t i = 0; i < stale.alternatives.size(); ++i)
    CHECK(stale.alternatives[i].expected_free_energy == fresh.alternatives[i].expected_free_energy);
  // Observing into a non-derived value derives every entry.
  REQUIRE(router.observe({"r", "t", "gpt-4o", 300.0, 90.0, 0.9, 5e-5, true}, decoded));
  auto attached = decoded;
  router.attach(attached);
  for (std::size_t i = 0; i < decoded.entries().size(); ++i)
    CHECK(decoded.entries()[i].entropy == attached.entries()[i].entropy);
}
