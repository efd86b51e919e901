#include "writer.hpp"

#include "hanzo/hmm/detail/decimal.hpp"

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>

namespace hanzo::hmm::wire::detail {

Writer::Writer(std::string& out) : out_(out) {
  const std::size_t used = out.size();
  out.resize(std::max(out.capacity(), used + 64));  // the slack a reused buffer already has
  p_ = out.data() + used;
  end_ = out.data() + out.size();
}

void Writer::flush() {
  out_.resize(static_cast<std::size_t>(p_ - out_.data()));
  p_ = end_ = out_.data() + out_.size();
}

void Writer::grow(std::size_t n) {
  const auto used = static_cast<std::size_t>(p_ - out_.data());
  out_.resize(std::max(2 * out_.size(), used + n));
  p_ = out_.data() + used;
  end_ = out_.data() + out_.size();
}

namespace {

constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHigh = 0x8080808080808080ULL;
constexpr std::uint64_t has_zero_byte(std::uint64_t v) { return (v - kOnes) & ~v & kHigh; }
// Whether one of the 8 bytes of w may need escaping: a control character, '"' or '\\' (a false
// positive only costs the byte-wise path; bytes of UTF-8 sequences, >= 0x80, never match).
constexpr bool may_need_escape(std::uint64_t w) {
  return ((w - kOnes * 0x20) & ~w & kHigh) | has_zero_byte(w ^ (kOnes * '"')) | has_zero_byte(w ^ (kOnes * '\\'));
}

// One character at p (room for 6), escaped if JSON needs it; returns the end.
char* put_escaped(char* p, unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  if (c >= 0x20 && c != '"' && c != '\\') {
    *p = static_cast<char>(c);
    return p + 1;
  }
  *p++ = '\\';
  switch (c) {
    case '"': *p++ = '"'; break;
    case '\\': *p++ = '\\'; break;
    case '\n': *p++ = 'n'; break;
    case '\r': *p++ = 'r'; break;
    case '\t': *p++ = 't'; break;
    default:
      *p++ = 'u';
      *p++ = '0';
      *p++ = '0';
      *p++ = hex[c >> 4];
      *p++ = hex[c & 15];
  }
  return p;
}

}  // namespace

Writer& Writer::str(std::string_view s) {
  // Room for a block of the input at a time, every character of it escaped as \u00XX at worst:
  // a long string costs about its own size, not six times it.
  constexpr std::size_t kBlock = 1024;
  ensure(6 * std::min(s.size(), kBlock) + 2);
  separate();
  *p_++ = '"';
  const char* q = s.data();
  const char* const e = q + s.size();
  while (q < e) {
    const char* const stop = q + std::min(static_cast<std::size_t>(e - q), kBlock);
    ensure(6 * static_cast<std::size_t>(stop - q) + 1);  // and the closing quote
    for (; stop - q >= 8; q += 8) {  // 8 characters at a time while none needs escaping
      std::uint64_t w;
      std::memcpy(&w, q, 8);
      if (!may_need_escape(w)) {
        std::memcpy(p_, q, 8);
        p_ += 8;
        continue;
      }
      for (int i = 0; i < 8; ++i) p_ = put_escaped(p_, static_cast<unsigned char>(q[i]));
    }
    for (; q < stop; ++q) p_ = put_escaped(p_, static_cast<unsigned char>(*q));
  }
  *p_++ = '"';
  return *this;
}

Writer& Writer::num(double x) {
  assert(std::isfinite(x) && "the wire carries finite numbers only");
  if (!std::isfinite(x)) return null();
  ensure(32);
  separate();
  p_ = std::to_chars(p_, p_ + 32, x).ptr;  // shortest round trip, e.g. 1e-05
  return *this;
}

namespace {

constexpr int kSignificant = 6;
constexpr int kMaxExp = 14;  // plain notation for 1e-9 <= |x| < 1e15
using hanzo::hmm::detail::kPow10;

// "00".."99": digits written two at a time.
constexpr char kPairs[] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";
constexpr char kZeros[] = "0000000000000000";

// x > 0 in [1e-9, 1e15): rounded to 6 significant digits (halves up: only an exact tie, which
// printf would round to even, can differ from %g), then trailing zeros dropped; written at `p`
// (at most 17 characters, and up to 24 bytes past `p` touched: the caller has room), the end
// returned. A decision has ~25 such figures, so every store has a fixed size (no loops, no
// calls): the digits go out as one 8-byte block, zeros as one 16-byte block.
char* write_approx(char* p, double x) {
  std::uint64_t m = 0;
  int e = 0;
  (void)hanzo::hmm::detail::round_significant(x, kSignificant, m, e);  // m in [1e5, 1e6)
  char digits[16];
  std::memcpy(digits, kPairs + 2 * (m / 10000), 2);
  std::memcpy(digits + 2, kPairs + 2 * (m / 100 % 100), 2);
  std::memcpy(digits + 4, kPairs + 2 * (m % 100), 2);
  std::memset(digits + 6, 0, sizeof digits - 6);
  int n = kSignificant;
  while (n > 1 && digits[n - 1] == '0') --n;
  if (e < 0) {  // 0.000ddd: "0." and -e-1 zeros (at most 8), then the digits
    std::memcpy(p, "0.", 2);
    std::memcpy(p + 2, kZeros, 16);
    std::memcpy(p + 1 - e, digits, 8);
    return p + 1 - e + n;
  }
  std::memcpy(p, digits, 8);
  if (n <= e + 1) {  // a whole number: the digits, then zeros up to the decimal point (e < 15)
    std::memcpy(p + n, kZeros, 16);
    return p + e + 1;
  }
  p[e + 1] = '.';  // e <= 4 here
  std::memcpy(p + e + 2, digits + e + 1, 8);
  return p + n + 1;
}

}  // namespace

Writer& Writer::approx(double x) {
  assert(std::isfinite(x) && "the wire carries finite numbers only");
  if (!std::isfinite(x)) return null();
  const double a = std::fabs(x);
  ensure(32);
  separate();
  if (a == 0) {  // -0 too
    *p_++ = '0';
    return *this;
  }
  if (a < 1e-9 || a >= kPow10[kMaxExp + 1]) {
    p_ = std::to_chars(p_, p_ + 32, x, std::chars_format::general, kSignificant).ptr;
    return *this;
  }
  if (static_cast<double>(static_cast<std::int64_t>(a)) == a) {  // |x| < 1e15
    p_ = std::to_chars(p_, p_ + 32, static_cast<std::int64_t>(x)).ptr;
    return *this;
  }
  if (x < 0) *p_++ = '-';
  p_ = write_approx(p_, a);
  return *this;
}

Writer& Writer::uint(std::uint64_t x) {
  ensure(24);  // 20 digits at most
  separate();
  p_ = std::to_chars(p_, p_ + 24, x).ptr;
  return *this;
}

Writer& Writer::integer(std::int64_t x) {
  ensure(24);  // 19 digits and a sign at most
  separate();
  p_ = std::to_chars(p_, p_ + 24, x).ptr;
  return *this;
}

Writer& Writer::boolean(bool b) {
  ensure(5);
  separate();
  std::memcpy(p_, b ? "true" : "false", b ? 4 : 5);
  p_ += b ? 4 : 5;
  return *this;
}

Writer& Writer::null() {
  ensure(4);
  separate();
  std::memcpy(p_, "null", 4);
  p_ += 4;
  return *this;
}

}  // namespace hanzo::hmm::wire::detail
