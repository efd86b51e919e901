// CRC-32 (IEEE 802.3, reflected, as zlib's crc32): the checksum of every binary state format
// (tenant snapshots, outcome counts). Slice-by-8, about one cycle per byte.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace hanzo::hmm {

std::uint32_t crc32(std::span<const std::byte> bytes) noexcept;

}  // namespace hanzo::hmm
