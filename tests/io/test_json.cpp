#include <catch2/catch.hpp>

#include <charconv>
#include <cstring>
#include <limits>
#include <random>

#include "io_test_util.hpp"

using namespace hanzo::hmm;
using namespace hanzo::test;
namespace json = boost::json;

TEST_CASE("json: numbers parse to the nearest double (Boost 1.81's parser does not)", "[io][json]") {
  std::mt19937_64 gen(7);
  int checked = 0;
  while (checked < 20000) {
    const std::uint64_t bits = gen();
    double d;
    std::memcpy(&d, &bits, sizeof d);
    if (!std::isfinite(d)) continue;
    char buf[64];
    auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::general, 17);
    const auto v = io::parse_json(std::string(buf, r.ptr)).value();
    if (!v.is_double()) continue;  // an integral value short enough to read as an integer
    REQUIRE(v.get_double() == d);
    // And what we write reads back bit for bit.
    REQUIRE(io::parse_json(io::to_text(v)).value().get_double() == d);
    ++checked;
  }
}

TEST_CASE("json: out-of-range numbers", "[io][json]") {
  CHECK(io::parse_json("1e999").value().get_double() == std::numeric_limits<double>::infinity());
  CHECK(io::parse_json("-1e999").value().get_double() == -std::numeric_limits<double>::infinity());
  CHECK(io::parse_json("1e-999").value().get_double() == 0.0);
  CHECK(io::parse_json("4.9406564584124654e-324").value().get_double() == std::numeric_limits<double>::denorm_min());
  CHECK(io::parse_json("18446744073709551615").value().is_uint64());
}

TEST_CASE("json: malformed text is located by line and column", "[io][json]") {
  CHECK(error_text(io::parse_json("[1,\n 2,\n x]")) == "line 3, column 2: syntax error");
  CHECK(error_text(io::parse_json("{\"a\": 1,\n\"b\" 2}")) == "line 2, column 5: syntax error");
  CHECK(error_text(io::parse_json("[1, 2")) == "line 1, column 6: incomplete JSON");
  CHECK(error_text(io::parse_json("[1] [2]")) == "line 1, column 5: unexpected data after the JSON value");
  CHECK(error_text(io::parse_json(" \n ")) == "line 2, column 2: no JSON value (the input is empty)");
  auto e = io::parse_json("\n\n  @");
  REQUIRE_FALSE(e);
  CHECK(e.error().code == Errc::parse_error);
  CHECK(e.error().row == 3);
  CHECK(e.error().col == 3);
}

TEST_CASE("json: a key repeated in one object is an error", "[io][json]") {
  // Located at the end of the repeated key.
  CHECK(error_text(io::parse_json(R"({"a": 1, "a": 2})")) == "line 1, column 12: duplicate key \"a\"");
  // The same key in different objects is fine.
  CHECK(io::parse_json(R"([{"a": 1}, {"a": 2, "b": {"a": 3}}])"));
  // An inner object's keys are forgotten when it closes; the outer one's are not.
  CHECK(io::parse_json(R"({"a": 1, "o": {"b": 1, "c": 2}, "b": 2, "c": 3})"));
  CHECK(error_text(io::parse_json(R"({"a": 1, "o": {"x": 1}, "a": 3})")) == "line 1, column 27: duplicate key \"a\"");
  // Large objects (past the linear scan): a repeat of an early key, a late key, and none.
  auto object = [](std::size_t n, const std::string& extra) {
    std::string text = "{";
    for (std::size_t i = 0; i < n; ++i) text += "\"key-number-" + std::to_string(i) + "\": " + std::to_string(i) + ",";
    return text + extra + "}";
  };
  for (const std::size_t n : {15u, 16u, 17u, 40u, 1000u}) {
    INFO(n);
    CHECK(io::parse_json(object(n, R"("last": 0)")));
    CHECK_THAT(error_text(io::parse_json(object(n, R"("key-number-3": 0)"))), Catch::EndsWith("duplicate key \"key-number-3\""));
    const std::string late = "key-number-" + std::to_string(n - 1);
    CHECK_THAT(error_text(io::parse_json(object(n, "\"" + late + "\": 0"))), Catch::EndsWith("duplicate key \"" + late + "\""));
    // An inner object (small or large) inside a large one: its keys may repeat the outer's,
    // are forgotten when it closes, and the outer one's keys, early and late, still count.
    for (const std::size_t inner : {3u, 20u}) {
      const std::string nested = "\"o\": " + object(inner, R"("key-number-1": 0)");
      CHECK_THAT(error_text(io::parse_json(object(n, nested))), Catch::EndsWith("duplicate key \"key-number-1\""));
      const std::string ok_inner = "\"o\": " + object(inner, R"("last": 0)");
      CHECK(io::parse_json(object(n, ok_inner + ", \"after\": 1")));
      CHECK_THAT(error_text(io::parse_json(object(n, ok_inner + ", \"" + late + "\": 1"))),
                 Catch::EndsWith("duplicate key \"" + late + "\""));
      CHECK_THAT(error_text(io::parse_json(object(n, ok_inner + ", \"o\": 1"))), Catch::EndsWith("duplicate key \"o\""));
    }
  }
}

TEST_CASE("json: -inf and other non-finite numbers are written as null", "[io][json]") {
  const double inf = std::numeric_limits<double>::infinity();
  CHECK(io::number_to_json(-inf).is_null());
  CHECK(io::number_to_json(std::nan("")).is_null());
  const std::vector<double> xs{0.5, -inf, -2.0};
  CHECK(io::to_text(io::numbers_to_json(xs)) == "[5E-1,null,-2E0]");
  Matrix m(2, 2, -inf);
  m(0, 0) = 0.0;
  CHECK(io::to_text(io::matrix_to_json(m)) == "[[0E0,null],[null,null]]");
}

TEST_CASE("json: unreadable files are io errors naming the file", "[io][json]") {
  auto missing = io::read_file("no/such/file.json");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::io_error);
  CHECK(missing.error().to_string() == "no/such/file.json: cannot read file: No such file or directory");
  auto dir = io::read_file(HANZO_DATA_DIR);
  REQUIRE_FALSE(dir);
  CHECK(dir.error().to_string() == std::string(HANZO_DATA_DIR) + ": cannot read file: Is a directory");
  CHECK(io::read_file(data_path("dice.json")).value().find("Loaded") != std::string::npos);
}
