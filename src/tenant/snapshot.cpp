#include "hanzo/hmm/tenant/snapshot.hpp"

#include <cmath>
#include <optional>
#include <string>

#include "bytes.hpp"

namespace hanzo::hmm::tenant {

namespace {

constexpr std::size_t kHeaderBytes = 4 + 2;
constexpr std::size_t kSectionHeaderBytes = 2 + 4;
constexpr std::size_t kTrailerBytes = 4;
constexpr std::size_t kLogLikelihoodBytes = 3 * 8 + 8 + 1;

std::size_t adapter_payload(std::size_t k, std::size_t f) noexcept { return 8 + 4 * k + (k * f + 7) / 8; }
std::size_t regime_payload(std::size_t n) noexcept { return 4 + 8 + 8 * n + kLogLikelihoodBytes; }

Error corrupt(std::string where, std::string message) {
  return make_error(Errc::parse_error, std::move(where), std::move(message));
}

Result<QuantizedDelta> read_adapter(std::span<const std::byte> payload) {
  detail::ByteReader r(payload);
  std::uint32_t k = 0, f = 0;
  if (!r.uint(k) || !r.uint(f))
    return corrupt("snapshot.adapter", "section of " + std::to_string(payload.size()) + " bytes is too short for K, F");
  if (k == 0 || k > kMaxModels || f == 0 || f > kMaxFeatures)
    return corrupt("snapshot.adapter", "shape " + std::to_string(k) + " x " + std::to_string(f) + " is out of range");
  const std::size_t want = adapter_payload(k, f);
  if (payload.size() != want)
    return corrupt("snapshot.adapter", "section has " + std::to_string(payload.size()) + " bytes, a " +
                                           std::to_string(k) + " x " + std::to_string(f) + " adapter needs " +
                                           std::to_string(want));
  QuantizedDelta q(k, f);
  for (auto& a : q.alpha_bits()) (void)r.uint(a);  // lengths checked above
  auto words = q.sign_words();
  const auto signs = r.take((std::size_t{k} * f + 7) / 8);
  for (std::size_t i = 0; i < signs.size(); ++i)
    words[i / 4] |= std::to_integer<std::uint32_t>(signs[i]) << (8 * (i % 4));
  if (auto ok = q.validate(); !ok) {
    Error e = std::move(ok).error();
    e.code = Errc::parse_error;
    e.where = "snapshot.adapter." + e.where;
    return e;
  }
  return q;
}

Result<RegimeState> read_regime(std::span<const std::byte> payload) {
  detail::ByteReader r(payload);
  std::uint32_t n = 0;
  if (!r.uint(n)) return corrupt("snapshot.regime", "section is too short for N");
  if (n == 0 || n > kMaxStates)
    return corrupt("snapshot.regime", std::to_string(n) + " regimes is out of range");
  if (payload.size() != regime_payload(n))
    return corrupt("snapshot.regime", "section has " + std::to_string(payload.size()) + " bytes, " +
                                          std::to_string(n) + " regimes need " + std::to_string(regime_payload(n)));
  RegimeState s{std::vector<double>(n), {}, 0};
  (void)r.uint(s.steps);
  double total = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    (void)r.f64(s.belief[i]);
    if (!(s.belief[i] >= 0.0 && s.belief[i] <= 1.0))
      return corrupt("snapshot.regime.belief[" + std::to_string(i) + "]", "is not a probability");
    total += s.belief[i];
  }
  if (!(std::fabs(total - 1.0) <= kRowSumTolerance))
    return corrupt("snapshot.regime.belief", "sums to " + hmm::detail::format_number(total) + ", not 1");
  auto& ll = s.log_likelihood;
  std::uint8_t zero = 0;
  (void)r.f64(ll.mantissa), (void)r.f64(ll.sum), (void)r.f64(ll.comp), (void)r.uint(ll.exponent), (void)r.uint(zero);
  if (!(std::isfinite(ll.mantissa) && ll.mantissa > 0.0))
    return corrupt("snapshot.regime.log_likelihood", "mantissa must be finite and > 0");
  if (!std::isfinite(ll.sum) || !std::isfinite(ll.comp))
    return corrupt("snapshot.regime.log_likelihood", "offset sum is not finite");
  if (zero > 1) return corrupt("snapshot.regime.log_likelihood", "zero flag must be 0 or 1");
  ll.zero = zero != 0;
  return s;
}

}  // namespace


std::size_t snapshot_size(std::size_t models, std::size_t features, std::size_t regimes) noexcept {
  return kHeaderBytes + 2 * kSectionHeaderBytes + adapter_payload(models, features) + regime_payload(regimes) +
         kTrailerBytes;
}

