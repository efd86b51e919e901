// Snapshot bytes of one tenant: versioned, little-endian, exact (doubles bit for bit), and
// checked on the way in, so a truncated or corrupt record is an Error, never a crash.
//
// Layout, version 1 (all integers little-endian):
//   magic "HZTS" | u16 version | sections... | u32 CRC-32 (IEEE) of every preceding byte
//   section = u16 tag | u32 payload length | payload
//   tag 1, adapter: u32 K | u32 F | K x f32 alpha | ceil(K*F/8) sign bytes
//                   (bit i = k*F + j in byte i/8, bit i%8; 1 = negative; unused bits 0)
//   tag 2, regime:  u32 N | u64 steps | N x f64 belief |
//                   f64 mantissa | f64 sum | f64 comp | i64 exponent | u8 zero   (log-likelihood)
// Each version lists its sections; all are required, each once, in increasing tag order (so the
// encoding is canonical: an accepted snapshot re-encodes to the same bytes). A later version
// adds tags (3 = outcome counts, 4 = recent request ids are reserved) and bumps the version;
// readers accept every version up to their own and default the sections it lacks.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "hanzo/hmm/crc32.hpp"
#include "hanzo/hmm/tenant/state.hpp"

namespace hanzo::hmm::tenant {

inline constexpr std::array<char, 4> kSnapshotMagic{'H', 'Z', 'T', 'S'};
inline constexpr std::uint16_t kSnapshotVersion = 1;
enum class SnapshotSection : std::uint16_t { adapter = 1, regime = 2 };

// Encoded size for K models, F features and N regimes (299 bytes at K=32, F=16, N=4).
std::size_t snapshot_size(std::size_t models, std::size_t features, std::size_t regimes) noexcept;

std::vector<std::byte> encode_snapshot(const QuantizedDelta& adapter, const RegimeState& regime);
inline std::vector<std::byte> encode_snapshot(const DormantTenant& t) { return encode_snapshot(t.adapter, t.regime); }

// Structure, checksum and values are all checked (every accepted snapshot re-encodes to the same
// bytes). Errors have code parse_error and say where: "snapshot header", "snapshot.adapter.alpha[3]".
Result<DormantTenant> decode_snapshot(std::span<const std::byte> bytes);

using hmm::crc32;  // the snapshot's checksum

}  // namespace hanzo::hmm::tenant
