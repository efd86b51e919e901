// Rounding a double to a few significant decimal digits without printf: the decision's figures
// (wire's Writer::approx) and its reasoning sentence (routing's append_number) are on the
// daemon's hot path, and std::to_chars with a precision is its slow, exact path.
#pragma once

#include <bit>
#include <cmath>
#include <cstdint>

namespace hanzo::hmm::detail {

// 10^k for k in [0, 22]: exact doubles, so a scaling by one of them rounds once.
inline constexpr double kPow10[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
                                    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

// The decimal exponent e with 10^e <= x < 10^(e+1), for x in [1e-9, 1e15): estimated from the
// binary exponent (x in [2^(b-1), 2^b): e is floor((b-1) log10 2) or one more). Right up to the
// last bit near a power of ten, where being one off changes no rounded result.
inline int decimal_exponent(double x) noexcept {
  const int b = static_cast<int>((std::bit_cast<std::uint64_t>(x) >> 52) & 0x7ff) - 1022;
  const double estimate = (b - 1) * 0.30102999566398120;
  int e = static_cast<int>(estimate);  // truncates toward zero: floor it (no libm call)
  if (estimate < e) --e;
  const int k = e + 1;
  if (k >= 0 ? x >= kPow10[k] : x * kPow10[-k] >= 1) ++e;
  return e;
}

// scaled (>= 0, below 1e9) rounded to the nearest integer, halves up. False when it lies
// within 1e-6 of a tie, where the one rounding of the scaling that made it could matter, or on
// one, where printf rounds to even: an exact caller then asks std::to_chars.
inline bool round_half_up(double scaled, std::uint64_t& m) noexcept {
  m = static_cast<std::uint64_t>(scaled + 0.5);
  return std::fabs(scaled - std::floor(scaled) - 0.5) >= 1e-6;
}

// x rounded to `digits` significant digits (1..9), for x in [1e-9, 1e15): the integer m, below
// 10^digits, and the exponent e of its first digit, so that x ~ m * 10^(e - digits + 1).
// False near a rounding tie (round_half_up); m and e are set either way.
inline bool round_significant(double x, int digits, std::uint64_t& m, int& e) noexcept {
  e = decimal_exponent(x);
  const int shift = digits - 1 - e;  // in [-14, 17]
  const bool clear = round_half_up(shift >= 0 ? x * kPow10[shift] : x / kPow10[-shift], m);
  if (m >= static_cast<std::uint64_t>(kPow10[digits])) {  // rounded up to the next power of ten
    m /= 10;
    ++e;
  }
  return clear;
}

// The `digits` digits of m (below 10^digits), most significant first; returns how many remain
// once trailing zeros are dropped (at least one).
inline int significant_digits(std::uint64_t m, int digits, char* out) noexcept {
  for (int i = digits - 1; i >= 0; --i, m /= 10) out[i] = static_cast<char>('0' + m % 10);
  int n = digits;
  while (n > 1 && out[n - 1] == '0') --n;
  return n;
}

}  // namespace hanzo::hmm::detail
