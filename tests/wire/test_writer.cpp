// Writer::approx, the decisions' explanatory figures: hand-worked cases, and printf's "%.6g"
// (glibc, a reference that shares no code with it) on a seeded spread of magnitudes.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

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
  {
    Writer w(out);
    w.begin_array().approx(0.5).approx(2).approx(1e-20).num(0.1).end_array();
  }
  CHECK(out == "[0.5,2,1e-20,0.1]");
}

namespace {

// The escaping Writer::str promises, character by character (it shares no code with the
// block-wise writer): the short escapes for quote, backslash, \n, \r and \t, \u00XX for the
// other control characters, everything else as is.
std::string reference_string(std::string_view s) {
  std::string out = "\"";
  for (const char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"') out += "\\\"";
    else if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else if (c == '\r') out += "\\r";
    else if (c == '\t') out += "\\t";
    else if (c < 0x20) {
      char u[8];
      std::snprintf(u, sizeof u, "\\u%04x", c);
      out += u;
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

// And Boost.JSON reads the text back to the same string.
bool reads_back(std::string_view s, const std::string& text) {
  const auto v = boost::json::parse(text);
  return v.is_string() && std::string_view(v.as_string()) == s;
}

std::string str(std::string_view s) {
  std::string out;
  Writer(out).str(s);
  return out;
}

}  // namespace

TEST_CASE("writer: str escapes exactly what JSON needs, at every position of an 8-byte block",
          "[wire][writer]") {
  CHECK(str("") == "\"\"");
  CHECK(str("plain") == "\"plain\"");
  CHECK(str("a\"b\\c\nd\re\tf") == "\"a\\\"b\\\\c\\nd\\re\\tf\"");
  CHECK(str(std::string_view("\x01\x1f", 2)) == "\"\\u0001\\u001f\"");
  CHECK(str("caf\xc3\xa9 \xe2\x82\xac") == "\"caf\xc3\xa9 \xe2\x82\xac\"");  // UTF-8 as is
  CHECK(str("0123456789abcdef\x7f") == "\"0123456789abcdef\x7f\"");          // DEL needs no escape
  // Each special character at each offset of strings 0..40 long, against the reference.
  const char specials[] = {'"', '\\', '\n', '\x00', '\x1f', ' ', '!', '#', '[', ']', '\x7f'};
  for (std::size_t len = 1; len <= 40; ++len)
    for (std::size_t at = 0; at < len; ++at)
      for (char c : specials) {
        std::string s(len, 'x');
        s[at] = c;
        INFO("length " << len << ", character " << int(c) << " at " << at);
        const std::string text = str(s);
        REQUIRE(text == reference_string(s));
        REQUIRE(reads_back(s, text));
      }
}

TEST_CASE("writer: random text matches the reference serializer", "[wire][writer]") {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<int> len(0, 300), byte(0, 255);
  for (int i = 0; i < 2000; ++i) {
    std::string s(static_cast<std::size_t>(len(rng)), ' ');
    // Mostly printable ASCII, with control characters, quotes and backslashes mixed in.
    for (char& c : s) {
      const int b = byte(rng);
      c = static_cast<char>(b < 16 ? b : b < 24 ? '"' : b < 32 ? '\\' : 32 + b % 95);
    }
    const std::string text = str(s);
    REQUIRE(text == reference_string(s));
    REQUIRE(reads_back(s, text));
  }
}

TEST_CASE("writer: long strings are written block by block, escapes across block seams included",
          "[wire][writer]") {
  // Escapes at and around the writer's 1024-byte input blocks, in strings of several blocks.
  for (const std::size_t len : {1023u, 1024u, 1025u, 2048u, 5000u}) {
    std::string s(len, 'x');
    for (const std::size_t at : {0u, 7u, 8u, 1016u, 1022u, 1023u, 1024u, 1025u, 2047u, 2048u, 4999u})
      if (at < len) s[at] = at % 2 ? '"' : '\x01';
    INFO("length " << len);
    REQUIRE(str(s) == reference_string(s));
  }
  // Every character escaped (\u00XX, six bytes each): the worst case, several blocks long.
  const std::string controls(3000, '\x02');
  REQUIRE(str(controls) == reference_string(controls));
  // A plain string grows the buffer to about its own size, not six times it.
  const std::string plain(1 << 20, 'p');
  std::string out;
  Writer(out).str(plain);
  CHECK(out.size() == plain.size() + 2);
  CHECK(out.capacity() < 3 * plain.size());
}

TEST_CASE("writer: appends to what the string holds, grows past any slack, and writes on after flush",
          "[wire][writer]") {
  std::string out = "[1";  // a container begun elsewhere: the next value is separated
  {
    Writer w(out);
    w.begin_object().key("a").uint(1);
  }
  CHECK(out == "[1,{\"a\":1");
  const std::string big(100000, 'q');  // far past the slack of a fresh string
  {
    Writer w(out);
    w.key("big").str(big).key("n").null();
    w.flush();
    CHECK(out.size() == std::string("[1,{\"a\":1,\"big\":\"\",\"n\":null").size() + big.size());
    w.key("t").boolean(true).key("f").boolean(false).key("i").integer(-42).end_object();
  }
  CHECK(out == "[1,{\"a\":1,\"big\":\"" + big + "\",\"n\":null,\"t\":true,\"f\":false,\"i\":-42}");
  // A reused buffer: cleared, then written again from its start.
  out.clear();
  {
    Writer w(out);
    w.begin_array().num(0.1).num(-2.5e-300).uint(18446744073709551615ULL).end_array();
  }
  CHECK(out == "[0.1,-2.5e-300,18446744073709551615]");
}
