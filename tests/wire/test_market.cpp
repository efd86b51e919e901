// Ticks and price snapshots: round trips against the market's class list, and decoding errors.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace hanzo::hmm;
using wire_test::error_text;
using wire_test::replace;

namespace {

const std::vector<market::ComputeClass> kClasses = wire_test::five_classes().classes;

const std::string kTick =
    R"({"dt": 0.5, "flows": [{"class": "l4-24g", "supply_in": 10, "usage": 2.5, "demand": 7, "value_out": 1,)"
    R"( "shock": 0.75}, {"class": "h100-80g"}, {"class": "cpu", "usage": 3}], "timestamp_ms": 1732629600000,)"
    R"( "sequence": 18446744073709551615})";

std::string tick_error(const std::string& text) { return error_text(wire::decode_tick(text, kClasses)); }

void check_same(const market::Snapshot& a, const market::Snapshot& b) {
  CHECK(a.tick == b.tick);
  CHECK(a.time == b.time);
  REQUIRE(a.classes.size() == b.classes.size());
  for (std::size_t i = 0; i < a.classes.size(); ++i) {
    CHECK(a.classes[i].price == b.classes[i].price);
    CHECK(a.classes[i].supply == b.classes[i].supply);
    CHECK(a.classes[i].credits == b.classes[i].credits);
    CHECK(a.classes[i].risk_fee == b.classes[i].risk_fee);
    CHECK(a.classes[i].fees == b.classes[i].fees);
  }
  CHECK(a.hamiltonian == b.hamiltonian);
  CHECK(a.kappa == b.kappa);
  CHECK(a.drift == b.drift);
  CHECK(a.lambda == b.lambda);
  CHECK(a.risk_lambda == b.risk_lambda);
  CHECK(a.market_fee == b.market_fee);
  CHECK(a.regime == b.regime);
  CHECK(a.regime_label == b.regime_label);
  CHECK(a.regime_posterior == b.regime_posterior);
  CHECK(a.utilisation == b.utilisation);
  CHECK(a.imbalance == b.imbalance);
  CHECK(a.volatility == b.volatility);
  REQUIRE(a.cuts.size() == b.cuts.size());
  for (std::size_t i = 0; i < a.cuts.size(); ++i) {
    CHECK(a.cuts[i].cls == b.cuts[i].cls);
    CHECK(a.cuts[i].supply == b.cuts[i].supply);
    CHECK(a.cuts[i].credits == b.cuts[i].credits);
  }
  CHECK(a.restore_limited == b.restore_limited);
  CHECK(a.substeps == b.substeps);
}

}  // namespace

TEST_CASE("tick: decodes with defaults, resolves ids, round trips", "[wire][tick]") {
  const auto m = wire::decode_tick(kTick, kClasses).value();
  CHECK(m.tick.dt == 0.5);
  CHECK(m.timestamp_ms == 1732629600000);
  CHECK(m.sequence == 18446744073709551615u);
  REQUIRE(m.tick.flows.size() == 3);
  const auto& f = m.tick.flows;
  CHECK(f[0].cls == 3);
  CHECK(f[0].supply_in == 10.0);
  CHECK(f[0].usage == 2.5);
  CHECK(f[0].demand == 7.0);
  CHECK(f[0].value_out == 1.0);
  CHECK(f[0].shock == 0.75);
  CHECK(f[1].cls == 0);  // every field defaulted
  CHECK((f[1].supply_in == 0.0 && f[1].usage == 0.0 && f[1].demand == 0.0 && f[1].value_out == 0.0));
  CHECK(f[1].shock == 1.0);
  CHECK(f[2].cls == 4);
  CHECK(f[2].usage == 3.0);

  const std::string text = wire::encode_tick(m, kClasses);
  CHECK(text.find(R"({"class":"h100-80g"})") != std::string::npos);  // defaults omitted
  const auto back = wire::decode_tick(text, kClasses).value();
  CHECK(back.timestamp_ms == m.timestamp_ms);
  CHECK(back.sequence == m.sequence);
  REQUIRE(back.tick.flows.size() == 3);
  for (std::size_t k = 0; k < 3; ++k) {
    CHECK(back.tick.flows[k].cls == f[k].cls);
    CHECK(back.tick.flows[k].supply_in == f[k].supply_in);
    CHECK(back.tick.flows[k].usage == f[k].usage);
    CHECK(back.tick.flows[k].demand == f[k].demand);
    CHECK(back.tick.flows[k].value_out == f[k].value_out);
    CHECK(back.tick.flows[k].shock == f[k].shock);
  }
  const auto bare = wire::decode_tick(R"({"dt": 0, "flows": []})", kClasses).value();
  CHECK_FALSE(bare.timestamp_ms);
  CHECK_FALSE(bare.sequence);
  CHECK(wire::encode_tick(bare, kClasses) == R"({"dt":0,"flows":[]})");

  auto market = market::Market::create(wire_test::five_classes()).value();  // the market takes it
  CHECK(market.tick(m.tick));
}

TEST_CASE("tick errors: class ids", "[wire][tick][errors]") {
  const auto e = wire::decode_tick(replace(kTick, R"("cpu")", R"("tpu-v5")"), kClasses).error();
  CHECK(e.code == Errc::unknown_symbol);
  CHECK(e.to_string() ==
        R"(flows[2].class: unknown compute class "tpu-v5" (known: h100-80g, a100-80g, l40s-48g, l4-24g, cpu))");
  CHECK(tick_error(replace(kTick, R"("cpu")", R"("l4-24g")")) ==
        R"(flows[2].class: class "l4-24g" is listed more than once (first at flows[0]))");
  CHECK(tick_error(replace(kTick, R"({"class": "h100-80g"})", "{}")) == "flows[1].class: required key is missing");
  CHECK(tick_error(replace(kTick, R"("h100-80g")", "1")) == "flows[1].class: must be a string, got number");
}

