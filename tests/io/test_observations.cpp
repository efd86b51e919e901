#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "io_test_util.hpp"

using namespace hanzo::hmm;
using namespace hanzo::test;
namespace json = boost::json;

namespace {
const io::Model& dice() {
  static const io::Model m = io::parse_model(kDice).value();
  return m;
}
const io::Model& weather() {
  static const io::Model m = io::load_model(data_path("weather.json")).value();
  return m;
}
const io::Model& gauss() {
  static const io::Model m = io::parse_model(kGauss).value();
  return m;
}
std::string obs_error(const std::string& text, const io::Model& m) { return error_text(io::parse_observations(text, m)); }
}  // namespace

TEST_CASE("observations: categorical sequences are encoded", "[io][obs]") {
  const auto s = io::parse_observations("[[6, 6, 1.0], [], [2e0]]", dice()).value();
  const auto& seqs = std::get<io::CategoricalSequences>(s);
  REQUIRE(seqs.size() == 3);
  CHECK(seqs[0] == std::vector<std::uint32_t>{5, 5, 0});
  CHECK(seqs[1].empty());
  CHECK(seqs[2] == std::vector<std::uint32_t>{1});
  CHECK(io::total_steps(s) == 4);
}

TEST_CASE("observations: number and string symbols are told apart", "[io][obs]") {
  const auto s = io::parse_observations(R"([["walk", 1, "1", 1.0, "shop"]])", weather()).value();
  CHECK(std::get<io::CategoricalSequences>(s)[0] == std::vector<std::uint32_t>{0, 3, 4, 3, 1});
  CHECK(obs_error(R"([["walk", "2"]])", weather()) == R"(sequence 0, observations[1]: unknown symbol "2")");
  CHECK(obs_error(R"([[1, "1"]])", dice()) == R"(sequence 0, observations[1]: unknown symbol "1")");
}

TEST_CASE("observations: gaussian vectors are encoded", "[io][obs]") {
  const auto s = io::parse_observations("[[[0.5, 1], [2, -3]], [[1e-3, 4]]]", gauss()).value();
  const auto& seqs = std::get<io::GaussianSequences>(s);
  REQUIRE(seqs.size() == 2);
  CHECK(seqs[0].dim == 2);
  CHECK(seqs[0].values == std::vector<double>{0.5, 1, 2, -3});
  CHECK(seqs[1].values == std::vector<double>{1e-3, 4});
  CHECK(io::total_steps(s) == 3);
}

TEST_CASE("observations: errors name the sequence and position", "[io][obs][errors]") {
  CHECK(obs_error("[[1, 2], [3], [1, 2, 3, 4, 5, 7]]", dice()) == "sequence 2, observations[5]: unknown symbol 7");
  CHECK(io::parse_observations("[[7]]", dice()).error().code == Errc::unknown_symbol);
  CHECK(obs_error("[[1, 2.5]]", dice()) == "sequence 0, observations[1]: unknown symbol 2.5");
  CHECK(obs_error("[[1, null]]", dice()) == "sequence 0, observations[1]: expected a number or a string, got null");
  CHECK(obs_error(R"({"sequences": []})", dice()) == "expected a JSON array of sequences, got object");
  CHECK(obs_error("[[1], 2]", dice()) == "sequence 1: expected an array of observations, got number");
  CHECK(obs_error("[[1], [2]", dice()) == "line 1, column 10: incomplete JSON");
}

TEST_CASE("observations: gaussian errors", "[io][obs][errors]") {
  CHECK(obs_error("[[[0, 1]], [[0, 1, 2]]]", gauss()) == "sequence 1, observations[0]: has 3 values, expected 2");
  CHECK(io::parse_observations("[[[0, 1, 2]]]", gauss()).error().code == Errc::wrong_dimension);
  CHECK(obs_error("[[[0, 1], 5]]", gauss()) == "sequence 0, observations[1]: expected an array of 2 numbers, got number");
  CHECK(obs_error(R"([[[0, "1"]]])", gauss()) == "sequence 0, observations[0][1]: expected a number, got string");
  CHECK(obs_error("[[[0, 1], [1e999, 0]]]", gauss()) == "sequence 0, observations[1][0]: value is not finite");
  CHECK(obs_error("[[1, 2]]", gauss()) == "sequence 0, observations[0]: expected an array of 2 numbers, got number");
}

TEST_CASE("observations: single observations for the filter", "[io][obs]") {
  const auto& d = std::get<io::CategoricalModel>(dice());
  CHECK(io::observation_from_json(json::value(6), d).value() == io::Symbol::integer(6));
  CHECK(error_text(io::observation_from_json(json::value(7), d)) == "observation: unknown symbol 7");
  const auto& g = std::get<GaussianHmm>(gauss());
  CHECK(io::observation_from_json(parse("[1, 2]"), g).value() == std::vector<double>{1, 2});
  CHECK(error_text(io::observation_from_json(parse("[1]"), g)) == "observation: has 1 values, expected 2");
  CHECK(error_text(io::observation_from_json(parse("[1, {}]"), g)) ==
        "observation[1]: expected a number, got object");
}

TEST_CASE("observations: files name themselves", "[io][obs][errors]") {
  const auto dir = std::filesystem::temp_directory_path() / "hanzo_io_test_obs";
  std::filesystem::create_directories(dir);
  const auto path = dir / "obs.json";
  std::ofstream(path) << "[[1, 2, 3, 7]]";
  CHECK(error_text(io::load_observations(path, dice())) == path.string() + ": sequence 0, observations[3]: unknown symbol 7");
  CHECK(io::load_observations(dir / "none.json", dice()).error().code == Errc::io_error);
  std::filesystem::remove_all(dir);
}

TEST_CASE("observations: written as the model's symbols and vectors", "[io][obs]") {
  const std::vector<io::Symbol> syms{io::Symbol::integer(3), io::Symbol::string("3"), io::Symbol::number(0.5)};
  CHECK(io::to_text(io::observations_to_json(syms)) == R"([3,"3",5E-1])");
  CHECK(io::to_text(io::observations_to_json(std::vector<std::vector<double>>{{1, 2}, {3, 4}})) ==
        "[[1E0,2E0],[3E0,4E0]]");
}
