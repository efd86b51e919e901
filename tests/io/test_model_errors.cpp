// Every loader error names the JSON path of the problem.
#include <catch2/catch.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "io_test_util.hpp"

using namespace hanzo::hmm;
using namespace hanzo::test;

namespace {
std::string load_error(const std::string& text) { return error_text(io::parse_model(text)); }
Errc load_code(const std::string& text) { return io::parse_model(text).error().code; }
}  // namespace

TEST_CASE("model errors: the valid bases load", "[io][model][errors]") {
  CHECK(load_error(kDice) == "ok");
  CHECK(load_error(kGauss) == "ok");
}

TEST_CASE("model errors: malformed JSON gives line and column", "[io][model][errors]") {
  CHECK(load_error("{\"states\": [\"A\"],\n \"initial\": [1.0,,") == "line 2, column 18: syntax error");
  CHECK(load_code("{") == Errc::parse_error);
  CHECK(load_error(replace(kDice, R"("initial")", R"("states": [], "initial")")).find("duplicate key \"states\"") !=
        std::string::npos);
}

TEST_CASE("model errors: structure", "[io][model][errors]") {
  CHECK(load_error("[1, 2]") == "expected a JSON object (the model), got array");
  CHECK(load_error(replace(kDice, R"("transitions": [[0.7, 0.3], [0.4, 0.6]], )", "")) ==
        "transitions: required key is missing");
  CHECK(load_error(replace(kDice, R"("transitions")", R"("transition")")) ==
        "transition: unknown key (did you mean \"transitions\"?)");
  CHECK(load_error(replace(kDice, R"("states")", R"("colour": 1, "states")")) ==
        R"(colour: unknown key (expected one of "states", "initial", "transitions", "emission", "fit"))");
  CHECK(load_error(replace(kDice, R"("states")", R"("": 1, "states")")).rfind(R"("": unknown key)", 0) == 0);
  CHECK(load_error(replace(kDice, R"({"type": "categorical", )", R"({"type": "categorical", "weights": 1, )")) ==
        R"(emission.weights: unknown key (expected one of "type", "symbols", "probabilities"))");
  CHECK(load_error(replace(kDice, R"("symbols": [1, 2, 3, 4, 5, 6], )", "")) ==
        "emission.symbols: required key is missing");
  CHECK(load_error(replace(kGauss, R"("means")", R"("mean")")) == R"(emission.mean: unknown key (did you mean "means"?))");
}

TEST_CASE("model errors: wrong JSON types", "[io][model][errors]") {
  CHECK(load_error(replace(kDice, R"(["Fair", "Loaded"])", R"(["Fair", 2])")) == "states[1]: expected a string, got number");
  CHECK(load_error(replace(kDice, R"("initial": [0.5, 0.5])", R"("initial": "uniform")")) ==
        "initial: expected an array of numbers, got string");
  CHECK(load_error(replace(kDice, "[0.4, 0.6]", R"([0.4, "0.6"])")) == "transitions[1][1]: expected a number, got string");
  CHECK(load_error(replace(kDice, "[[0.7, 0.3], [0.4, 0.6]]", "[[0.7, 0.3], 1]")) ==
        "transitions[1]: expected an array of numbers, got number");
  CHECK(load_error(replace(kDice, R"("emission": {)", R"("emission": [], "x": {)")) ==
        R"(x: unknown key (expected one of "states", "initial", "transitions", "emission", "fit"))");
  CHECK(load_error(replace(kGauss, R"("emission": {"type": "gaussian", "means": [[0, 1], [2, 3]], "variances": [[1, 0.5], [2, 0.25]]})",
                           R"("emission": null)")) == "emission: expected an object, got null");
  CHECK(load_error(replace(kDice, R"("categorical")", R"("poisson")")) ==
        R"(emission.type: must be "categorical" or "gaussian")");
  CHECK(load_error(replace(kDice, R"("type": "categorical", )", "")) == "emission.type: required key is missing");
  CHECK(load_error(replace(kDice, "[1, 2, 3, 4, 5, 6]", "[1, 2, 3, 4, 5, null]")) ==
        "emission.symbols[5]: expected a number or a string, got null");
  CHECK(load_error(replace(kDice, "[1, 2, 3, 4, 5, 6]", "[1, 2, 3, 4, 5, 1e999]")) ==
        "emission.symbols[5]: symbol inf is not a finite number");
  CHECK(load_error(replace(kGauss, "[[0, 1], [2, 3]]", "[[0, 1], [2, true]]")) ==
        "emission.means[1][1]: expected a number, got boolean");
}

TEST_CASE("model errors: invalid probabilities", "[io][model][errors]") {
  CHECK(load_error(replace(kDice, "[0.4, 0.6]", "[0.4, 1.5]")) ==
        "transitions[1][1]: probability 1.5 is not a finite number in [0, 1]");
  CHECK(load_code(replace(kDice, "[0.4, 0.6]", "[0.4, 1.5]")) == Errc::invalid_probability);
  CHECK(load_error(replace(kDice, "[0.4, 0.6]", "[-0.4, 1.4]")) ==
        "transitions[1][0]: probability -0.4 is not a finite number in [0, 1]");
  CHECK(load_error(replace(kDice, "[0.5, 0.5]", "[0.5, 1e999]")) ==
        "initial[1]: probability inf is not a finite number in [0, 1]");
  CHECK(load_error(replace(kDice, "[0.1, 0.1, 0.1, 0.1, 0.1, 0.5]", "[0.1, 0.1, 0.1, 0.1, 0.1, 2]")) ==
        "emission.probabilities[1][5]: probability 2 is not a finite number in [0, 1]");
}

