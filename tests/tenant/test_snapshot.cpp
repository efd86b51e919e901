// Snapshot bytes: exact round trips (a restored tenant is a twin of the original) and an Error,
// never a crash or an out-of-bounds read, for every truncated or corrupt input.
#include <catch2/catch.hpp>

#include <cstring>

#include "fixtures.hpp"

using namespace tenant_test;

namespace {
using Bytes = std::vector<std::byte>;

void put_u32(Bytes& b, std::size_t at, std::uint32_t v) {
  for (std::size_t i = 0; i < 4; ++i) b[at + i] = static_cast<std::byte>(v >> (8 * i));
}
// Rewrites the trailer so a deliberately altered body gets past the checksum.
void fix_crc(Bytes& b) {
  put_u32(b, b.size() - 4, crc32(std::span<const std::byte>(b).first(b.size() - 4)));
}
ActiveTenant busy_tenant(const TenantContext& ctx, std::uint64_t seed) {
  ActiveTenant t(ctx);
  for (int i = 0; i < 21; ++i) {
    REQUIRE(t.observe(i % 5 == 4 ? std::vector<double>{} : i < 10 ? exploitation_obs() : crisis_obs()));
    REQUIRE(t.learn((seed * 7 + i) % ctx.models(), random_floats(ctx.features(), seed + i), i % 3 ? 1.0 : -0.7));
  }
  return t;
}
template <class T>
bool same_bits(const T& a, const T& b) {
  return std::memcmp(&a, &b, sizeof(T)) == 0;
}
// Layout offsets (see snapshot.hpp) for K=32, F=16, N=4.
constexpr std::size_t kAdapterHeader = 6, kAdapterPayload = kAdapterHeader + 6;
constexpr std::size_t kRegimeHeader = kAdapterPayload + 8 + 4 * 32 + 64;
}  // namespace

TEST_CASE("snapshot: size is 299 bytes at K=32, F=16, D=4, 4 regimes", "[tenant][snapshot]") {
  const auto ctx = make_context();
  auto t = busy_tenant(*ctx, 1);
  const auto bytes = t.snapshot();
  CHECK(bytes.size() == 299);
  CHECK(snapshot_size(32, 16, 4) == 299);
  CHECK(std::to_integer<char>(bytes[0]) == 'H');
  CHECK(std::to_integer<int>(bytes[4]) == kSnapshotVersion);
  CHECK(std::to_integer<int>(bytes[kRegimeHeader]) == 2);  // regime tag where the layout says
}

TEST_CASE("snapshot: round trip is exact and the restored tenant is a twin", "[tenant][snapshot]") {
  const auto ctx = make_context();
  auto a = busy_tenant(*ctx, 3);
  const auto bytes = a.snapshot();
  auto b = ActiveTenant::restore(*ctx, bytes).value();

  // Bit-identical state.
  const auto sa = a.regime().state(), sb = b.regime().state();
  REQUIRE(sa.belief.size() == sb.belief.size());
  for (std::size_t i = 0; i < sa.belief.size(); ++i) CHECK(same_bits(sa.belief[i], sb.belief[i]));
  CHECK(same_bits(sa.log_likelihood.mantissa, sb.log_likelihood.mantissa));
  CHECK(same_bits(sa.log_likelihood.sum, sb.log_likelihood.sum));
  CHECK(same_bits(sa.log_likelihood.comp, sb.log_likelihood.comp));
  CHECK(sa.log_likelihood.exponent == sb.log_likelihood.exponent);
  CHECK(sa.log_likelihood.zero == sb.log_likelihood.zero);
  CHECK(sa.steps == sb.steps);
  CHECK(same_bits(a.regime().log_likelihood(), b.regime().log_likelihood()));
  CHECK(a.adapter().quantized() == b.adapter().quantized());
  CHECK(encode_snapshot(decode_snapshot(bytes).value()) == bytes);

  // Same inputs from here on: same outputs, same bytes.
  for (int i = 0; i < 40; ++i) {
    const auto obs = i % 4 == 3 ? std::vector<double>{} : std::vector<double>{0.1 * i, -0.5, 0.02 * i, 0.3};
    const auto pa = a.observe(obs).value(), pb = b.observe(obs).value();
    CHECK(std::memcmp(pa.data(), pb.data(), pa.size() * sizeof(double)) == 0);
    const auto x = random_floats(16, 500 + i);
    REQUIRE(a.learn(i % 32, x, 0.3));
    REQUIRE(b.learn(i % 32, x, 0.3));
    std::vector<float> oa(32), ob(32);
    REQUIRE(a.scores(x, oa));
    REQUIRE(b.scores(x, ob));
    CHECK(oa == ob);
  }
  CHECK(a.snapshot() == b.snapshot());
}

