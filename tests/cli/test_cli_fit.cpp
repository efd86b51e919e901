// fit, generate and filter.
#include <catch2/catch.hpp>

#include "cli_test_util.hpp"
#include "hanzo/hmm/io/io.hpp"

using namespace hanzo::test;
namespace io = hanzo::hmm::io;

namespace {
std::vector<std::string> model_obs(const std::string& command, const std::string& model, const std::string& obs) {
  return {command, "--model", model, "--obs", obs};
}

void check_fit(const std::string& model, const std::string& obs, const std::vector<std::string>& extra) {
  auto a = model_obs("fit", model, obs);
  a.insert(a.end(), extra.begin(), extra.end());
  const auto out = output_of(run_cli(a));
  const auto& fit = out.at("fit");
  const auto lls = nums(fit.at("log_likelihoods"));
  const auto iterations = fit.at("iterations").to_number<std::size_t>();
  REQUIRE(lls.size() == iterations + 1);
  CHECK(iterations >= 1);
  // EM never decreases the likelihood (up to rounding).
  for (std::size_t k = 1; k < lls.size(); ++k) CHECK(lls[k] >= lls[k - 1] - 1e-9 * std::fabs(lls[k - 1]));
  CHECK(lls.back() > lls.front());
  // The output is itself a model file, and scores the data at the last reported likelihood.
  TempDir dir;
  const auto fitted = dir.write("fitted.json", io::to_text(out));
  REQUIRE(io::load_model(fitted));
  const auto fwd = output_of(run_cli(model_obs("forward", fitted, obs)));
  CHECK(num(fwd.at("total_log_likelihood")) == Approx(lls.back()).epsilon(1e-9));
  if (fit.at("converged").as_bool()) CHECK(lls.back() - lls[lls.size() - 2] < 1e-6);
}
}  // namespace

TEST_CASE("cli fit: categorical", "[cli][fit]") {
  check_fit(data_path("dice.json"), data_path("dice_obs.json"), {});
  check_fit(data_path("dice.json"), data_path("dice_obs.json"), {"--max-iter", "3", "--tol", "0"});
}

TEST_CASE("cli fit: gaussian, on generated data", "[cli][fit]") {
  TempDir dir;
  json::array seqs;
  for (const char* seed : {"1", "2", "3"}) {
    const auto g = output_of(run_cli({"generate", "--model", data_path("gaussian.json"), "--n", "150", "--seed", seed}));
    seqs.push_back(g.at("observations"));
  }
  const auto obs = dir.write("obs.json", io::to_text(seqs));
  check_fit(data_path("gaussian.json"), obs, {"--var-floor", "1e-3", "--threads", "2"});
}

TEST_CASE("cli fit: results do not depend on the thread count", "[cli][fit]") {
  const auto a = run_cli(model_obs("fit", data_path("dice.json"), data_path("dice_obs.json")) );
  auto args = model_obs("fit", data_path("dice.json"), data_path("dice_obs.json"));
  args.insert(args.end(), {"--threads", "1"});
  const auto b = run_cli(args);
  REQUIRE(a.status == 0);
  CHECK(a.out == b.out);
}

TEST_CASE("cli fit: max-iter 0 reports the starting likelihood only", "[cli][fit]") {
  auto args = model_obs("fit", data_path("dice.json"), data_path("dice_obs.json"));
  args.insert(args.end(), {"--max-iter", "0"});
  const auto out = output_of(run_cli(args));
  CHECK(out.at("fit").at("iterations") == json::value(0));
  CHECK(out.at("fit").at("log_likelihoods").as_array().size() == 1);
  CHECK(out.at("fit").at("converged") == json::value(false));
  CHECK(out.at("transitions") == parse("[[0.7, 0.3], [0.4, 0.6]]"));
}

TEST_CASE("cli generate: reproducible per seed, different across seeds", "[cli][generate]") {
  const std::string model = data_path("dice.json");
  const auto a = run_cli({"generate", "--model", model, "--n", "50", "--seed", "7"});
  const auto b = run_cli({"generate", "--model", model, "--n", "50", "--seed", "7"});
  const auto c = run_cli({"generate", "--model", model, "--n", "50", "--seed", "8"});
  CHECK(a.out == b.out);
  CHECK(a.out != c.out);
  // The default seed is 42.
  CHECK(run_cli({"generate", "--model", model, "--n", "50"}).out ==
        run_cli({"generate", "--model", model, "--n", "50", "--seed", "42"}).out);

  const auto out = output_of(a);
  const auto& states = out.at("states").as_array();
  const auto& obs = out.at("observations").as_array();
  REQUIRE(states.size() == 50);
  REQUIRE(obs.size() == 50);
  for (const auto& s : states) CHECK((s == json::value("Fair") || s == json::value("Loaded")));
  for (const auto& o : obs) {
    REQUIRE(o.is_int64());  // written as the numbers the model's symbols are
    CHECK((o.as_int64() >= 1 && o.as_int64() <= 6));
  }
  CHECK(output_of(run_cli({"generate", "--model", model, "--n", "0"})) == parse(R"({"states": [], "observations": []})"));
}

