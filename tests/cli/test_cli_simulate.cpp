// simulate: the decision-quality benchmark from the command line (small worlds, quick).
#include <fstream>
#include <sstream>

#include "cli_test_util.hpp"

using namespace hanzo::test;

namespace {
std::string slurp(const std::string& path) {
  std::ifstream f(path);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}
}  // namespace

TEST_CASE("cli simulate: JSON on stdout, CSV and SVG files, reproducible per seed", "[cli][sim]") {
  TempDir dir;
  const auto a = run_cli({"simulate", "--requests", "600", "--seed", "5", "--csv", dir.path("a.csv"), "--svg",
                          dir.path("a.svg"), "--json", dir.path("a.json")});
  const auto out = output_of(a);
  CHECK(num(out.at("requests")) == 600);
  CHECK(out.at("outage").at("model").as_string() == "gpt-4o-mini");
  const auto& policies = out.at("policies").as_array();
  REQUIRE(policies.size() == 8);
  CHECK(policies[0].at("name").as_string() == "oracle");
  CHECK(num(policies[0].at("total_regret")) == 0);
  for (const auto& p : policies) CHECK(num(p.at("total_regret")) >= 0);
  CHECK(parse(slurp(dir.path("a.json"))) == out);
  const std::string csv = slurp(dir.path("a.csv"));
  CHECK(csv.rfind("requests,oracle,", 0) == 0);
  CHECK(lines(csv).size() >= 100);
  CHECK(slurp(dir.path("a.svg")).find("<svg") == 0);
  const auto b = run_cli({"simulate", "--requests", "600", "--seed", "5", "--csv", dir.path("b.csv")});
  REQUIRE(b.status == 0);
  CHECK(slurp(dir.path("b.csv")) == csv);
  const auto c = run_cli({"simulate", "--requests", "600", "--seed", "6", "--csv", dir.path("c.csv")});
  REQUIRE(c.status == 0);
  CHECK(slurp(dir.path("c.csv")) != csv);
}

TEST_CASE("cli simulate: the table format and the ablation", "[cli][sim]") {
  const auto r = run_cli({"simulate", "--requests", "400", "--tenants", "4", "--ablation", "--format", "table"});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.find("router-no-sampling") != std::string::npos);
  CHECK(r.out.find("router-before") != std::string::npos);
  CHECK(r.out.find("thompson-segment") != std::string::npos);
}

TEST_CASE("cli simulate: bad flags exit 2 with a clear message", "[cli][sim]") {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--preset", "huge"}, "unknown preset"},
      {{"--tenants", "2"}, "--tenants"},
      {{"--requests", "5"}, "--requests"},
      {{"--seed", "abc"}, "--seed"},
      {{"--format", "xml"}, "--format"},
      {{"--bogus", "1"}, "unknown option"},
      {{"--no-feedback"}, "need --kafka"},
      {{"--daemon-metrics", "http://127.0.0.1:1/metrics"}, "need --kafka"},
      {{"--kafka", "127.0.0.1:1", "--kafka-timeout", "0"}, "--kafka-timeout"},
      {{"--kafka", "127.0.0.1:1", "--daemon-metrics", "127.0.0.1:1"}, "http://HOST:PORT/metrics"},
  };
  for (const auto& [args, message] : cases) {
    std::vector<std::string> full{"simulate"};
    full.insert(full.end(), args.begin(), args.end());
    const auto r = run_cli(full);
    INFO(args[0]);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Catch::Contains(message));
  }
}

TEST_CASE("cli simulate: --daemon-config writes the daemon's configuration of the world", "[cli][sim]") {
  TempDir dir;
  const auto r = run_cli({"simulate", "--preset", "full", "--daemon-config", dir.path("d.toml")});
  INFO(r.err);
  REQUIRE(r.status == 0);
  CHECK(r.out.empty());
  const std::string toml = slurp(dir.path("d.toml"));
  // The world's router settings, without the pool the daemon does not keep.
  CHECK(toml.find("\nsample = true\n") != std::string::npos);
  CHECK(toml.find("\nforgetting = 0.005\n") != std::string::npos);
  CHECK(toml.find("\nshared_base = false\n") != std::string::npos);
  CHECK(toml.find("[[models]]") != std::string::npos);
}

TEST_CASE("cli simulate: --kafka with no broker fails with the reason, not a table", "[cli][sim]") {
  const auto r = run_cli({"simulate", "--requests", "100", "--kafka", "127.0.0.1:1", "--kafka-timeout", "1"});
  CHECK(r.status == 2);  // the CLI's one failure status
  CHECK(r.out.empty());
  CHECK_THAT(r.err, Catch::Contains("hanzo-hmm: hanzo.hmm.decisions"));
}
