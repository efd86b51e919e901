// The MarketMaker commands: route, market replay (snapshots, CSV, SVG) and config.
#include "cli_test_util.hpp"
#include "hanzo/hmm/routing/catalogue.hpp"

using namespace hanzo::test;

namespace {
const char* kRequest = R"({"request_id": "r-7", "tenant": "acme", "input": "Explain KV caches.",
 "preferences": {"max_latency_ms": 1200, "quality_threshold": 0.75},
 "requirements": {"requires_vision": true}, "observations": [0.2, -0.8, 0.1, 0.0]})";

// Two calm ticks, then half the H100 supply goes offline.
std::string ticks() {
  std::string calm = R"({"dt": 60, "flows": [{"class": "h100-80g", "supply_in": 18000, "usage": 18000, "demand": 18000, "value_out": 18000}]})";
  std::string shock = R"({"dt": 60, "flows": [{"class": "h100-80g", "supply_in": 18000, "usage": 18000, "demand": 18000, "value_out": 18000, "shock": 0.5}]})";
  return calm + "\n\n" + calm + "\n" + shock + "\n";
}
}  // namespace

TEST_CASE("cli route: a vision request is routed to a vision model, with its request id", "[cli][mm]") {
  TempDir dir;
  const auto out = output_of(run_cli({"route", "--request", dir.write("r.json", kRequest)}));
  const auto& d = out.as_object();
  CHECK(d.at("request_id").as_string() == "r-7");
  CHECK(d.at("tenant").as_string() == "acme");
  CHECK(d.at("status").as_string() == "routed");
  const std::string model(d.at("model").as_string());
  const auto catalogue = hanzo::hmm::routing::default_catalogue();
  const auto index = catalogue.model_index(model);
  REQUIRE(index);
  CHECK(catalogue.models[*index].capabilities.vision);
  double total = 0.0;
  for (const auto& a : d.at("alternatives").as_array()) total += a.at("probability").to_number<double>();
  CHECK(total == Approx(1.0));
  for (const auto& e : d.at("excluded").as_array()) CHECK(e.at("reason").as_string() == "requires vision");

  // --tenant overrides the request's tenant.
  const auto other = output_of(run_cli({"route", "--request", dir.path("r.json"), "--tenant", "zeta"}));
  CHECK(other.at("tenant").as_string() == "zeta");
}

TEST_CASE("cli route: bad requests exit 2 naming the file and the field", "[cli][mm]") {
  TempDir dir;
  auto r = run_cli({"route", "--request", dir.write("bad.json", R"({"request_id": "x", "input": "y", "preferences": {"max_latency_ms": "fast"}})")});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("bad.json") && Catch::Contains("preferences.max_latency_ms"));
  CHECK(lines(r.err).size() == 1);
  r = run_cli({"route", "--request", dir.write("broken.json", "{\"request_id\": ")});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("broken.json"));
  r = run_cli({"route", "--request", dir.path("missing.json")});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("missing.json"));
  r = run_cli({"route", "--config", dir.write("c.toml", "[market]\nlambda = -1\n"), "--request", dir.write("ok.json", kRequest)});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("c.toml") && Catch::Contains("market.lambda"));
}

TEST_CASE("cli market replay: one snapshot per tick - a shock raises the price - CSV and SVG", "[cli][mm]") {
  TempDir dir;
  const auto r = run_cli({"market", "replay", "--ticks", dir.write("t.jsonl", ticks()), "--csv", dir.path("o.csv"),
                          "--svg", dir.path("o.svg")});
  INFO(r.err);
  REQUIRE(r.status == 0);
  const auto snaps = lines(r.out);
  REQUIRE(snaps.size() == 3);  // one line per tick; the blank line is skipped
  auto price = [&](std::size_t i) {
    const auto snapshot = parse(snaps[i]);  // keep the document alive while iterating into it
    for (const auto& c : snapshot.at("classes").as_array())
      if (c.at("class").as_string() == "h100-80g") return c.at("price").to_number<double>();
    return -1.0;
  };
  CHECK(price(1) == Approx(price(0)).epsilon(0.01));
  CHECK(price(2) > 1.5 * price(1));  // half the supply gone
  CHECK(parse(snaps[2]).at("tick").to_number<double>() == 3);

  std::ifstream csv(dir.path("o.csv"));
  std::string header, row;
  std::getline(csv, header);
  CHECK_THAT(header, Catch::StartsWith("tick,time,regime,h100-80g_price"));
  int rows = 0;
  while (std::getline(csv, row)) ++rows;
  CHECK(rows == 3);
  std::ifstream svg(dir.path("o.svg"));
  const std::string text((std::istreambuf_iterator<char>(svg)), std::istreambuf_iterator<char>());
  CHECK_THAT(text, Catch::StartsWith("<svg") && Catch::Contains("<polyline") && Catch::Contains("h100-80g") &&
                       Catch::Contains("shock"));
}

