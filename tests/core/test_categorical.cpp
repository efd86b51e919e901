// Categorical emissions: validation of symbols and emission rows, observation errors that name
// the position, labels of different types.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "check_error.hpp"
#include "hanzo/hmm/hmm.hpp"

using namespace hanzo::hmm;
using Rows = std::vector<std::vector<double>>;

namespace {
const double kNaN = std::nan("");
const Rows kA{{0.9, 0.1}, {0.2, 0.8}};

Error cat_error(std::vector<std::string> symbols, const Rows& emission) {
  auto r = make_categorical_hmm<std::string>({"s", "t"}, std::move(symbols), {0.5, 0.5}, kA, emission);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}
}  // namespace

TEST_CASE("categorical: construction errors name the field, row and column", "[core][categorical][errors]") {
  const Rows ok{{0.5, 0.5, 0.0}, {0.1, 0.1, 0.8}};
  check_error(cat_error({}, {{}, {}}), Errc::invalid_dimension, "symbols", -1, -1);
  const Error dup = cat_error({"x", "y", "x"}, ok);
  check_error(dup, Errc::duplicate_label, "symbols[2]", 2, -1);
  check_error(cat_error({"x", "y", "z"}, {ok[0]}), Errc::invalid_dimension, "emission", -1, -1);
  check_error(cat_error({"x", "y", "z"}, {ok[0], ok[1], ok[1]}), Errc::invalid_dimension, "emission", -1, -1);
  check_error(cat_error({"x", "y", "z"}, {ok[0], {0.5, 0.5}}), Errc::invalid_dimension, "emission[1]", 1, -1);
  for (double bad : {-0.25, 1.25, kNaN, std::numeric_limits<double>::infinity()}) {
    INFO("value " << bad);
    check_error(cat_error({"x", "y", "z"}, {ok[0], {0.1, bad, 0.9 - bad}}), Errc::invalid_probability,
                "emission[1][1]", 1, 1);
  }
  check_error(cat_error({"x", "y", "z"}, {{0.5, 0.5, 2e-6}, ok[1]}), Errc::not_normalised, "emission[0]", 0, -1);
  CHECK(make_categorical_hmm<std::string>({"s", "t"}, {"x", "y", "z"}, {0.5, 0.5}, kA, {{0.5, 0.5, 5e-7}, ok[1]})
            .has_value());
  // Chain errors surface through the same constructor.
  auto r = make_categorical_hmm<int>({"s", "s"}, {1, 2}, {0.5, 0.5}, kA, {{0.5, 0.5}, {0.5, 0.5}});
  REQUIRE_FALSE(r.has_value());
  check_error(r.error(), Errc::duplicate_label, "states[1]", 1, -1);
}

TEST_CASE("categorical: an unknown symbol is reported with its position and value", "[core][categorical][errors]") {
  const auto m =
      make_categorical_hmm<std::string>({"s", "t"}, {"sun", "rain"}, {0.5, 0.5}, kA, {{0.8, 0.2}, {0.3, 0.7}}).value();
  const std::vector<std::string> obs{"sun", "rain", "snow", "sun"};
  for (const Error& e : {m.forward(obs).error(), m.viterbi(obs).error(), m.posteriors(obs).error(),
                         m.backward(obs).error(), m.encode(obs).error()}) {
    check_error(e, Errc::unknown_symbol, "observations[2]", -1, 2);
    CHECK(e.message.find("\"snow\"") != std::string::npos);
  }
  const auto mi = make_categorical_hmm<int>({"s", "t"}, {10, 20}, {0.5, 0.5}, kA, {{0.8, 0.2}, {0.3, 0.7}}).value();
  const Error e = mi.forward(std::vector<int>{10, 20, 20, 20, 30}).error();
  check_error(e, Errc::unknown_symbol, "observations[4]", -1, 4);
  CHECK(e.message.find("30") != std::string::npos);
  CHECK(mi.emission().symbol_index(20).value() == 1);
  CHECK(mi.emission().symbol_index(21).error().code == Errc::unknown_symbol);
}

TEST_CASE("categorical: labels map to columns in the order given", "[core][categorical]") {
  // The same model with labels in another order gives the same likelihood for relabelled data.
  const auto a = make_categorical_hmm<std::string>({"s", "t"}, {"x", "y", "z"}, {0.3, 0.7}, kA,
                                                   {{0.5, 0.3, 0.2}, {0.1, 0.2, 0.7}})
                     .value();
  const auto b = make_categorical_hmm<char>({"s", "t"}, {'z', 'x', 'y'}, {0.3, 0.7}, kA,
                                            {{0.2, 0.5, 0.3}, {0.7, 0.1, 0.2}})
                     .value();
  CHECK(a.emission().num_symbols() == 3);
  CHECK(a.emission().probability(1, 2) == 0.7);
  CHECK(a.emission().probability_rows() == Rows{{0.5, 0.3, 0.2}, {0.1, 0.2, 0.7}});
  CHECK(b.emission().symbols() == std::vector<char>{'z', 'x', 'y'});
  const std::vector<std::string> sa{"x", "z", "z", "y", "x"};
  const std::vector<char> sb{'x', 'z', 'z', 'y', 'x'};
  CHECK(a.forward(sa).value() == Approx(b.forward(sb).value()).epsilon(1e-15));
  CHECK(a.viterbi(sa).value().path == b.viterbi(sb).value().path);
}
