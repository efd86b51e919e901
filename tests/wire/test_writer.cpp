// Writer::approx, the decisions' explanatory figures: hand-worked cases, and printf's "%.6g"
// (glibc, a reference that shares no code with it) on a seeded spread of magnitudes.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include "writer.hpp"

using hanzo::hmm::wire::detail::Writer;

namespace {

std::string approx(double x) {
  std::string out;
  Writer(out).approx(x);
  return out;
}

double reference(double x) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", x);
  return std::strtod(buf, nullptr);
}

}  // namespace

TEST_CASE("writer: approx writes 6 significant digits in plain notation", "[wire][writer]") {
  CHECK(approx(0.1529135405958929) == "0.152914");
  CHECK(approx(513.3010096976691) == "513.301");
  CHECK(approx(0.0023993898741686698) == "0.00239939");
  CHECK(approx(3.7032397290732395) == "3.70324");
  CHECK(approx(-1.5221448248814844) == "-1.52214");
  CHECK(approx(1e-05) == "0.00001");
  CHECK(approx(0.25) == "0.25");
  CHECK(approx(0.9999994) == "0.999999");
  CHECK(approx(0.9999996) == "1");        // rounds up to the next power of ten
  CHECK(approx(99999.95) == "100000");    // and past the decimal point
  CHECK(approx(123456789.4) == "123457000");
  CHECK(approx(1e-9) == "0.000000001");
  CHECK(approx(0) == "0");
  CHECK(approx(-0.0) == "0");
  CHECK(approx(42) == "42");              // exact integers whole
  CHECK(approx(1234567) == "1234567");
  CHECK(approx(1.5e-12) == "1.5e-12");    // outside [1e-9, 1e15): exponent notation
  CHECK(approx(2.5e20) == "2.5e+20");
}

TEST_CASE("writer: approx agrees with printf's %.6g across magnitudes", "[wire][writer]") {
  std::mt19937_64 rng(20261206);
  std::uniform_real_distribution<double> mantissa(1.0, 10.0);
  std::uniform_int_distribution<int> exponent(-12, 16);
  int checked = 0;
  for (int i = 0; i < 200000; ++i) {
    const double x = (i % 2 ? -1 : 1) * mantissa(rng) * std::pow(10.0, exponent(rng));
    const std::string text = approx(x);
    const double back = std::strtod(text.c_str(), nullptr);
    if (std::fabs(x) < 1e15 && x == std::floor(x)) {
      CHECK(back == x);
      continue;
    }
    INFO(text << " for " << x);
    REQUIRE(back == reference(x));
    ++checked;
  }
  CHECK(checked > 190000);
}

TEST_CASE("writer: approx separates values like every other writer call", "[wire][writer]") {
  std::string out;
  Writer w(out);
  w.begin_array().approx(0.5).approx(2).approx(1e-20).num(0.1).end_array();
  CHECK(out == "[0.5,2,1e-20,0.1]");
}
