#include "writer.hpp"

#include <bit>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstring>

namespace hanzo::hmm::wire::detail {

Writer& Writer::key(std::string_view k) {
  separate();
  char buf[64];  // one append for `"k":` (our key names are short)
  if (k.size() + 3 > sizeof buf) {
    out_ += '"';
    out_.append(k);
    out_.append("\":", 2);
    return *this;
  }
  buf[0] = '"';
  std::memcpy(buf + 1, k.data(), k.size());
  buf[k.size() + 1] = '"';
  buf[k.size() + 2] = ':';
  out_.append(buf, k.size() + 3);
  return *this;
}

Writer& Writer::str(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  separate();
  out_ += '"';
  std::size_t run = 0;  // start of the pending run of characters that need no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out_.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out_.append("\\\"", 2); break;
      case '\\': out_.append("\\\\", 2); break;
      case '\n': out_.append("\\n", 2); break;
      case '\r': out_.append("\\r", 2); break;
      case '\t': out_.append("\\t", 2); break;
      default: {
        const char u[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        out_.append(u, sizeof u);
      }
    }
  }
  out_.append(s.data() + run, s.size() - run);
  out_ += '"';
  return *this;
}

Writer& Writer::num(double x) {
  assert(std::isfinite(x) && "the wire carries finite numbers only");
  if (!std::isfinite(x)) return null();
  separate();
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);  // shortest round trip, e.g. 1e-05
  out_.append(buf, static_cast<std::size_t>(r.ptr - buf));
  return *this;
}

namespace {

constexpr int kSignificant = 6;
constexpr int kMaxExp = 14;  // plain notation for 1e-9 <= |x| < 1e15
// 10^k for k in [0, 22]: exact doubles, so a scaling by them rounds once.
constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// Whether x >= 10^k, for k in [-10, 15].
bool at_least_pow10(double x, int k) { return k >= 0 ? x >= kPow10[k] : x * kPow10[-k] >= 1; }

// The decimal exponent e with 10^e <= x < 10^(e+1), for x in [1e-9, 1e15): estimated from the
// binary exponent (x in [2^(b-1), 2^b): e is floor((b-1) log10 2) or one more).
int decimal_exponent(double x) {
  const int b = static_cast<int>((std::bit_cast<std::uint64_t>(x) >> 52) & 0x7ff) - 1022;
  const double estimate = (b - 1) * 0.30102999566398120;
  int e = static_cast<int>(estimate);  // truncates toward zero: floor it (no libm call)
  if (estimate < e) --e;
  if (at_least_pow10(x, e + 1)) ++e;
  return e;
}

// x > 0 in [1e-9, 1e15): the 6-digit mantissa m (100000..999999) and exponent e with
// x ~ m * 10^(e-5), then trailing zeros dropped; written at `p` (at most 17 characters), the
// end returned. Built on the stack and appended once: a decision has ~25 such figures.
char* write_approx(char* p, double x) {
  int e = decimal_exponent(x);
  const int shift = kSignificant - 1 - e;  // in [-9, 14]
  const double scaled = shift >= 0 ? x * kPow10[shift] : x / kPow10[-shift];
  auto m = static_cast<std::uint64_t>(scaled + 0.5);  // scaled < 2^20: exact enough to round
  if (m >= 1000000) {  // rounded up to the next power of ten
    m /= 10;
    ++e;
  }
  char digits[kSignificant];
  for (int i = kSignificant - 1; i >= 0; --i, m /= 10) digits[i] = static_cast<char>('0' + m % 10);
  int n = kSignificant;
  while (n > 1 && digits[n - 1] == '0') --n;
  const auto put = [&p](const char* from, int count) {
    std::memcpy(p, from, static_cast<std::size_t>(count));
    p += count;
  };
  if (e < 0) {
    *p++ = '0';
    *p++ = '.';
    std::memset(p, '0', static_cast<std::size_t>(-e - 1));
    p += -e - 1;
    put(digits, n);
  } else if (n <= e + 1) {  // a whole number: the digits, then zeros
    put(digits, n);
    std::memset(p, '0', static_cast<std::size_t>(e + 1 - n));
    p += e + 1 - n;
  } else {
    put(digits, e + 1);
    *p++ = '.';
    put(digits + e + 1, n - e - 1);
  }
  return p;
}

template <class Int>
void append_integer(std::string& out, Int x) {
  char buf[24];  // 20 digits and a sign at most
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}
}  // namespace

Writer& Writer::approx(double x) {
  assert(std::isfinite(x) && "the wire carries finite numbers only");
  if (!std::isfinite(x)) return null();
  const double a = std::fabs(x);
  if (a == 0) {  // -0 too
    separate();
    out_ += '0';
    return *this;
  }
  if (a < 1e-9 || a >= kPow10[kMaxExp + 1]) {
    separate();
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::general, kSignificant);
    out_.append(buf, static_cast<std::size_t>(r.ptr - buf));
    return *this;
  }
  if (static_cast<double>(static_cast<std::int64_t>(a)) == a) return integer(static_cast<std::int64_t>(x));  // |x| < 1e15
  separate();
  char buf[24];
  char* p = buf;
  if (x < 0) *p++ = '-';
  p = write_approx(p, a);
  out_.append(buf, static_cast<std::size_t>(p - buf));
  return *this;
}

Writer& Writer::uint(std::uint64_t x) {
  separate();
  append_integer(out_, x);
  return *this;
}

Writer& Writer::integer(std::int64_t x) {
  separate();
  append_integer(out_, x);
  return *this;
}

Writer& Writer::boolean(bool b) {
  separate();
  if (b)
    out_.append("true", 4);
  else
    out_.append("false", 5);
  return *this;
}

Writer& Writer::null() {
  separate();
  out_.append("null", 4);
  return *this;
}

}  // namespace hanzo::hmm::wire::detail