TEST_CASE("cli generate: gaussian vectors", "[cli][generate]") {
  const auto out = output_of(run_cli({"generate", "--model", data_path("gaussian.json"), "--n", "20", "--seed", "3"}));
  const auto& obs = out.at("observations").as_array();
  REQUIRE(obs.size() == 20);
  for (const auto& x : obs) CHECK(x.as_array().size() == 2);
  // What generate prints is a valid observation sequence for the model.
  TempDir dir;
  json::array seqs{out.at("observations")};
  const auto f = run_cli({"forward", "--model", data_path("gaussian.json"), "--obs", dir.write("o.json", io::to_text(seqs))});
  CHECK(f.status == 0);
}

TEST_CASE("cli filter: streams posteriors and ends at forward's likelihood", "[cli][filter]") {
  const auto r = run_cli({"filter", "--model", data_path("dice.json")}, "6\n6\n\n  \n6\n1\n2\n");
  REQUIRE(r.status == 0);
  CHECK(r.err.empty());
  const auto ls = lines(r.out);
  REQUIRE(ls.size() == 5);  // blank lines are skipped
  double last = 0.0;
  for (std::size_t i = 0; i < ls.size(); ++i) {
    const auto v = parse(ls[i]);
    CHECK(v.at("t") == json::value(i));
    const auto p = nums(v.at("posterior"));
    CHECK(p[0] + p[1] == Approx(1.0).epsilon(1e-14));
    const double ll = num(v.at("log_likelihood"));
    CHECK(ll < last);
    last = ll;
  }
  TempDir dir;
  const auto fwd = output_of(run_cli({"forward", "--model", data_path("dice.json"), "--obs", dir.write("o.json", "[[6,6,6,1,2]]")}));
  CHECK(last == Approx(num(fwd.at("total_log_likelihood"))).epsilon(1e-14));
  // The first posterior is P(s_0 | 6) = (0.5/6, 0.5*0.5) normalised.
  CHECK(nums(parse(ls[0]).at("posterior"))[1] == Approx(0.75).epsilon(1e-14));
}

TEST_CASE("cli filter: gaussian vectors and string symbols", "[cli][filter]") {
  const auto g = run_cli({"filter", "--model", data_path("gaussian.json")}, "[0.1, 1.2]\n[-0.3, 0.8]\n[2.5, -3.0]\n[1.0, -1.5]\n");
  REQUIRE(g.status == 0);
  const auto ls = lines(g.out);
  REQUIRE(ls.size() == 4);
  const auto fwd = output_of(run_cli({"forward", "--model", data_path("gaussian.json"), "--obs", data_path("gaussian_obs.json")}));
  CHECK(num(parse(ls.back()).at("log_likelihood")) == Approx(num(fwd.at("log_likelihood").as_array()[0])).epsilon(1e-13));

  const auto w = run_cli({"filter", "--model", data_path("weather.json")}, "\"walk\"\n1\n\"1\"\n");
  REQUIRE(w.status == 0);
  CHECK(lines(w.out).size() == 3);
}

TEST_CASE("cli filter: a bad line stops with an error naming it", "[cli][filter]") {
  const auto r = run_cli({"filter", "--model", data_path("dice.json")}, "6\n\n1\n7\n2\n");
  CHECK(r.status == 2);
  CHECK(lines(r.out).size() == 2);  // the lines before the bad one were printed
  REQUIRE(lines(r.err).size() == 1);
  CHECK(r.err == "hanzo-hmm: stdin line 4: observation: unknown symbol 7\n");

  const auto syntax = run_cli({"filter", "--model", data_path("gaussian.json")}, "[1, 2]\n[1, 2\n");
  CHECK(syntax.status == 2);
  CHECK(syntax.err == "hanzo-hmm: stdin line 2, column 6: incomplete JSON\n");

  const auto dim = run_cli({"filter", "--model", data_path("gaussian.json")}, "[1, 2, 3]\n");
  CHECK(dim.status == 2);
  CHECK(dim.err == "hanzo-hmm: stdin line 1: observation: has 3 values, expected 2\n");

  TempDir dir;
  const auto absorbing = dir.write("m.json", R"({"states": ["Fair", "Loaded"], "initial": [0, 1],
      "transitions": [[0.5, 0.5], [0, 1]],
      "emission": {"type": "categorical", "symbols": [1, 6], "probabilities": [[0.5, 0.5], [0, 1]]}})");
  const auto impossible = run_cli({"filter", "--model", absorbing}, "6\n1\n6\n");
  CHECK(impossible.status == 2);
  CHECK(lines(impossible.out).size() == 1);
  CHECK(impossible.err == "hanzo-hmm: stdin line 2: observation: has probability 0 given the filtered state at step 1\n");
}
