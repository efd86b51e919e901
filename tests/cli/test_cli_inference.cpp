// forward / backward / posterior / viterbi against brute-force answers.
#include <catch2/catch.hpp>

#include "cli_test_util.hpp"
#include "reference.hpp"

using namespace hanzo::test;

namespace {
const std::vector<std::vector<int>> kDiceObs{{6, 6, 6, 1, 2}, {1, 2, 3, 4, 5, 6, 6, 6, 6, 6, 2, 1}, {3, 3, 6}};
const std::vector<std::vector<std::vector<double>>> kGaussObs{{{0.1, 1.2}, {-0.3, 0.8}, {2.5, -3.0}, {1.0, -1.5}},
                                                              {{0.0, 1.0}}};

std::vector<std::string> args(const std::string& command, const std::string& model, const std::string& obs) {
  return {command, "--model", data_path(model), "--obs", data_path(obs)};
}
}  // namespace

TEST_CASE("cli forward: the dice example and brute-force likelihoods", "[cli][forward]") {
  const auto out = output_of(run_cli(args("forward", "dice.json", "dice_obs.json")));
  const auto lls = nums(out.at("log_likelihood"));
  REQUIRE(lls.size() == 3);
  // The crate's README: P(6,6,6,1,2) = 7.1128e-4.
  CHECK(std::exp(lls[0]) == Approx(7.1128e-4).epsilon(1e-4));
  CHECK(lls[0] == Approx(-7.2484).margin(1e-4));
  for (std::size_t i = 0; i < 3; ++i) CHECK(lls[i] == Approx(std::log(dice_reference(kDiceObs[i]).likelihood())).epsilon(1e-12));
  CHECK(num(out.at("total_log_likelihood")) == Approx(lls[0] + lls[1] + lls[2]).epsilon(1e-14));
}

TEST_CASE("cli forward: gaussian likelihoods", "[cli][forward]") {
  const auto out = output_of(run_cli(args("forward", "gaussian.json", "gaussian_obs.json")));
  const auto lls = nums(out.at("log_likelihood"));
  REQUIRE(lls.size() == 2);
  for (std::size_t i = 0; i < 2; ++i)
    CHECK(lls[i] == Approx(std::log(gaussian_reference(kGaussObs[i]).likelihood())).epsilon(1e-12));
}

TEST_CASE("cli backward: log beta agrees with the likelihood", "[cli][backward]") {
  const auto out = output_of(run_cli(args("backward", "dice.json", "dice_obs.json")));
  const auto& betas = out.at("log_beta").as_array();
  REQUIRE(betas.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& rows = betas[i].as_array();
    REQUIRE(rows.size() == kDiceObs[i].size());
    CHECK(nums(rows.back()) == std::vector<double>{0.0, 0.0});
    // P(O) = sum_i pi_i b_i(o_0) beta_0(i)
    const auto b0 = nums(rows[0]);
    const auto ref = dice_reference(kDiceObs[i]);
    const double p = 0.5 * ref.emission(0, 0) * std::exp(b0[0]) + 0.5 * ref.emission(1, 0) * std::exp(b0[1]);
    CHECK(p == Approx(ref.likelihood()).epsilon(1e-12));
  }
}

TEST_CASE("cli posterior: rows sum to 1 and match brute force", "[cli][posterior]") {
  for (const auto& [model, obs] : {std::pair{"dice.json", "dice_obs.json"}, {"gaussian.json", "gaussian_obs.json"}}) {
    const auto out = output_of(run_cli(args("posterior", model, obs)));
    const auto fwd = output_of(run_cli(args("forward", model, obs)));
    CHECK(nums(out.at("log_likelihood")) == nums(fwd.at("log_likelihood")));
    const auto& posts = out.at("posteriors").as_array();
    for (std::size_t i = 0; i < posts.size(); ++i) {
      const auto ref = std::string(model) == "dice.json" ? dice_reference(kDiceObs[i]) : gaussian_reference(kGaussObs[i]);
      const auto expected = ref.posteriors();
      const auto& rows = posts[i].as_array();
      REQUIRE(rows.size() == expected.size());
      for (std::size_t t = 0; t < rows.size(); ++t) {
        const auto g = nums(rows[t]);
        CHECK(g[0] + g[1] == Approx(1.0).epsilon(1e-14));
        CHECK(g[0] == Approx(expected[t][0]).epsilon(1e-10));
        CHECK(g[1] == Approx(expected[t][1]).epsilon(1e-10));
      }
    }
  }
}

