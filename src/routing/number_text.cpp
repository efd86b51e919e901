// append_number: printf's %.<P>g and %.<P>f for the decision's reasoning sentence, eight figures
// a decision. The common case (a few digits, a magnitude a decision's figures have, no rounding
// tie) is worked out here; the rest goes to std::to_chars, which is exact and ~5x slower.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>

#include "hanzo/hmm/detail/decimal.hpp"
#include "maths.hpp"

namespace hanzo::hmm::routing::detail {

namespace {

using hanzo::hmm::detail::kPow10;
using hanzo::hmm::detail::round_half_up;
using hanzo::hmm::detail::round_significant;
using hanzo::hmm::detail::significant_digits;

// %.<precision>g, or nullptr for the exact path.
char* general(char* p, double x, int precision) {
  const int digits = precision == 0 ? 1 : precision;
  const double a = std::fabs(x);
  std::uint64_t m = 0;
  int e = 0;
  if (digits > 9 || !(a >= 1e-9 && a < 1e15) || !round_significant(a, digits, m, e)) return nullptr;
  char d[9] = {};
  const int n = significant_digits(m, digits, d);
  if (x < 0) *p++ = '-';
  const auto put = [&p, &d](int from, int to) {
    for (int i = from; i < to; ++i) *p++ = d[i];
  };
  if (e < -4 || e >= digits) {  // d.ddde+XX: at least two exponent digits, as printf writes them
    *p++ = d[0];
    if (n > 1) {
      *p++ = '.';
      put(1, n);
    }
    *p++ = 'e';
    *p++ = e < 0 ? '-' : '+';
    const int ae = std::abs(e);  // at most 14 here
    *p++ = static_cast<char>('0' + ae / 10);
    *p++ = static_cast<char>('0' + ae % 10);
  } else if (e >= 0) {  // the integer digits, then what is left of the fraction
    put(0, e + 1);
    if (n > e + 1) {
      *p++ = '.';
      put(e + 1, n);
    }
  } else {  // 0.000ddd
    *p++ = '0';
    *p++ = '.';
    for (int i = 0; i < -e - 1; ++i) *p++ = '0';
    put(0, n);
  }
  return p;
}

// %.<precision>f, or nullptr for the exact path.
char* fixed_point(char* p, double x, int precision) {
  if (precision > 9) return nullptr;
  const double scaled = std::fabs(x) * kPow10[precision];
  // Below 1e9 the scaling's one rounding is far smaller than the tie margin.
  if (!(scaled < 1e9)) return nullptr;  // also NaN and infinities
  std::uint64_t m = 0;
  if (!round_half_up(scaled, m)) return nullptr;
  const auto unit = static_cast<std::uint64_t>(kPow10[precision]);
  if (std::signbit(x)) *p++ = '-';  // printf writes -0.00 too
  p = std::to_chars(p, p + 24, m / unit).ptr;
  if (precision > 0) {
    *p++ = '.';
    auto frac = m % unit;
    for (int i = precision - 1; i >= 0; --i, frac /= 10) p[i] = static_cast<char>('0' + frac % 10);
    p += precision;
  }
  return p;
}

}  // namespace

void append_number(std::string& s, double x, int precision, bool fixed) {
  char buf[64];
  char* end = fixed ? fixed_point(buf, x, precision) : general(buf, x, precision);
  if (!end) {
    const auto r = std::to_chars(buf, buf + sizeof buf, x,
                                 fixed ? std::chars_format::fixed : std::chars_format::general, precision);
    end = r.ec == std::errc{} ? r.ptr : buf;
  }
  s.append(buf, end);
}

}  // namespace hanzo::hmm::routing::detail