TEST_CASE("model errors: rows that do not sum to 1", "[io][model][errors]") {
  CHECK(load_error(replace(kDice, "[0.7, 0.3]", "[0.7, 0.2]")) == "transitions[0]: sums to 0.9, must sum to 1 within 1e-6");
  CHECK(load_code(replace(kDice, "[0.7, 0.3]", "[0.7, 0.2]")) == Errc::not_normalised);
  CHECK(load_error(replace(kDice, "[0.5, 0.5]", "[0.5, 0.6]")) == "initial: sums to 1.1, must sum to 1 within 1e-6");
  CHECK(load_error(replace(kDice, "[0.1, 0.1, 0.1, 0.1, 0.1, 0.5]", "[0.1, 0.1, 0.1, 0.1, 0.1, 0.4]")) ==
        "emission.probabilities[1]: sums to 0.9, must sum to 1 within 1e-6");
}

TEST_CASE("model errors: dimensions", "[io][model][errors]") {
  CHECK(load_error(replace(kDice, "[0.5, 0.5]", "[1]")) == "initial: has 1 entries, expected 2 (one per state)");
  CHECK(load_error(replace(kDice, "[0.4, 0.6]", "[0.4, 0.6, 0]")) == "transitions[1]: has 3 columns, expected 2");
  CHECK(load_error(replace(kDice, ", [0.1, 0.1, 0.1, 0.1, 0.1, 0.5]]", "]")) ==
        "emission.probabilities: has 1 rows, expected 2 (one per state)");
  CHECK(load_error(replace(kDice, "[0.1, 0.1, 0.1, 0.1, 0.1, 0.5]", "[0.1, 0.1, 0.1, 0.2, 0.6]")) ==
        "emission.probabilities[1]: has 5 entries, expected 6 (one per symbol)");
  CHECK(load_error(replace(kDice, "[1, 2, 3, 4, 5, 6]", "[]")) == "emission.symbols: at least one symbol is required");
  CHECK(load_error(replace(kDice, R"(["Fair", "Loaded"])", "[]")) == "states: at least one state is required");
  CHECK(load_error(replace(kGauss, "[[0, 1], [2, 3]]", "[[0, 1], [2]]")) == "emission.means[1]: has 1 entries, expected 2");
  CHECK(load_error(replace(kGauss, "[[1, 0.5], [2, 0.25]]", "[[1, 0.5]]")) ==
        "emission.variances: has 1 rows, expected 2 (one per state)");
}

TEST_CASE("model errors: duplicates", "[io][model][errors]") {
  CHECK(load_error(replace(kDice, R"(["Fair", "Loaded"])", R"(["Fair", "Fair"])")) == R"(states[1]: duplicate label "Fair")");
  CHECK(load_code(replace(kDice, R"(["Fair", "Loaded"])", R"(["Fair", "Fair"])")) == Errc::duplicate_label);
  CHECK(load_error(replace(kDice, "[1, 2, 3, 4, 5, 6]", "[1, 2, 3, 4, 5, 1.0]")) ==
        "emission.symbols[5]: duplicate symbol 1 (same as emission.symbols[0])");
  CHECK(load_error(replace(kDice, "[1, 2, 3, 4, 5, 6]", R"(["a", 2, 3, 4, 5, "a"])")) ==
        R"(emission.symbols[5]: duplicate symbol "a" (same as emission.symbols[0]))");
  // ... but 1 and "1" are two symbols.
  CHECK(load_error(replace(kDice, "[1, 2, 3, 4, 5, 6]", R"([1, "1", 3, 4, 5, 6])")) == "ok");
}

TEST_CASE("model errors: variances", "[io][model][errors]") {
  CHECK(load_error(replace(kGauss, "[2, 0.25]", "[0, 0.25]")) == "emission.variances[1][0]: variance 0 must be finite and > 0");
  CHECK(load_error(replace(kGauss, "[2, 0.25]", "[2, -1]")) == "emission.variances[1][1]: variance -1 must be finite and > 0");
  CHECK(load_code(replace(kGauss, "[2, 0.25]", "[2, -1]")) == Errc::invalid_variance);
  CHECK(load_error(replace(kGauss, "[[0, 1], [2, 3]]", "[[0, 1], [2, -1e999]]")) == "emission.means[1][1]: mean is not finite");
}

TEST_CASE("model errors: files name themselves", "[io][model][errors]") {
  const auto dir = std::filesystem::temp_directory_path() / "hanzo_io_test_model_errors";
  std::filesystem::create_directories(dir);
  const auto path = dir / "model.json";
  std::ofstream(path) << replace(kDice, "[0.4, 0.6]", "[0.4, 1.5]");
  CHECK(error_text(io::load_model(path)) ==
        path.string() + ": transitions[1][1]: probability 1.5 is not a finite number in [0, 1]");
  std::ofstream(path) << "{\n  \"states\": [\"A\"]\n  \"initial\": [1]}";
  CHECK(error_text(io::load_model(path)) == path.string() + ": line 3, column 3: syntax error");
  const auto missing = io::load_model(dir / "missing.json");
  CHECK(missing.error().code == Errc::io_error);
  CHECK(error_text(missing) == (dir / "missing.json").string() + ": cannot read file: No such file or directory");
  std::filesystem::remove_all(dir);
}