TEST_CASE("cli market replay: a bad tick names the file, line and field", "[cli][mm]") {
  TempDir dir;
  const std::string good = R"({"dt": 1, "flows": []})";
  const auto r = run_cli({"market", "replay", "--ticks",
                          dir.write("t.jsonl", good + "\n" + good + "\n" + R"({"dt": 1, "flows": [{"class": "h200"}]})" + "\n")});
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Catch::Contains("t.jsonl:3") && Catch::Contains("flows[0].class"));
  CHECK(lines(r.out).size() == 2);  // the two good ticks were printed first
  CHECK(run_cli({"market", "fly"}).status == 2);
  CHECK(run_cli({"market", "--help"}).status == 0);
}

TEST_CASE("cli config: describe lists options, check validates files", "[cli][mm]") {
  TempDir dir;
  const auto d = run_cli({"config", "--describe"});
  REQUIRE(d.status == 0);
  CHECK_THAT(d.out, Catch::Contains("# market.lambda (number)") && Catch::Contains("models[].tokens_per_second"));
  const auto ok = output_of(run_cli({"config", "--check", std::string(HANZO_CONFIG_DIR) + "/hanzo-hmm.toml"}));
  CHECK(ok.at("ok").as_bool());
  CHECK(ok.at("models").to_number<double>() == 12);
  const auto bad = run_cli({"config", "--check", dir.write("c.toml", "[[models]]\nname = 3\n")});
  CHECK(bad.status == 2);
  CHECK_THAT(bad.err, Catch::Contains("c.toml") && Catch::Contains("models[0].name"));
}

TEST_CASE("cli config: --check takes hanzo-hmmd's file too, by its sections or --daemon", "[cli][mm]") {
  TempDir dir;
  // The shipped daemon file: recognised by its [kafka]/[topics]/... sections.
  const auto shipped = run_cli({"config", "--check", std::string(HANZO_CONFIG_DIR) + "/hanzo-hmmd.toml"});
  INFO(shipped.err);
  REQUIRE(shipped.status == 0);
  const auto ok = output_of(shipped);
  CHECK(ok.at("kind").as_string() == "daemon");
  CHECK(ok.at("models").to_number<double>() == 12);
  // The daemon's own checks apply: its bounds and cross-checks name the key.
  const auto bad = run_cli({"config", "--check", dir.write("d.toml", "[daemon]\nmax_in_flight = 10\nresume_in_flight = 10\n")});
  CHECK(bad.status == 2);
  CHECK_THAT(bad.err, Catch::Contains("d.toml") && Catch::Contains("daemon.resume_in_flight"));
  // A MarketMaker-only file is still one, unless --daemon says otherwise (both accept it).
  const auto mm_only = dir.write("m.toml", "[market]\nlambda = 0.01\n");
  CHECK(output_of(run_cli({"config", "--check", mm_only})).at("kind").as_string() == "market_maker");
  CHECK(output_of(run_cli({"config", "--check", mm_only, "--daemon"})).at("kind").as_string() == "daemon");
  // The CLI's MarketMaker check alone would have refused the daemon's sections.
  const auto wrong = run_cli({"config", "--check", dir.write("w.toml", "[daemon]\nrouter_actors = 0\n")});
  CHECK(wrong.status == 2);
  CHECK_THAT(wrong.err, Catch::Contains("daemon.router_actors") && Catch::Contains(">= 1"));
  const auto describe = run_cli({"config", "--describe", "--daemon"});
  CHECK(describe.status == 0);
  CHECK_THAT(describe.out, Catch::Contains("# daemon.max_in_flight (integer)") && Catch::Contains("# market.lambda"));
}
