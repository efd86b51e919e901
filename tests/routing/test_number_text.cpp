// append_number, the reasoning sentence's figures: printf (glibc's, which shares no code with
// it) is the reference for %.<P>g and %.<P>f, on hand-picked cases, on exact rounding ties
// (where printf rounds to even and a naive rounding would not) and on a seeded spread.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <limits>
#include <random>
#include <string>

#include "maths.hpp"

using hanzo::hmm::routing::detail::append_number;

namespace {

std::string ours(double x, int precision, bool fixed) {
  std::string s = "<";  // appends to what is there
  append_number(s, x, precision, fixed);
  return s.substr(1);
}

std::string printf_reference(double x, int precision, bool fixed) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fixed ? "%.*f" : "%.*g", precision, x);
  return buf;
}

void same(double x, int precision, bool fixed) {
  INFO(x << (fixed ? " %." : " %.") << precision << (fixed ? "f" : "g"));
  REQUIRE(ours(x, precision, fixed) == printf_reference(x, precision, fixed));
}

}  // namespace

TEST_CASE("append_number: the sentence's figures, as printf writes them", "[routing][text]") {
  CHECK(ours(0.3974934808112677, 2, true) == "0.40");
  CHECK(ours(3.7038445100347825, 3, false) == "3.7");
  CHECK(ours(1.655904996238653, 3, false) == "1.66");
  CHECK(ours(867.3968133181004, 0, true) == "867");
  CHECK(ours(5.35e-05, 3, false) == "5.35e-05");
  CHECK(ours(12, 6, false) == "12");
  CHECK(ours(0, 2, false) == "0");
  CHECK(ours(-0.0, 2, true) == "-0.00");
  CHECK(ours(1234567, 3, false) == "1.23e+06");
  CHECK(ours(0.0001234, 2, false) == "0.00012");
  CHECK(ours(std::numeric_limits<double>::infinity(), 3, false) == "inf");
}

TEST_CASE("append_number: exact ties round to even, as printf's do", "[routing][text]") {
  for (double x : {0.125, 0.375, 1.125, 2.5, 0.5, 1.5, 12.5, 1.0625, 1e-3 * 0.5, 100.5, 0.0625})
    for (int p = 0; p <= 4; ++p) {
      same(x, p, true);
      same(x, p, false);
      same(-x, p, true);
      same(-x, p, false);
    }
  CHECK(ours(0.125, 2, true) == "0.12");
  CHECK(ours(2.5, 0, true) == "2");
  CHECK(ours(1.125, 3, false) == "1.12");
}

TEST_CASE("append_number: agrees with printf across magnitudes and precisions", "[routing][text]") {
  std::mt19937_64 rng(20261207);
  std::uniform_real_distribution<double> mantissa(1.0, 10.0);
  std::uniform_int_distribution<int> exponent(-12, 16), precision(0, 9), sign(0, 1), kind(0, 3);
  for (int i = 0; i < 300000; ++i) {
    double x = (sign(rng) ? -1 : 1) * mantissa(rng) * std::pow(10.0, exponent(rng));
    // Some short decimals and dyadic fractions: ties and exact values are where roundings differ.
    if (kind(rng) == 0) x = std::round(x * 1000) / 1000;
    if (kind(rng) == 0) x = std::ldexp(std::round(std::ldexp(x, 6)), -6);
    const int p = precision(rng);
    same(x, p, false);
    if (std::fabs(x) < 1e12) same(x, p, true);
  }
}
