// MarkovChain validation: every error names its field, row and column; the row-sum tolerance
// boundary; exact renormalisation of accepted rows; Errc names and Result misuse.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "check_error.hpp"
#include "hanzo/hmm/hmm.hpp"

using namespace hanzo::hmm;
using Rows = std::vector<std::vector<double>>;

namespace {
constexpr double kInf = std::numeric_limits<double>::infinity();
const double kNaN = std::nan("");

Error chain_error(std::vector<std::string> states, const std::vector<double>& pi, const Rows& a) {
  auto r = MarkovChain::create(std::move(states), pi, a);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}
const Rows kA{{0.5, 0.5, 0.0}, {0.1, 0.8, 0.1}, {0.0, 0.0, 1.0}};
const std::vector<std::string> kS{"a", "b", "c"};
const std::vector<double> kPi{0.2, 0.3, 0.5};
}  // namespace

TEST_CASE("chain: size errors", "[core][chain][errors]") {
  check_error(chain_error({}, {}, {}), Errc::invalid_dimension, "states", -1, -1);
  check_error(chain_error(kS, {0.5, 0.5}, kA), Errc::invalid_dimension, "initial", -1, -1);
  check_error(chain_error(kS, kPi, {{1.0, 0.0, 0.0}, {0.0, 1.0, 0.0}}), Errc::invalid_dimension, "transitions", -1, -1);
  check_error(chain_error(kS, kPi, {{1.0, 0.0, 0.0}, {0.0, 1.0}, {0.0, 0.0, 1.0}}), Errc::invalid_dimension,
              "transitions[1]", 1, -1);
  check_error(chain_error(kS, kPi, {{1.0, 0.0, 0.0}, {0.0, 1.0, 0.0}, {0.0, 0.0, 0.5, 0.5}}),
              Errc::invalid_dimension, "transitions[2]", 2, -1);
  // More states than the 16-bit Viterbi back-pointers can index (checked before anything else).
  std::vector<std::string> many;
  for (std::size_t i = 0; i <= kMaxStates; ++i) many.push_back("s" + std::to_string(i));
  check_error(chain_error(many, {}, {}), Errc::invalid_dimension, "states", -1, -1);
}

TEST_CASE("chain: state names must be non-empty and unique", "[core][chain][errors]") {
  check_error(chain_error({"a", "", "c"}, kPi, kA), Errc::invalid_value, "states[1]", 1, -1);
  const Error dup = chain_error({"a", "b", "a"}, kPi, kA);
  check_error(dup, Errc::duplicate_label, "states[2]", 2, -1);
  CHECK(dup.message.find("\"a\"") != std::string::npos);
}

TEST_CASE("chain: probabilities outside [0, 1], NaN and infinities", "[core][chain][errors]") {
  for (double bad : {-0.1, 1.5, kNaN, kInf, -kInf, -1e-300}) {
    INFO("value " << bad);
    check_error(chain_error(kS, {0.2, bad, 0.8 - bad}, kA), Errc::invalid_probability, "initial[1]", -1, 1);
    Rows a = kA;
    a[1][2] = bad;
    check_error(chain_error(kS, kPi, a), Errc::invalid_probability, "transitions[1][2]", 1, 2);
  }
  // The message shows the offending value.
  Rows a = kA;
  a[2][0] = 1.25;
  CHECK(chain_error(kS, kPi, a).message.find("1.25") != std::string::npos);
}

TEST_CASE("chain: rows must sum to 1 within 1e-6", "[core][chain][errors]") {
  // 1 + 5e-7 and 1 - 5e-7 are accepted; 1 + 2e-6 and 1 - 2e-6 are not.
  for (double delta : {5e-7, -5e-7}) {
    INFO("delta " << delta);
    auto c = MarkovChain::create(kS, {0.2, 0.3, 0.5 + delta}, {{0.5, 0.5 + delta, 0.0}, kA[1], kA[2]});
    REQUIRE(c.has_value());
    // Accepted rows are renormalised exactly, so no mass leaks step after step.
    double pi = 0.0, row = 0.0;
    for (std::size_t j = 0; j < 3; ++j) pi += c->initial(j), row += c->transition(0, j);
    CHECK(std::fabs(pi - 1.0) <= 2e-16);
    CHECK(std::fabs(row - 1.0) <= 2e-16);
    CHECK(c->initial(2) == Approx((0.5 + delta) / (1.0 + delta)).epsilon(1e-15));
  }
  for (double delta : {2e-6, -2e-6}) {
    INFO("delta " << delta);
    const Error e = chain_error(kS, {0.2, 0.3, 0.5 + delta}, kA);
    check_error(e, Errc::not_normalised, "initial", -1, -1);
    CHECK(e.message.find(delta > 0 ? "1.000002" : "0.999998") != std::string::npos);
    check_error(chain_error(kS, kPi, {kA[0], kA[1], {0.5 + delta, 0.0, 0.5}}), Errc::not_normalised, "transitions[2]", 2, -1);
  }
  check_error(chain_error(kS, {0.0, 0.0, 0.0}, kA), Errc::not_normalised, "initial", -1, -1);
}

TEST_CASE("chain: accessors return the validated parameters", "[core][chain]") {
  const auto c = MarkovChain::create(kS, kPi, kA).value();
  CHECK(c.size() == 3);
  CHECK(c.padded_size() == 8);
  CHECK(c.states() == kS);
  CHECK(c.initial_vector() == kPi);
  CHECK(c.transition_rows() == kA);
  CHECK(c.transition(1, 2) == 0.1);
  // Padding is zero in probability views and -inf in log views.
  for (std::size_t j = 3; j < 8; ++j) {
    CHECK(c.pi()[j] == 0.0);
    CHECK(c.log_pi()[j] == -kInf);
    CHECK(c.a()[j] == 0.0);
    CHECK(c.log_a()[j] == -kInf);
  }
  CHECK(c.log_a()[0 * 8 + 2] == -kInf);  // structural zero
  CHECK(c.a_transposed()[2 * 8 + 1] == 0.1);  // A^T[2][1] = A[1][2]
}

TEST_CASE("errors: every code has its name - Result misuse throws with the message", "[core][errors]") {
  const std::pair<Errc, const char*> names[] = {
      {Errc::invalid_dimension, "invalid_dimension"}, {Errc::invalid_probability, "invalid_probability"},
      {Errc::not_normalised, "not_normalised"},       {Errc::invalid_variance, "invalid_variance"},
      {Errc::invalid_value, "invalid_value"},         {Errc::duplicate_label, "duplicate_label"},
      {Errc::unknown_symbol, "unknown_symbol"},       {Errc::wrong_dimension, "wrong_dimension"},
      {Errc::empty_sequence, "empty_sequence"},       {Errc::impossible_sequence, "impossible_sequence"},
      {Errc::parse_error, "parse_error"},             {Errc::io_error, "io_error"}};
  for (const auto& [code, name] : names) CHECK(std::string(to_string(code)) == name);
  const auto r = MarkovChain::create({"a"}, {0.5}, {{1.0}});
  REQUIRE_FALSE(r.has_value());
  try {
    (void)r.value();
    FAIL("value() of a failed Result must throw");
  } catch (const BadResultAccess& e) {
    CHECK(std::string(e.what()).find("initial: sums to 0.5") != std::string::npos);
  }
}