std::vector<std::byte> encode_snapshot(const QuantizedDelta& adapter, const RegimeState& regime) {
  const std::size_t k = adapter.rows(), f = adapter.cols(), n = regime.belief.size();
  std::vector<std::byte> out(snapshot_size(k, f, n));
  detail::ByteWriter w(out.data());
  for (char c : kSnapshotMagic) w.u8(static_cast<std::uint8_t>(c));
  w.u16(kSnapshotVersion);

  w.u16(static_cast<std::uint16_t>(SnapshotSection::adapter));
  w.u32(static_cast<std::uint32_t>(adapter_payload(k, f)));
  w.u32(static_cast<std::uint32_t>(k));
  w.u32(static_cast<std::uint32_t>(f));
  for (std::uint32_t a : adapter.alpha_bits()) w.u32(a);
  const auto words = adapter.sign_words();
  for (std::size_t i = 0, bytes = (k * f + 7) / 8; i < bytes; ++i)
    w.u8(static_cast<std::uint8_t>(words[i / 4] >> (8 * (i % 4))));

  w.u16(static_cast<std::uint16_t>(SnapshotSection::regime));
  w.u32(static_cast<std::uint32_t>(regime_payload(n)));
  w.u32(static_cast<std::uint32_t>(n));
  w.u64(regime.steps);
  for (double b : regime.belief) w.f64(b);
  const auto& ll = regime.log_likelihood;
  w.f64(ll.mantissa);
  w.f64(ll.sum);
  w.f64(ll.comp);
  w.u64(static_cast<std::uint64_t>(ll.exponent));
  w.u8(ll.zero ? 1 : 0);

  w.u32(crc32(std::span<const std::byte>(out).first(out.size() - kTrailerBytes)));
  return out;
}

Result<DormantTenant> decode_snapshot(std::span<const std::byte> bytes) {
  if (bytes.size() < kHeaderBytes + kTrailerBytes)
    return corrupt("snapshot header", "truncated: " + std::to_string(bytes.size()) + " bytes, a snapshot has at least " +
                                          std::to_string(kHeaderBytes + kTrailerBytes));
  for (std::size_t i = 0; i < kSnapshotMagic.size(); ++i)
    if (std::to_integer<char>(bytes[i]) != kSnapshotMagic[i])
      return corrupt("snapshot header", "bad magic (not a tenant snapshot)");
  detail::ByteReader r(bytes.first(bytes.size() - kTrailerBytes));
  std::uint16_t version = 0;
  (void)r.skip(kSnapshotMagic.size()), (void)r.uint(version);
  if (version == 0 || version > kSnapshotVersion)
    return corrupt("snapshot header", "unsupported version " + std::to_string(version) + " (this build reads 1.." +
                                          std::to_string(kSnapshotVersion) + ")");

  // Structure first (so truncation is reported as such), then the checksum, then the values.
  std::optional<std::span<const std::byte>> adapter, regime;
  std::uint16_t last_tag = 0;
  while (r.remaining() > 0) {
    const std::size_t at = r.offset();
    std::uint16_t tag = 0;
    std::uint32_t length = 0;
    if (!r.uint(tag) || !r.uint(length))
      return corrupt("snapshot, byte " + std::to_string(at), "truncated section header (truncated or corrupt input)");
    const auto section = static_cast<SnapshotSection>(tag);
    auto* slot = section == SnapshotSection::adapter ? &adapter : section == SnapshotSection::regime ? &regime : nullptr;
    const std::string where = "snapshot, section " + std::to_string(tag) + " at byte " + std::to_string(at);
    if (!slot) return corrupt(where, "unknown section tag in a version " + std::to_string(version) + " snapshot");
    if (tag <= last_tag) return corrupt(where, "duplicate or out-of-order section");
    last_tag = tag;
    if (length > r.remaining())
      return corrupt(where, "length " + std::to_string(length) + " runs past the end (" +
                                std::to_string(r.remaining()) + " bytes left; truncated or corrupt input)");
    *slot = r.take(length);
  }
  if (!adapter) return corrupt("snapshot", "has no adapter section");
  if (!regime) return corrupt("snapshot", "has no regime section");
  detail::ByteReader trailer(bytes.last(kTrailerBytes));
  std::uint32_t stored = 0;
  (void)trailer.uint(stored);
  if (const std::uint32_t computed = crc32(bytes.first(bytes.size() - kTrailerBytes)); stored != computed)
    return corrupt("snapshot checksum", "stored CRC-32 does not match the content (corrupt input)");

  auto q = read_adapter(*adapter);
  if (!q) return std::move(q).error();
  auto s = read_regime(*regime);
  if (!s) return std::move(s).error();
  return DormantTenant{std::move(*q), std::move(*s)};
}

}  // namespace hanzo::hmm::tenant
