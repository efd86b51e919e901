#include <catch2/catch.hpp>

#include <limits>

#include "io_test_util.hpp"

using hanzo::hmm::io::Symbol;
namespace json = boost::json;

namespace {
Symbol sym(const std::string& json_text) { return Symbol::from_json(hanzo::hmm::io::parse_json(json_text).value()).value(); }
}  // namespace

TEST_CASE("symbol: numbers with the same value are one symbol", "[io][symbol]") {
  CHECK(sym("1") == sym("1.0"));
  CHECK(sym("1") == sym("1e0"));
  CHECK(sym("1") == sym("10e-1"));
  CHECK(sym("0") == sym("-0.0"));
  CHECK(sym("1").key() == "1");
  CHECK(sym("1.0").kind() == Symbol::Kind::integer);
  CHECK(std::hash<Symbol>{}(sym("1")) == std::hash<Symbol>{}(sym("1.0")));
  CHECK(sym("-42").key() == "-42");
}

TEST_CASE("symbol: number 1 and string \"1\" are different", "[io][symbol]") {
  CHECK_FALSE(sym("1") == sym("\"1\""));
  CHECK(sym("\"1\"").key() == "\"1\"");
  CHECK(sym("\"1\"").kind() == Symbol::Kind::string);
  CHECK_FALSE(sym("\"a\"") == sym("\"b\""));
}

TEST_CASE("symbol: canonical keys of non-integral and huge numbers", "[io][symbol]") {
  CHECK(sym("0.1").key() == "0.10000000000000001");
  CHECK(sym("0.1").text() == "0.1");
  CHECK(sym("1.5").key() == "1.5");
  CHECK(sym("9223372036854775807").key() == "9223372036854775807");  // int64 max stays exact
  CHECK(sym("-9223372036854775808").key() == "-9223372036854775808");
  // 2^63 is outside int64: a real, the same whether written as an integer or not.
  CHECK(sym("9223372036854775808").kind() == Symbol::Kind::real);
  CHECK(sym("9223372036854775808") == sym("9.223372036854775808e18"));
  CHECK(sym("1e300").kind() == Symbol::Kind::real);
}

TEST_CASE("symbol: written back as the JSON value it was", "[io][symbol]") {
  CHECK(sym("7").to_json() == json::value(7));
  CHECK(sym("7.0").to_json() == json::value(7));
  CHECK(sym("2.5").to_json() == json::value(2.5));
  CHECK(sym("\"7\"").to_json() == json::value("7"));
  CHECK(sym("\"a\\\"b\"").to_json() == json::value("a\"b"));
  CHECK(sym("\"a\\\"b\"").text() == "\"a\\\"b\"");
}

TEST_CASE("symbol: only finite numbers and strings", "[io][symbol]") {
  for (const char* bad : {"null", "true", "[1]", "{}"}) {
    auto s = Symbol::from_json(hanzo::hmm::io::parse_json(bad).value());
    REQUIRE_FALSE(s);
    CHECK(s.error().message.rfind("expected a number or a string, got ", 0) == 0);
  }
  auto inf = Symbol::from_json(hanzo::hmm::io::parse_json("1e999").value());
  REQUIRE_FALSE(inf);
  CHECK(inf.error().message == "symbol inf is not a finite number");
}
