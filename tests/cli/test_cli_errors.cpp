// Usage errors and bad input: exit status 2, nothing on stdout, exactly one line on stderr that
// names the file and the problem.
#include <catch2/catch.hpp>

#include "cli_test_util.hpp"

using namespace hanzo::test;

namespace {
// Runs, expects failure, returns the single stderr line.
std::string error_line(const std::vector<std::string>& args, const std::string& input = {}) {
  const auto r = run_cli(args, input);
  INFO("stdout: " << r.out << "\nstderr: " << r.err);
  CHECK(r.status == 2);
  CHECK(r.out.empty());
  REQUIRE(!r.err.empty());
  CHECK(r.err.back() == '\n');
  CHECK(lines(r.err).size() == 1);
  return r.err.substr(0, r.err.size() - 1);
}

const std::string kCommands[] = {"forward", "backward", "posterior", "viterbi", "fit", "generate", "filter"};
}  // namespace

TEST_CASE("cli help: top level and every command, exit 0", "[cli][help]") {
  for (const char* flag : {"--help", "-h"}) {
    const auto r = run_cli({flag});
    CHECK(r.status == 0);
    CHECK(r.err.empty());
    CHECK(r.out.rfind("usage: hanzo-hmm <command>", 0) == 0);
    for (const auto& c : kCommands) CHECK(r.out.find("  " + c + " ") != std::string::npos);
  }
  for (const auto& c : kCommands) {
    for (const char* flag : {"--help", "-h"}) {
      // Help wins even over otherwise wrong arguments.
      const auto r = run_cli({c, "--bogus", flag});
      CHECK(r.status == 0);
      CHECK(r.err.empty());
      CHECK(r.out.rfind("usage: hanzo-hmm " + c, 0) == 0);
    }
  }
}

TEST_CASE("cli usage errors", "[cli][errors]") {
  const auto dice = data_path("dice.json"), obs = data_path("dice_obs.json");
  CHECK(error_line({}) == "hanzo-hmm: missing command (see hanzo-hmm --help)");
  CHECK(error_line({"frobnicate"}) == "hanzo-hmm: unknown command \"frobnicate\" (see hanzo-hmm --help)");
  CHECK(error_line({"forward", "--model", dice, "--obs", obs, "--bogus", "1"}) ==
        "hanzo-hmm forward: unknown option --bogus (see hanzo-hmm forward --help)");
  CHECK(error_line({"forward", "--model", dice}) ==
        "hanzo-hmm forward: missing required option --obs (see hanzo-hmm forward --help)");
  CHECK(error_line({"generate", "--model", dice}) ==
        "hanzo-hmm generate: missing required option --n (see hanzo-hmm generate --help)");
  CHECK(error_line({"forward", "--model"}) == "hanzo-hmm forward: option --model needs a value (see hanzo-hmm forward --help)");
  CHECK(error_line({"forward", "--model", dice, "--model", dice, "--obs", obs}) ==
        "hanzo-hmm forward: option --model given twice (see hanzo-hmm forward --help)");
  CHECK(error_line({"forward", dice}).find("unexpected argument") != std::string::npos);
  // --name=value works too.
  CHECK(run_cli({"forward", "--model=" + dice, "--obs=" + obs}).status == 0);
}

TEST_CASE("cli bad numbers", "[cli][errors]") {
  const auto dice = data_path("dice.json"), obs = data_path("dice_obs.json");
  const std::vector<std::string> fit{"fit", "--model", dice, "--obs", obs};
  const auto with = [](std::vector<std::string> a, std::initializer_list<std::string> extra) {
    a.insert(a.end(), extra);
    return a;
  };
  CHECK(error_line(with(fit, {"--max-iter", "-1"})) ==
        "hanzo-hmm fit: --max-iter: expected a non-negative integer, got \"-1\" (see hanzo-hmm fit --help)");
  CHECK(error_line(with(fit, {"--max-iter", "10x"})).find("--max-iter: expected a non-negative integer") != std::string::npos);
  CHECK(error_line(with(fit, {"--tol", "nan"})).find("--tol: expected a number >= 0, got \"nan\"") != std::string::npos);
  CHECK(error_line(with(fit, {"--tol", "-1"})).find("--tol: expected a number >= 0") != std::string::npos);
  CHECK(error_line(with(fit, {"--var-floor", "0"})).find("--var-floor: expected a number > 0, got \"0\"") != std::string::npos);
  CHECK(error_line(with(fit, {"--threads", ""})).find("--threads: expected a non-negative integer") != std::string::npos);
  CHECK(error_line({"generate", "--model", dice, "--n", "ten"}) ==
        "hanzo-hmm generate: --n: expected a non-negative integer, got \"ten\" (see hanzo-hmm generate --help)");
  CHECK(error_line({"generate", "--model", dice, "--n", "5", "--seed", "99999999999999999999"}).find("--seed") !=
        std::string::npos);
}