TEST_CASE("snapshot: a fresh tenant round-trips too", "[tenant][snapshot]") {
  const auto ctx = make_context(3, 5);
  ActiveTenant t(*ctx);
  const auto bytes = t.snapshot();
  CHECK(bytes.size() == snapshot_size(3, 5, 4));
  CHECK(ActiveTenant::restore(*ctx, bytes).value().snapshot() == bytes);
}

TEST_CASE("snapshot: every truncation is an Error", "[tenant][snapshot][robust]") {
  const auto ctx = make_context();
  auto t = busy_tenant(*ctx, 4);
  const auto bytes = t.snapshot();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    INFO("truncated to " << n << " bytes");
    const auto r = ActiveTenant::restore(*ctx, std::span<const std::byte>(bytes).first(n));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::parse_error);
    CHECK_FALSE(r.error().message.empty());
  }
  // Copies in exactly-sized heap buffers, so ASan sees any read past the end.
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    const Bytes cut(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n));
    REQUIRE_FALSE(decode_snapshot(cut));
  }
  // A cut inside the last section is reported as a truncation, not only as a bad checksum.
  const auto r = decode_snapshot(std::span<const std::byte>(bytes).first(bytes.size() - 10));
  CHECK(r.error().message.find("truncated") != std::string::npos);
}

TEST_CASE("snapshot: bad magic, version, checksum, sizes and values are named", "[tenant][snapshot][robust]") {
  const auto ctx = make_context();
  auto t = busy_tenant(*ctx, 5);
  const auto good = t.snapshot();
  auto error_of = [](const Bytes& b) { return decode_snapshot(b).error().to_string(); };

  Bytes b = good;
  b[0] = std::byte{'X'};
  CHECK(error_of(b) == "snapshot header: bad magic (not a tenant snapshot)");
  for (std::uint16_t v : {0, 2, 0xffff}) {
    b = good;
    b[4] = static_cast<std::byte>(v & 0xff), b[5] = static_cast<std::byte>(v >> 8);
    CHECK(error_of(b).find("unsupported version " + std::to_string(v)) != std::string::npos);
  }
  b = good;
  b[100] ^= std::byte{0x10};  // an alpha bit
  CHECK(error_of(b).find("snapshot checksum") == 0);
  b = good;
  b.push_back(std::byte{0});
  CHECK_FALSE(decode_snapshot(b));

  // Section length disagreeing with K, F (checksum fixed so the size check is what fails).
  b = good;
  put_u32(b, kAdapterHeader + 6, 31);  // K = 31 but the section holds 32 rows
  fix_crc(b);
  CHECK(error_of(b).find("snapshot.adapter: section has 200 bytes, a 31 x 16 adapter needs") == 0);
  b = good;
  put_u32(b, kAdapterHeader + 2, 199);  // section length one short
  fix_crc(b);
  CHECK_FALSE(decode_snapshot(b));
  b = good;
  put_u32(b, kRegimeHeader + 6, 5);  // N = 5
  fix_crc(b);
  CHECK(error_of(b).find("snapshot.regime: section has") == 0);

  // Values.
  b = good;
  b[kAdapterPayload + 8 + 3] |= std::byte{0x80};  // alpha[0] negative
  fix_crc(b);
  CHECK(error_of(b) == "snapshot.adapter.alpha[0]: scale must be finite and >= +0");
  b = good;
  b[kRegimeHeader + 6 + 4 + 8 + 7] ^= std::byte{0x01};  // belief[0] slightly off
  fix_crc(b);
  CHECK(error_of(b).find("snapshot.regime.belief") == 0);
  b = good;
  b[good.size() - 5] = std::byte{2};  // zero flag
  fix_crc(b);
  CHECK(error_of(b) == "snapshot.regime.log_likelihood: zero flag must be 0 or 1");

  // Sections: unknown tag, out of order, missing.
  b = good;
  b[kRegimeHeader] = std::byte{7};
  fix_crc(b);
  CHECK(error_of(b).find("unknown section tag") != std::string::npos);
  b = good;
  b[kRegimeHeader] = std::byte{1};
  fix_crc(b);
  CHECK(error_of(b).find("duplicate or out-of-order") != std::string::npos);
  b = Bytes(good.begin(), good.begin() + kRegimeHeader);
  b.resize(b.size() + 4);
  fix_crc(b);
  CHECK(error_of(b) == "snapshot: has no regime section");

  // A valid snapshot from a differently shaped daemon.
  const auto small = make_context(8, 16);
  const auto r = ActiveTenant::restore(*small, good);
  REQUIRE_FALSE(r);
  CHECK(r.error().where == "adapter");
}