TEST_CASE("cli viterbi: the dice path and brute-force best paths", "[cli][viterbi]") {
  const auto out = output_of(run_cli(args("viterbi", "dice.json", "dice_obs.json")));
  const auto& paths = out.at("paths").as_array();
  REQUIRE(paths.size() == 3);
  CHECK(paths[0] == parse(R"(["Loaded","Loaded","Loaded","Fair","Fair"])"));
  const auto scores = nums(out.at("log_probability"));
  const char* names[] = {"Fair", "Loaded"};
  for (std::size_t i = 0; i < 3; ++i) {
    const auto [best, p] = dice_reference(kDiceObs[i]).best_path();
    json::array expected;
    for (auto s : best) expected.emplace_back(names[s]);
    CHECK(paths[i] == json::value(expected));
    CHECK(scores[i] == Approx(std::log(p)).epsilon(1e-12));
  }
}

TEST_CASE("cli: string symbols in and out", "[cli][symbols]") {
  TempDir dir;
  // "1" and 1 are different symbols with different probabilities.
  const auto obs = dir.write("obs.json", R"([["walk", "1"], ["walk", 1]])");
  const auto out = output_of(run_cli({"forward", "--model", data_path("weather.json"), "--obs", obs}));
  const auto lls = nums(out.at("log_likelihood"));
  REQUIRE(lls.size() == 2);
  // tests/data/weather.json: columns walk, shop, clean, 1, "1".
  const std::vector<std::vector<double>> b{{0.1, 0.4, 0.3, 0.15, 0.05}, {0.6, 0.2, 0.1, 0.02, 0.08}};
  for (std::size_t i = 0; i < 2; ++i) {
    const std::size_t second = i == 0 ? 4 : 3;
    const Reference ref{{0.6, 0.4}, {{0.7, 0.3}, {0.4, 0.6}},
                        [&](std::size_t s, std::size_t t) { return b[s][t == 0 ? 0 : second]; }, 2};
    CHECK(lls[i] == Approx(std::log(ref.likelihood())).epsilon(1e-12));
  }
  CHECK(lls[0] != Approx(lls[1]));
  const auto gen = output_of(run_cli({"generate", "--model", data_path("weather.json"), "--n", "200"}));
  bool saw_string_1 = false, saw_number_1 = false;
  for (const auto& o : gen.at("observations").as_array()) {
    saw_string_1 |= o == json::value("1");
    saw_number_1 |= o == json::value(1);
  }
  CHECK(saw_string_1);
  CHECK(saw_number_1);
  const auto bad = run_cli({"forward", "--model", data_path("weather.json"), "--obs", dir.write("bad.json", R"([["1.0"]])")});
  CHECK(bad.status == 2);
  CHECK(bad.err.find("unknown symbol \"1.0\"") != std::string::npos);
}

TEST_CASE("cli: an impossible sequence", "[cli][impossible]") {
  TempDir dir;
  // "Loaded" can never emit a 1 and is absorbing, so [6, 1] is impossible after starting Loaded.
  const auto model = dir.write("model.json", R"({"states": ["Fair", "Loaded"], "initial": [0, 1],
      "transitions": [[0.5, 0.5], [0, 1]],
      "emission": {"type": "categorical", "symbols": [1, 6], "probabilities": [[0.5, 0.5], [0, 1]]}})");
  const auto obs = dir.write("obs.json", "[[6, 6], [6, 1]]");
  const auto fwd = output_of(run_cli({"forward", "--model", model, "--obs", obs}));
  CHECK(fwd.at("log_likelihood").as_array()[0] == json::value(0.0));
  CHECK(fwd.at("log_likelihood").as_array()[1].is_null());
  CHECK(fwd.at("total_log_likelihood").is_null());

  const auto vit = output_of(run_cli({"viterbi", "--model", model, "--obs", obs}));
  CHECK(vit.at("paths") == parse(R"([["Loaded", "Loaded"], []])"));
  CHECK(vit.at("log_probability").as_array()[1].is_null());

  const auto bwd = output_of(run_cli({"backward", "--model", model, "--obs", obs}));
  // beta_0 = P(o_1 = 1 | s_0): 0.5 * 0.5 from Fair, 0 from the absorbing Loaded.
  const auto beta0 = nums(bwd.at("log_beta").as_array()[1].as_array()[0]);
  CHECK(beta0[0] == Approx(std::log(0.25)).epsilon(1e-15));
  CHECK(bwd.at("log_beta").as_array()[1].as_array()[0].as_array()[1].is_null());

  const auto post = run_cli({"posterior", "--model", model, "--obs", obs});
  CHECK(post.status == 2);
  CHECK(post.out.empty());
  CHECK(lines(post.err).size() == 1);
  CHECK(post.err.find("obs.json: sequence 1, observations[1]: the sequence has probability 0") != std::string::npos);
}
