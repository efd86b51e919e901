// market quote (the exact level-set cost of an amount) and market replay's refusal of ticks out
// of proportion to the reserves.
#include "cli_test_util.hpp"

using namespace hanzo::test;

namespace {
// RK4 on dΘ/dΨ = −p(Ψ, Θ), p = (wΘ + λΨ)/(wΨ + λΘ): credits entering the pool while Ψ falls by q.
long double integrated_cost(long double w, long double lam, long double psi, long double theta, long double q) {
  const auto f = [&](long double x, long double y) { return -(w * y + lam * x) / (w * x + lam * y); };
  const int steps = 20000;
  const long double h = -q / steps, theta0 = theta;
  for (int k = 0; k < steps; ++k) {
    const long double k1 = f(psi, theta), k2 = f(psi + h / 2, theta + h * k1 / 2),
                      k3 = f(psi + h / 2, theta + h * k2 / 2), k4 = f(psi + h, theta + h * k3);
    theta += h * (k1 + 2 * k2 + 2 * k3 + k4) / 6;
    psi += h;
  }
  return theta - theta0;
}
const char* kNoFees = "[market]\nmarket_fee = 0.0\nrisk_fee = 0.0\n";
}  // namespace

TEST_CASE("cli market quote: the cost of an amount is the integral of the marginal price", "[cli][mm]") {
  TempDir dir;
  // config/hanzo-hmm.toml's h100 pool (Ψ = Θ = 36,000, λ = 0.005, λ(0) from the regime's start).
  const auto r = run_cli({"market", "quote", "--config", dir.write("c.toml", kNoFees), "--class", "h100-80g",
                          "--gpu-seconds", "3600"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto q = output_of(r);
  CHECK(q.at("class").as_string() == "h100-80g");
  CHECK(num(q.at("gpu_seconds")) == 3600);
  CHECK(num(q.at("tick")) == 0);
  CHECK(num(q.at("fee")) == 0);
  const double before = num(q.at("marginal_price_before"));
  // At the opening state p = 1 at any λ (Θ = Ψ, w = 1); λ(0) only bends the curve slightly.
  CHECK(before == Approx(1.0).epsilon(1e-12));
  const double lo = static_cast<double>(integrated_cost(1, 0.005, 36000, 36000, 3600));
  const double hi = static_cast<double>(integrated_cost(1, 0.01, 36000, 36000, 3600));
  const double cost = num(q.at("cost"));
  CHECK(cost >= std::min(lo, hi) * (1 - 1e-12));
  CHECK(cost <= std::max(lo, hi) * (1 + 1e-12));
  CHECK(num(q.at("average_price")) == Approx(cost / 3600).epsilon(1e-15));
  CHECK(num(q.at("average_price")) > 1.09 * before);  // the marginal price is ~10% low at this size
  CHECK(num(q.at("marginal_price")) > num(q.at("average_price")));
}

TEST_CASE("cli market quote: after a tick file, at the replayed state", "[cli][mm]") {
  TempDir dir;
  const std::string shock = R"({"dt": 0, "flows": [{"class": "h100-80g", "shock": 0.5}]})";
  const auto ticks = dir.write("t.jsonl", shock + "\n");
  const auto replay = run_cli({"market", "replay", "--config", dir.write("c.toml", kNoFees), "--ticks", ticks});
  REQUIRE(replay.status == 0);
  const auto snap = parse(lines(replay.out).back());
  double psi = 0, theta = 0, lambda = num(snap.at("lambda"));
  for (const auto& c : snap.at("classes").as_array())
    if (c.at("class").as_string() == "h100-80g") psi = num(c.at("supply")), theta = num(c.at("credits"));
  REQUIRE(psi == 18000);
  // The swap runs at λ(t) of the snapshot.
  const auto r = run_cli({"market", "quote", "--config", dir.path("c.toml"), "--ticks", ticks, "--class", "h100-80g",
                          "--gpu-seconds", "1800"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto q = output_of(r);
  CHECK(num(q.at("tick")) == 1);
  CHECK(num(q.at("cost")) == Approx(static_cast<double>(integrated_cost(1, lambda, psi, theta, 1800))).epsilon(1e-10));
}

TEST_CASE("cli market quote: bad class, amount or size exit 2 with the reason", "[cli][mm]") {
  auto r = run_cli({"market", "quote", "--class", "tpu", "--gpu-seconds", "10"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("--class") && Catch::Contains("\"tpu\""));
  r = run_cli({"market", "quote", "--class", "cpu", "--gpu-seconds", "0"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("gpu-seconds"));
  r = run_cli({"market", "quote", "--class", "cpu", "--gpu-seconds", "1e9"});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("--gpu-seconds") && Catch::Contains("cpu"));
  r = run_cli({"market", "quote", "--gpu-seconds", "10"});
  CHECK(r.status == 2);
  CHECK(run_cli({"market", "quote", "--help"}).status == 0);
}

TEST_CASE("cli market replay: a tick out of proportion to the reserves exits 2 naming the field", "[cli][mm]") {
  TempDir dir;
  const std::string good = R"({"dt": 1, "flows": []})";
  for (const auto& [field, amount] : {std::pair<std::string, std::string>{"demand", "1e160"}, {"supply_in", "1e160"},
                                      {"usage", "1e200"}, {"value_out", "1e12"}}) {
    const auto r = run_cli({"market", "replay", "--ticks",
                            dir.write("t.jsonl", good + "\n" + R"({"dt": 1, "flows": [{"class": "cpu", ")" + field +
                                                     "\": " + amount + "}]}\n")});
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Catch::Contains("t.jsonl:2") && Catch::Contains("flows[0]." + field) &&
                          Catch::Contains("max_flow_ratio"));
    CHECK(lines(r.out).size() == 1);
    CHECK(r.out.find("null") == std::string::npos);
  }
}