TEST_CASE("snapshot: every single-bit flip is detected", "[tenant][snapshot][robust]") {
  const auto ctx = make_context();
  auto t = busy_tenant(*ctx, 6);
  const auto good = t.snapshot();
  for (std::size_t i = 0; i < good.size() * 8; ++i) {
    Bytes b = good;
    b[i / 8] ^= static_cast<std::byte>(1u << (i % 8));
    REQUIRE_FALSE(decode_snapshot(b));
  }
}

TEST_CASE("snapshot: random corruption never crashes - accepted input re-encodes to itself",
          "[tenant][snapshot][robust]") {
  const auto ctx = make_context(7, 9);
  auto t = busy_tenant(*ctx, 8);
  const auto good = t.snapshot();
  std::mt19937_64 rng(42);
  std::size_t accepted = 0;
  for (int trial = 0; trial < 20000; ++trial) {
    Bytes b = good;
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) b[rng() % b.size()] = static_cast<std::byte>(rng());
    if (trial % 3 == 0) b.resize(rng() % (b.size() + 8));  // also lengths that do not fit
    if (trial % 2 == 0 && b.size() >= 10) fix_crc(b);       // reach the value checks
    const auto r = decode_snapshot(b);
    if (r) {
      ++accepted;
      REQUIRE(encode_snapshot(*r) == b);
    }
  }
  // Pure noise with a valid header.
  for (int trial = 0; trial < 5000; ++trial) {
    Bytes b(rng() % 400);
    for (auto& x : b) x = static_cast<std::byte>(rng());
    if (b.size() >= 6) b[0] = std::byte{'H'}, b[1] = std::byte{'Z'}, b[2] = std::byte{'T'}, b[3] = std::byte{'S'};
    if (b.size() >= 6) b[4] = std::byte{1}, b[5] = std::byte{0};
    if (b.size() >= 10) fix_crc(b);
    const auto r = decode_snapshot(b);
    if (r) REQUIRE(encode_snapshot(*r) == b);
  }
  CHECK(accepted > 0);  // some edits (e.g. of sign bits) are valid snapshots
}

TEST_CASE("snapshot: crc32 matches the standard check value", "[tenant][snapshot]") {
  const std::string s = "123456789";
  Bytes b;
  for (char c : s) b.push_back(static_cast<std::byte>(c));
  CHECK(crc32(b) == 0xCBF43926u);
  CHECK(crc32({}) == 0u);
  // Every length, so the 8-byte and 1-byte paths agree with a bitwise reference.
  auto slow = [](std::span<const std::byte> d) {
    std::uint32_t c = 0xffffffffu;
    for (std::byte x : d) {
      c ^= std::to_integer<std::uint32_t>(x);
      for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xffffffffu;
  };
  std::mt19937_64 rng(3);
  Bytes r(100);
  for (auto& x : r) x = static_cast<std::byte>(rng());
  for (std::size_t n = 0; n <= r.size(); ++n) REQUIRE(crc32(std::span<const std::byte>(r).first(n)) == slow(std::span<const std::byte>(r).first(n)));
}
