#include <catch2/catch.hpp>

#include "io_test_util.hpp"

using namespace hanzo::hmm;
using namespace hanzo::test;
namespace json = boost::json;

namespace {
template <class M>
const M& as(const io::Model& m) {
  REQUIRE(std::holds_alternative<M>(m));
  return std::get<M>(m);
}

// Equal up to the loader's renormalisation of probability rows, which can move a value by an ulp
// (the core divides each row by its floating-point sum, and that is not idempotent).
void check_rows(const std::vector<std::vector<double>>& a, const std::vector<std::vector<double>>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    REQUIRE(a[i].size() == b[i].size());
    for (std::size_t k = 0; k < a[i].size(); ++k) CHECK(b[i][k] == Approx(a[i][k]).epsilon(1e-15).margin(1e-300));
  }
}

void check_same_chain(const MarkovChain& a, const MarkovChain& b) {
  CHECK(a.states() == b.states());
  check_rows({a.initial_vector()}, {b.initial_vector()});
  check_rows(a.transition_rows(), b.transition_rows());
}

io::Model round_trip(const io::Model& m) {
  auto back = io::parse_model(io::write_model(m));
  REQUIRE(back);
  return std::move(*back);
}
}  // namespace

TEST_CASE("model io: categorical with numeric symbols round-trips", "[io][model]") {
  const auto m = io::load_model(data_path("dice.json")).value();
  const auto& dice = as<io::CategoricalModel>(m);
  CHECK(dice.states() == std::vector<std::string>{"Fair", "Loaded"});
  CHECK(dice.emission().num_symbols() == 6);
  CHECK(dice.emission().probability(1, 5) == 0.5);

  const auto back = round_trip(m);
  const auto& b = as<io::CategoricalModel>(back);
  check_same_chain(dice.chain(), b.chain());
  CHECK(b.emission().symbols() == dice.emission().symbols());
  check_rows(dice.emission().probability_rows(), b.emission().probability_rows());
  // Symbols are written as the numbers they were.
  CHECK(io::model_to_json(back).at("emission").at("symbols") == parse("[1,2,3,4,5,6]"));
}

TEST_CASE("model io: string and mixed symbols keep their JSON types", "[io][model]") {
  const auto m = io::load_model(data_path("weather.json")).value();
  const auto& w = as<io::CategoricalModel>(m);
  REQUIRE(w.emission().num_symbols() == 5);
  // 1 and "1" are two symbols with their own probabilities.
  CHECK(w.emission().symbol_index(io::Symbol::integer(1)).value() == 3);
  CHECK(w.emission().symbol_index(io::Symbol::string("1")).value() == 4);
  CHECK_FALSE(w.emission().symbol_index(io::Symbol::string("rain")));

  const auto back = round_trip(m);
  CHECK(io::model_to_json(back).at("emission").at("symbols") == parse(R"(["walk","shop","clean",1,"1"])"));
  check_rows(w.emission().probability_rows(), as<io::CategoricalModel>(back).emission().probability_rows());
}

TEST_CASE("model io: real-valued symbols round-trip, 1.0 reads as 1", "[io][model]") {
  const auto text = replace(kDice, "[1, 2, 3, 4, 5, 6]", R"([0.1, 2.0, -3.5, "x", 1e300, 7])");
  const auto m = io::parse_model(text).value();
  const auto back = round_trip(m);
  CHECK(io::model_to_json(back).at("emission").at("symbols") == parse(R"([0.1, 2, -3.5, "x", 1e300, 7])"));
}

TEST_CASE("model io: gaussian round-trips", "[io][model]") {
  const auto m = io::load_model(data_path("gaussian.json")).value();
  const auto& g = as<GaussianHmm>(m);
  CHECK(g.emission().dim() == 2);
  CHECK(g.emission().mean(1, 1) == -2.0);
  CHECK(g.emission().variance(1, 0) == 4.0);
  const auto back = round_trip(m);
  const auto& b = as<GaussianHmm>(back);
  check_same_chain(g.chain(), b.chain());
  CHECK(b.emission().mean_rows() == g.emission().mean_rows());
  CHECK(b.emission().variance_rows() == g.emission().variance_rows());
  CHECK(io::model_to_json(back).at("emission").at("type") == "gaussian");
}

TEST_CASE("model io: a fitted model round-trips with full precision", "[io][model]") {
  auto m = io::load_model(data_path("dice.json")).value();
  auto& dice = std::get<io::CategoricalModel>(m);
  std::vector<std::vector<io::Symbol>> seqs{{}};
  for (int r : {6, 6, 6, 1, 2, 3, 6, 6, 5, 4, 6, 1}) seqs[0].push_back(io::Symbol::integer(r));
  REQUIRE(dice.fit(seqs));
  const auto back = io::parse_model(io::write_model(m)).value();
  const auto& b = as<io::CategoricalModel>(back);
  check_rows(dice.emission().probability_rows(), b.emission().probability_rows());
  check_same_chain(dice.chain(), b.chain());
}

TEST_CASE("model io: numbers are written and read back exactly", "[io][model]") {
  // Rows whose floating-point sums are exactly 1 are not touched by renormalisation, so the text
  // round-trips bit for bit, including digits Boost 1.81's own parser would get wrong.
  const std::string text = io::write_model(io::parse_model(replace(kGauss, "[[0, 1], [2, 3]]",
                                                                   "[[0.1234567890123456789, -1e-300], [2, 3]]"))
                                               .value());
  const auto back = io::parse_model(text).value();
  CHECK(io::write_model(back) == text);
  CHECK(std::get<GaussianHmm>(back).emission().mean(0, 0) == 0.1234567890123456789);
  CHECK(std::get<GaussianHmm>(back).emission().mean(0, 1) == -1e-300);
}

TEST_CASE("model io: the fit report key is accepted and ignored", "[io][model]") {
  const auto text = replace(kDice, R"("states")", R"("fit": {"iterations": 3, "anything": [1]}, "states")");
  CHECK(io::parse_model(text));
}

TEST_CASE("model io: output format", "[io][model]") {
  const auto m = io::parse_model(kGauss).value();
  CHECK(io::write_model(m) ==
        R"({"states":["A","B"],"initial":[5E-1,5E-1],"transitions":[[9E-1,1E-1],[2E-1,8E-1]],)"
        R"("emission":{"type":"gaussian","means":[[0E0,1E0],[2E0,3E0]],"variances":[[1E0,5E-1],[2E0,2.5E-1]]}})");
  CHECK(io::state_names(m) == std::vector<std::string>{"A", "B"});
}
