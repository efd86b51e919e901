// Little-endian byte writing and bounds-checked reading for the snapshot codec (private).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace hanzo::hmm::tenant::detail {

// Writes into a buffer already sized for the whole record (no per-byte growth checks).
class ByteWriter {
 public:
  explicit ByteWriter(std::byte* out) : p_(out) {}
  template <class U>
  void uint(U v) noexcept {
    for (std::size_t i = 0; i < sizeof(U); ++i) *p_++ = static_cast<std::byte>((v >> (8 * i)) & 0xffu);
  }
  void u8(std::uint8_t v) noexcept { *p_++ = static_cast<std::byte>(v); }
  void u16(std::uint16_t v) noexcept { uint(v); }
  void u32(std::uint32_t v) noexcept { uint(v); }
  void u64(std::uint64_t v) noexcept { uint(v); }
  void f64(double v) noexcept { u64(std::bit_cast<std::uint64_t>(v)); }
  std::byte* position() const noexcept { return p_; }

 private:
  std::byte* p_;
};

// Every read checks the remaining length first; a failed read returns false and reads nothing.
class ByteReader {
 public:
  explicit ByteReader(std::span<const std::byte> in) : in_(in) {}
  std::size_t remaining() const noexcept { return in_.size() - pos_; }
  std::size_t offset() const noexcept { return pos_; }
  template <class U>
  bool uint(U& v) noexcept {
    if (remaining() < sizeof(U)) return false;
    U r = 0;
    for (std::size_t i = 0; i < sizeof(U); ++i) r |= static_cast<U>(std::to_integer<U>(in_[pos_ + i]) << (8 * i));
    v = r;
    pos_ += sizeof(U);
    return true;
  }
  bool f64(double& v) noexcept {
    std::uint64_t u;
    if (!uint(u)) return false;
    v = std::bit_cast<double>(u);
    return true;
  }
  bool skip(std::size_t n) noexcept {
    if (remaining() < n) return false;
    pos_ += n;
    return true;
  }
  std::span<const std::byte> take(std::size_t n) noexcept {
    if (remaining() < n) return {};
    auto s = in_.subspan(pos_, n);
    pos_ += n;
    return s;
  }

 private:
  std::span<const std::byte> in_;
  std::size_t pos_{0};
};

}  // namespace hanzo::hmm::tenant::detail
