// The report: JSON that parses and reads back to the same numbers; readable text.
#include <catch2/catch.hpp>

#include <boost/json.hpp>

#include "hanzo/hmm/loadgen/report.hpp"

using namespace hanzo::hmm::loadgen;
namespace json = boost::json;

namespace {
Report sample() {
  Report r;
  r.run_id = "lg-1a2b";
  r.mode = "rate";
  r.target_rate = 12345.5;
  r.tenants = 100000;
  r.seed = 18446744073709551557ULL;  // beyond int64: must stay exact
  r.duration_s = 10.0;
  r.send_s = 10.000123;
  r.elapsed_s = 10.0421;
  r.requests_sent = 123456;
  r.decisions_received = 123450;
  r.missing = 6;
  r.duplicates = 2;
  r.routed = 120000;
  r.rejected = 3450;
  r.foreign = 77;
  r.invalid = 1;
  r.ticks_sent = 100;
  r.feedback_sent = 12000;
  r.send_errors = 3;
  r.first_error = "delivery: \"Local: Message timed out\"";
  r.requests_per_s = 12345.4;
  r.decisions_per_s = 0.1 + 0.2;  // not a short decimal
  r.latency = {123450, 1.25, 3.5, 7.125, 9.5, 42.0, 1.9, true};
  r.sample_decision = R"({"request_id":"lg-1a2b-0","status":"routed","confidence":0.25})";
  return r;
}
}  // namespace

TEST_CASE("loadgen report: JSON parses and round-trips its numbers", "[loadgen]") {
  const Report r = sample();
  const std::string text = to_json(r);
  CHECK(text.find('\n') == std::string::npos);
  const json::value doc = json::parse(text);
  const auto& o = doc.as_object();
  CHECK(o.at("requests_sent").to_number<std::uint64_t>() == 123456);
  CHECK(o.at("missing").to_number<std::uint64_t>() == 6);
  CHECK(o.at("seed").to_number<std::uint64_t>() == r.seed);
  CHECK(o.at("decisions_per_s").as_double() == r.decisions_per_s);
  CHECK(o.at("latency_ms").at("p99").as_double() == 7.125);
  CHECK(o.at("latency_ms").at("p999").as_double() == 9.5);
  CHECK(o.at("latency_ms").at("exact").as_bool());
  CHECK(o.at("sample_decision").at("status").as_string() == "routed");  // embedded as an object

  CHECK(text.find("\"decisions_per_s\":0.30000000000000004,") != std::string::npos);  // plain decimals
  CHECK(text.find(r.sample_decision) != std::string::npos);  // embedded verbatim

  auto back = report_from_json(text);
  REQUIRE(back);
  // The sample comes back as the same JSON value (re-serialised), everything else exactly.
  CHECK(json::parse(back->sample_decision) == json::parse(r.sample_decision));
  back->sample_decision = r.sample_decision;
  CHECK(*back == r);

  Report plain = r;
  plain.sample_decision = "not json";
  plain.mode = "max";
  plain.window = 20000;
  plain.latency.exact = false;
  CHECK(report_from_json(to_json(plain)).value() == plain);
  plain.sample_decision.clear();
  CHECK(json::parse(to_json(plain)).at("sample_decision").is_null());
  CHECK(report_from_json(to_json(plain)).value() == plain);
}

TEST_CASE("loadgen report: reading bad JSON names the problem", "[loadgen]") {
  CHECK_FALSE(report_from_json("{"));
  CHECK_FALSE(report_from_json("[1, 2]"));
  json::object o = json::parse(to_json(sample())).as_object();
  o.erase("missing");
  auto r = report_from_json(json::serialize(o));
  REQUIRE_FALSE(r);
  CHECK(r.error().where == "missing");
  o = json::parse(to_json(sample())).as_object();
  o["latency_ms"].as_object()["p50"] = "fast";
  r = report_from_json(json::serialize(o));
  REQUIRE_FALSE(r);
  CHECK(r.error().where == "latency_ms.p50");
}

TEST_CASE("loadgen report: text names every figure", "[loadgen]") {
  const std::string text = to_text(sample());
  for (const char* s : {"run lg-1a2b", "open loop at 12346 requests/s", "123456", "123450", "missing", "6  <--",
                        "duplicates", "p50 1.250", "p99 7.125", "exact, 123450 samples", "send errors",
                        "sample decision", "\"request_id\":\"lg-1a2b-0\""})
    CHECK_THAT(text, Catch::Contains(s));
}