TEST_CASE("cli bad input files: one line naming the file", "[cli][errors]") {
  TempDir dir;
  const auto dice = data_path("dice.json"), obs = data_path("dice_obs.json");
  const auto missing = dir.path("missing.json");
  for (const auto& c : {"forward", "backward", "posterior", "viterbi", "fit"}) {
    CHECK(error_line({c, "--model", missing, "--obs", obs}) ==
          "hanzo-hmm: " + missing + ": cannot read file: No such file or directory");
    CHECK(error_line({c, "--model", dice, "--obs", missing}) ==
          "hanzo-hmm: " + missing + ": cannot read file: No such file or directory");
  }
  CHECK(error_line({"generate", "--model", missing, "--n", "3"}).find(missing) != std::string::npos);
  CHECK(error_line({"filter", "--model", missing}).find(missing) != std::string::npos);

  const auto broken = dir.write("broken.json", "{\"states\": [\"A\"],\n  \"initial\" [1]}");
  CHECK(error_line({"forward", "--model", broken, "--obs", obs}) == "hanzo-hmm: " + broken + ": line 2, column 13: syntax error");

  const auto invalid = dir.write("invalid.json", R"({"states": ["A", "B"], "initial": [0.5, 0.5],
    "transitions": [[0.5, 0.5], [0.5, 1.5]],
    "emission": {"type": "categorical", "symbols": [1, 2], "probabilities": [[0.5, 0.5], [0.5, 0.5]]}})");
  CHECK(error_line({"viterbi", "--model", invalid, "--obs", obs}) ==
        "hanzo-hmm: " + invalid + ": transitions[1][1]: probability 1.5 is not a finite number in [0, 1]");

  const auto typo = dir.write("typo.json", R"({"states": ["A"], "initial": [1], "transition": [[1]],
    "emission": {"type": "gaussian", "means": [[0]], "variances": [[1]]}})");
  CHECK(error_line({"generate", "--model", typo, "--n", "1"}) ==
        "hanzo-hmm: " + typo + ": transition: unknown key (did you mean \"transitions\"?)");

  const auto unknown = dir.write("obs.json", "[[1, 2], [6, 6, 6, 7]]");
  CHECK(error_line({"forward", "--model", dice, "--obs", unknown}) ==
        "hanzo-hmm: " + unknown + ": sequence 1, observations[3]: unknown symbol 7");

  const auto not_list = dir.write("notlist.json", R"({"obs": [1, 2]})");
  CHECK(error_line({"posterior", "--model", dice, "--obs", not_list}) ==
        "hanzo-hmm: " + not_list + ": expected a JSON array of sequences, got object");

  const auto malformed_obs = dir.write("malformed.json", "[[1, 2],\n [3,]]");
  CHECK(error_line({"fit", "--model", dice, "--obs", malformed_obs}) ==
        "hanzo-hmm: " + malformed_obs + ": line 2, column 5: syntax error");

  const auto wrong_dim = dir.write("dim.json", "[[[0, 1], [0, 1, 2]]]");
  CHECK(error_line({"forward", "--model", data_path("gaussian.json"), "--obs", wrong_dim}) ==
        "hanzo-hmm: " + wrong_dim + ": sequence 0, observations[1]: has 3 values, expected 2");

  const auto empty = dir.write("empty.json", "[[], []]");
  CHECK(error_line({"fit", "--model", dice, "--obs", empty}) == "hanzo-hmm: " + empty + ": sequences: no observations to fit");

  CHECK(error_line({"forward", "--model", dir.path(""), "--obs", obs}).find("Is a directory") != std::string::npos);
}

TEST_CASE("cli: control characters in messages stay on one line", "[cli][errors]") {
  TempDir dir;
  const auto model = dir.write("m.json", R"({"states": ["A\nB", "A\nB"], "initial": [0.5, 0.5],
    "transitions": [[0.5, 0.5], [0.5, 0.5]],
    "emission": {"type": "gaussian", "means": [[0], [1]], "variances": [[1], [1]]}})");
  CHECK(error_line({"generate", "--model", model, "--n", "1"}) ==
        "hanzo-hmm: " + model + ": states[1]: duplicate label \"A\\x0aB\"");
}

TEST_CASE("cli fit: an impossible sequence under the starting model", "[cli][errors]") {
  TempDir dir;
  const auto model = dir.write("model.json", R"({"states": ["A", "B"], "initial": [1, 0],
      "transitions": [[1, 0], [0, 1]],
      "emission": {"type": "categorical", "symbols": ["x", "y"], "probabilities": [[1, 0], [0, 1]]}})");
  const auto obs = dir.write("obs.json", R"([["x", "x"], ["x", "y"]])");
  CHECK(error_line({"fit", "--model", model, "--obs", obs}) ==
        "hanzo-hmm: " + obs + ": sequence 1, observations[1]: the sequence has probability 0 under the model from this step on");
}

TEST_CASE("cli loadgen: --kafka-config errors name the file and line, its properties reach librdkafka",
          "[cli][errors][loadgen]") {
  TempDir dir;
  const auto missing = dir.path("none.properties");
  CHECK(error_line({"loadgen", "--bootstrap", "127.0.0.1:1", "--kafka-config", missing}) ==
        "hanzo-hmm: " + missing + ": cannot open");
  const auto bad = dir.write("bad.properties", "# SASL\n\nsecurity.protocol = SASL_SSL\nno equals sign\n");
  CHECK(error_line({"loadgen", "--bootstrap", "127.0.0.1:1", "--kafka-config", bad}) ==
        "hanzo-hmm: " + bad + ":4: expected KEY=VALUE, got \"no equals sign\"");
  // A well-formed file goes to the clients: librdkafka itself refuses an unknown property.
  const auto unknown = dir.write("unknown.properties", "no.such.property=1\n");
  const auto r = run_cli({"loadgen", "--bootstrap", "127.0.0.1:1", "--kafka-config", unknown});
  CHECK(r.status == 2);
  CHECK(r.err.find("hanzo-hmm: producer, no.such.property: No such configuration property") != std::string::npos);
}