TEST_CASE("tick errors: structure, types and ranges", "[wire][tick][errors]") {
  CHECK(tick_error(R"({"dt": 1, "flows": [}")") == "line 1, column 21: syntax error");
  CHECK(tick_error(R"({"flows": []})") == "dt: required key is missing");
  CHECK(tick_error(R"({"dt": 1})") == "flows: required key is missing");
  CHECK(tick_error(R"({"dt": "1", "flows": []})") == "dt: must be a number, got string");
  CHECK(tick_error(R"({"dt": -1, "flows": []})") == "dt: must be >= 0");
  CHECK(tick_error(R"({"dt": 1, "flows": {}})") == "flows: must be an array, got object");
  CHECK(tick_error(R"({"dt": 1, "flows": [[]]})") == "flows[0]: must be an object, got array");
  CHECK(tick_error(replace(kTick, R"("supply_in")", R"("s")")) ==
        R"(flows[0].s: unknown key (expected one of "class", "supply_in", "usage", "demand", "value_out", "shock"))");
  CHECK(tick_error(replace(kTick, R"("usage": 3)", R"("usage": -3)")) == "flows[2].usage: must be >= 0");
  CHECK(tick_error(replace(kTick, R"("demand": 7)", R"("demand": 1e999)")) == "flows[0].demand: must be a finite number");
  CHECK(tick_error(replace(kTick, "0.75", "0")) == "flows[0].shock: must be > 0");
  CHECK(tick_error(replace(kTick, "1732629600000", "-1")) == "timestamp_ms: must be an integer in [0, 2^64)");
  CHECK(tick_error(replace(kTick, "1732629600000", "9223372036854775808")) == "timestamp_ms: must be below 2^63");
  CHECK(tick_error(replace(kTick, "18446744073709551615", "1.5")) == "sequence: must be an integer in [0, 2^64)");
  CHECK(tick_error(replace(kTick, "18446744073709551615", "\"7\"")) == "sequence: must be an integer, got string");
  CHECK(wire::decode_tick(replace(kTick, "18446744073709551615", "7.0"), kClasses)->sequence == 7u);
  CHECK(tick_error(replace(kTick, R"("dt")", R"("seq": 1, "dt")")).rfind("seq: unknown key", 0) == 0);
}

TEST_CASE("snapshot: encodes the market's snapshot and round trips exactly", "[wire][snapshot]") {
  const auto market = wire_test::ticked_market();
  const auto& s = market.snapshot();
  REQUIRE_FALSE(s.cuts.empty());
  const auto& states = market.config().regime.states;
  const std::string text = wire::encode_snapshot(s, market.classes(), states);
  CHECK(text.rfind(R"({"tick":3,"time":3,"classes":[{"class":"h100-80g","price":)", 0) == 0);
  CHECK(text.find(R"("regime_posterior":{"slack":)") != std::string::npos);
  check_same(wire::decode_snapshot(text, market.classes(), states).value(), s);

  std::string buffer = "stale";
  wire::encode_snapshot_into(buffer, s, market.classes(), states);
  CHECK(buffer == text);
}

TEST_CASE("snapshot errors", "[wire][snapshot][errors]") {
  const auto market = wire_test::ticked_market();
  const auto& states = market.config().regime.states;
  const std::string text = wire::encode_snapshot(market.snapshot(), market.classes(), states);
  const auto err = [&](const std::string& t) { return error_text(wire::decode_snapshot(t, market.classes(), states)); };
  const auto cpu = text.find(R"(,{"class":"cpu")");
  const auto cpu_end = text.find('}', cpu);
  CHECK(err(text.substr(0, cpu) + text.substr(cpu_end + 1)) == R"(classes: class "cpu" is missing)");
  CHECK(err(replace(text, R"({"class":"cpu")", R"({"class":"l4-24g")")) ==
        R"(classes[4].class: class "l4-24g" is listed more than once (first at classes[3]))");
  CHECK(err(replace(text, R"({"class":"cpu")", R"({"class":"gpu")")).rfind(R"(classes[4].class: unknown compute class "gpu")", 0) == 0);
  CHECK(err(replace(text, R"("cuts":[{"class":"h100-80g")", R"("cuts":[{"class":"h200")"))
            .rfind("cuts[0].class: unknown compute class", 0) == 0);
  const auto label = market.snapshot().regime_label;
  CHECK(err(replace(text, R"("regime":")" + label, R"("regime":"calm)")) == "regime: is not one of the regime states");
  CHECK(err(replace(text, R"({"slack":)", R"({"calm":)")).rfind("regime_posterior.calm: unknown regime", 0) == 0);
  CHECK(err(replace(text, R"("price":)", R"("price":0,"p":)")).rfind("classes[0].p: unknown key", 0) == 0);
  CHECK(err(replace(text, R"("substeps":)", R"("substeps":-)")) == "substeps: must be an integer in [0, 2^64)");
  CHECK(err(replace(text, R"("substeps":)", R"("substeps":4294967296,"x":)")).rfind("x: unknown key", 0) == 0);
  CHECK(err(replace(text, R"("restore_limited":)", R"("restore_limited":1,"r":)")).rfind("r: unknown key", 0) == 0);
}
