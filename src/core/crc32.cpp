#include "hanzo/hmm/crc32.hpp"

#include <array>

namespace hanzo::hmm {

namespace {

// Slice-by-8 tables: t[0] is the classic byte table, t[i][b] advances t[i-1][b] by one more zero
// byte, so eight bytes are folded per step (~1 cycle/byte instead of ~4).
using CrcTables = std::array<std::array<std::uint32_t, 256>, 8>;
constexpr CrcTables make_crc_tables() {
  CrcTables t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int b = 0; b < 8; ++b) c = (c & 1u) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    t[0][i] = c;
  }
  for (std::size_t s = 1; s < 8; ++s)
    for (std::size_t i = 0; i < 256; ++i) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xffu];
  return t;
}
constexpr CrcTables kCrc = make_crc_tables();

std::uint32_t le32(const std::byte* p) noexcept {
  return std::to_integer<std::uint32_t>(p[0]) | std::to_integer<std::uint32_t>(p[1]) << 8 |
         std::to_integer<std::uint32_t>(p[2]) << 16 | std::to_integer<std::uint32_t>(p[3]) << 24;
}

}  // namespace

std::uint32_t crc32(std::span<const std::byte> bytes) noexcept {
  std::uint32_t c = 0xffffffffu;
  const std::byte* p = bytes.data();
  std::size_t n = bytes.size();
  for (; n >= 8; n -= 8, p += 8) {
    const std::uint32_t one = c ^ le32(p), two = le32(p + 4);
    c = kCrc[7][one & 0xffu] ^ kCrc[6][(one >> 8) & 0xffu] ^ kCrc[5][(one >> 16) & 0xffu] ^ kCrc[4][one >> 24] ^
        kCrc[3][two & 0xffu] ^ kCrc[2][(two >> 8) & 0xffu] ^ kCrc[1][(two >> 16) & 0xffu] ^ kCrc[0][two >> 24];
  }
  for (; n > 0; --n, ++p) c = kCrc[0][(c ^ std::to_integer<std::uint32_t>(*p)) & 0xffu] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

}  // namespace hanzo::hmm
