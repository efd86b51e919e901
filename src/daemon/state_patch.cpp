#include "hanzo/hmm/daemon/state_patch.hpp"

#include <array>
#include <cstdint>
#include <cstring>

namespace hanzo::hmm::daemon {

namespace {

// A copy is worth an op from this many equal bytes on (an op costs 2-4 bytes).
constexpr std::size_t kBlock = 8;
constexpr int kTableBits = 12;
// A decoded state is a few KiB; a size past this is a corrupt patch, not a state.
constexpr std::uint64_t kMaxSize = std::uint64_t{1} << 30;

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

bool get_varint(std::span<const std::byte> in, std::size_t& at, std::uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64 && at < in.size(); shift += 7) {
    const auto b = std::to_integer<std::uint8_t>(in[at++]);
    v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
    if (!(b & 0x80)) return true;
  }
  return false;
}

std::uint64_t zigzag(std::int64_t v) { return (static_cast<std::uint64_t>(v) << 1) ^ static_cast<std::uint64_t>(v >> 63); }
std::int64_t unzigzag(std::uint64_t v) { return static_cast<std::int64_t>(v >> 1) ^ -static_cast<std::int64_t>(v & 1); }

std::uint32_t hash_block(const std::byte* p) {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return static_cast<std::uint32_t>((v * 0x9E3779B97F4A7C15ull) >> (64 - kTableBits));
}

Error bad(const std::string& what) { return make_error(Errc::parse_error, "state patch", what); }

}  // namespace

// Ops: varint (length << 1 | kind). Kind 0 adds `length` bytes that follow; kind 1 copies
// `length` bytes of base from where the previous copy's alignment predicts, corrected by a
// zigzag varint. An edit that keeps sizes costs its bytes plus a few; an insertion shifts the
// alignment once instead of making everything after it differ.
void make_patch(std::span<const std::byte> base, std::span<const std::byte> next, std::string& out) {
  put_varint(out, next.size());
  std::array<std::int32_t, std::size_t{1} << kTableBits> table;
  table.fill(-1);
  for (std::size_t j = 0; j + kBlock <= base.size(); j += 4) table[hash_block(base.data() + j)] = static_cast<std::int32_t>(j);
  std::int64_t shift = 0;  // base position - next position, as of the last copy
  std::size_t i = 0, literal = 0;
  auto extend = [&](std::size_t j) {
    std::size_t n = 0;
    while (i + n < next.size() && j + n < base.size() && base[j + n] == next[i + n]) ++n;
    return n;
  };
  while (i + kBlock <= next.size()) {
    std::size_t at = 0, len = 0;
    const std::int64_t predicted = static_cast<std::int64_t>(i) + shift;
    if (predicted >= 0 && static_cast<std::size_t>(predicted) < base.size()) {
      at = static_cast<std::size_t>(predicted);
      len = extend(at);
    }
    if (len < kBlock) {
      const auto j = table[hash_block(next.data() + i)];
      const std::size_t n = j >= 0 ? extend(static_cast<std::size_t>(j)) : 0;
      if (n > len) at = static_cast<std::size_t>(j), len = n;
    }
    if (len < kBlock) {
      ++i;
      continue;
    }
    while (i > literal && at > 0 && base[at - 1] == next[i - 1]) --i, --at, ++len;
    if (i > literal) {
      put_varint(out, (i - literal) << 1);
      out.append(reinterpret_cast<const char*>(next.data() + literal), i - literal);
    }
    put_varint(out, (len << 1) | 1);
    put_varint(out, zigzag(static_cast<std::int64_t>(at) - (static_cast<std::int64_t>(i) + shift)));
    shift = static_cast<std::int64_t>(at) - static_cast<std::int64_t>(i);
    i += len;
    literal = i;
  }
  if (next.size() > literal) {
    put_varint(out, (next.size() - literal) << 1);
    out.append(reinterpret_cast<const char*>(next.data() + literal), next.size() - literal);
  }
}

Result<std::vector<std::byte>> apply_patch(std::span<const std::byte> base, std::span<const std::byte> patch) {
  std::size_t at = 0;
  std::uint64_t size = 0;
  if (!get_varint(patch, at, size)) return bad("truncated size");
  if (size > kMaxSize) return bad("size " + std::to_string(size) + " is not a tenant state");
  // Two passes: every op is checked before the output is allocated, so a corrupt size costs
  // nothing.
  const std::size_t first_op = at;
  std::vector<std::byte> out;
  for (int pass = 0; pass < 2; ++pass) {
    at = first_op;
    std::size_t pos = 0;
    std::int64_t shift = 0;
    for (std::size_t op = 0; at < patch.size(); ++op) {
      const auto name = [&] { return "op " + std::to_string(op); };
      std::uint64_t head = 0;
      if (!get_varint(patch, at, head)) return bad(name() + ": truncated");
      const std::uint64_t len = head >> 1;
      if (len > size - pos) return bad(name() + ": writes past the state's " + std::to_string(size) + " bytes");
      if (head & 1) {
        std::uint64_t delta = 0;
        if (!get_varint(patch, at, delta)) return bad(name() + ": truncated copy");
        const std::int64_t from = static_cast<std::int64_t>(pos) + shift + unzigzag(delta);
        if (from < 0 || static_cast<std::uint64_t>(from) > base.size() || len > base.size() - static_cast<std::size_t>(from))
          return bad(name() + ": copies from outside the base's " + std::to_string(base.size()) + " bytes");
        if (pass == 1 && len) std::memcpy(out.data() + pos, base.data() + from, len);
        shift = from - static_cast<std::int64_t>(pos);
      } else {
        if (len > patch.size() - at) return bad(name() + ": truncated run");
        if (pass == 1 && len) std::memcpy(out.data() + pos, patch.data() + at, len);
        at += len;
      }
      pos += len;
    }
    if (pos != size) return bad("ops cover " + std::to_string(pos) + " of " + std::to_string(size) + " bytes");
    if (pass == 0) out.resize(static_cast<std::size_t>(size));
  }
  return out;
}

}  // namespace hanzo::hmm::daemon
