// Decisions: every field encoded (routed and rejected), round trips (text exactly, the explanatory
// figures to their 6 significant digits), decoding errors.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include <boost/json/value.hpp>

#include "fixtures.hpp"
#include "hanzo/hmm/io/json.hpp"

using namespace hanzo::hmm;
using wire_test::error_text;
using wire_test::replace;
namespace json = boost::json;

namespace {

json::object as_json(const std::string& text) { return io::parse_json(text).value().as_object(); }

double number(const json::value& v) { return v.is_double() ? v.get_double() : v.to_number<double>(); }

// A figure written with 6 significant digits reads back within half a unit of the 6th digit.
bool close6(double got, double want) { return std::fabs(got - want) <= 5.000001e-6 * std::fabs(want); }

void check_same(const routing::Decision& a, const routing::Decision& b) {
  CHECK(a.request_id == b.request_id);
  CHECK(a.tenant == b.tenant);
  CHECK(a.status == b.status);
  CHECK(a.model == b.model);
  CHECK(a.provider == b.provider);
  CHECK(a.compute_class == b.compute_class);
  CHECK(a.regime == b.regime);
  CHECK(a.regime_posterior == b.regime_posterior);  // exact: it must still sum to 1
  CHECK(a.market_regime == b.market_regime);
  CHECK(close6(a.confidence, b.confidence));
  CHECK(a.price_per_token == b.price_per_token);  // exact: matched against market prices
  CHECK(close6(a.expected_cost, b.expected_cost));
  CHECK(close6(a.expected_latency_ms, b.expected_latency_ms));
  CHECK(close6(a.expected_free_energy, b.expected_free_energy));
  CHECK(a.fallback_models == b.fallback_models);
  REQUIRE(a.alternatives.size() == b.alternatives.size());
  for (std::size_t i = 0; i < a.alternatives.size(); ++i) {
    const auto &x = a.alternatives[i], &y = b.alternatives[i];
    CHECK(x.model == y.model);
    CHECK(close6(x.probability, y.probability));
    CHECK(close6(x.risk, y.risk));
    CHECK(close6(x.ambiguity, y.ambiguity));
    CHECK(close6(x.habit, y.habit));
    CHECK(close6(x.expected_free_energy, y.expected_free_energy));
  }
  REQUIRE(a.excluded.size() == b.excluded.size());
  for (std::size_t i = 0; i < a.excluded.size(); ++i) {
    CHECK(a.excluded[i].model == b.excluded[i].model);
    CHECK(a.excluded[i].reason == b.excluded[i].reason);
  }
  CHECK(a.reasoning == b.reasoning);
  CHECK(a.meets_preferences.latency == b.meets_preferences.latency);
  CHECK(a.meets_preferences.cost == b.meets_preferences.cost);
  CHECK(a.meets_preferences.quality == b.meets_preferences.quality);
}

}  // namespace

TEST_CASE("decision: a routed decision encodes every field", "[wire][decision]") {
  const auto d = wire_test::routed_decision();
  REQUIRE(d.status == routing::Status::routed);
  REQUIRE(d.alternatives.size() >= 2);
  REQUIRE_FALSE(d.excluded.empty());
  REQUIRE_FALSE(d.fallback_models.empty());
  const auto o = as_json(wire::encode_decision(d));
  CHECK(o.size() == 19);  // no "redelivered", nothing else
  CHECK(o.at("request_id") == "req-123");
  CHECK(o.at("tenant") == "acme");
  CHECK(o.at("status") == "routed");
  CHECK(o.at("model") == d.model.c_str());
  CHECK(o.at("provider") == d.provider.c_str());
  CHECK(o.at("compute_class") == d.compute_class.c_str());
  CHECK(o.at("regime") == d.regime.c_str());
  const auto& post = o.at("regime_posterior").as_object();
  REQUIRE(post.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) CHECK(number(post.at(routing::kTenantRegimeNames[i])) == d.regime_posterior[i]);
  CHECK(o.at("market_regime") == d.market_regime.c_str());
  CHECK(close6(number(o.at("confidence")), d.confidence));
  CHECK(number(o.at("price_per_token")) == d.price_per_token);
  CHECK(close6(number(o.at("expected_cost")), d.expected_cost));
  CHECK(close6(number(o.at("expected_latency_ms")), d.expected_latency_ms));
  CHECK(close6(number(o.at("expected_free_energy")), d.expected_free_energy));
  CHECK(o.at("fallback_models").as_array().size() == d.fallback_models.size());
  const auto& alts = o.at("alternatives").as_array();
  REQUIRE(alts.size() == d.alternatives.size());
  const auto& a0 = alts[0].as_object();
  CHECK(a0.size() == 6);
  CHECK(a0.at("model") == d.alternatives[0].model.c_str());
  CHECK(close6(number(a0.at("probability")), d.alternatives[0].probability));
  CHECK(close6(number(a0.at("risk")), d.alternatives[0].risk));
  CHECK(close6(number(a0.at("ambiguity")), d.alternatives[0].ambiguity));
  CHECK(close6(number(a0.at("habit")), d.alternatives[0].habit));
  CHECK(close6(number(a0.at("expected_free_energy")), d.alternatives[0].expected_free_energy));
  const auto& e0 = o.at("excluded").as_array()[0].as_object();
  CHECK(e0.at("model") == d.excluded[0].model.c_str());
  CHECK(e0.at("reason") == d.excluded[0].reason.c_str());
  CHECK(o.at("reasoning") == d.reasoning.c_str());
  const auto& mp = o.at("meets_preferences").as_object();
  CHECK(mp.at("latency") == d.meets_preferences.latency);
  CHECK(mp.at("cost") == d.meets_preferences.cost);
  CHECK(mp.at("quality") == d.meets_preferences.quality);

  const auto back = wire::decode_decision(wire::encode_decision(d)).value();
  check_same(back.decision, d);
  CHECK_FALSE(back.redelivered);
}

TEST_CASE("decision: a posterior whose entries would not sum to 1 once rounded reads back", "[wire][decision]") {
  auto d = wire_test::routed_decision();
  // Rounded to 6 digits each entry is 4e-7 high: 1.6e-6 in all, past the decoder's 1e-6.
  d.regime_posterior = {0.1234564, 0.2345674, 0.3456784, 0.0};
  d.regime_posterior[3] = 1.0 - d.regime_posterior[0] - d.regime_posterior[1] - d.regime_posterior[2];
  const auto back = wire::decode_decision(wire::encode_decision(d));
  REQUIRE(back);
  CHECK(back->decision.regime_posterior == d.regime_posterior);
}

TEST_CASE("decision: a rejected decision nulls the chosen model's fields", "[wire][decision]") {
  const auto d = wire_test::rejected_decision();
  REQUIRE(d.status == routing::Status::rejected);
  const auto text = wire::encode_decision(d);
  const auto o = as_json(text);
  CHECK(o.size() == 19);
  CHECK(o.at("status") == "rejected");
  for (const char* key : {"model", "provider", "compute_class", "confidence", "price_per_token", "expected_cost",
                          "expected_latency_ms", "expected_free_energy"})
    CHECK(o.at(key).is_null());
  CHECK(o.at("alternatives").as_array().empty());
  CHECK(o.at("fallback_models").as_array().empty());
  CHECK(o.at("excluded").as_array().size() == routing::default_catalogue().models.size());
  CHECK(o.at("reasoning") == d.reasoning.c_str());
  check_same(wire::decode_decision(text).value().decision, d);  // the router's rejections hold "" and 0 there
}

TEST_CASE("decision: redelivered flag, buffer reuse, escaping", "[wire][decision]") {
  auto d = wire_test::routed_decision();
  const auto flagged = wire::encode_decision(d, true);
  CHECK(as_json(flagged).at("redelivered") == true);
  CHECK(wire::decode_decision(flagged)->redelivered);

  std::string buffer = "left over from the last decision";
  wire::encode_decision_into(buffer, d);
  CHECK(buffer == wire::encode_decision(d));

  d.reasoning = "a \"quoted\" \\ path\nwith\ttabs, \x01 control, é and 🙂";
  d.excluded.push_back({"weird \"name\"", "reason\r\n"});
  check_same(wire::decode_decision(wire::encode_decision(d)).value().decision, d);
}

#ifdef NDEBUG
TEST_CASE("decision: a non-finite number is written as null, never as NaN", "[wire][decision]") {
  auto d = wire_test::routed_decision();
  d.confidence = std::numeric_limits<double>::quiet_NaN();
  d.alternatives[0].risk = -std::numeric_limits<double>::infinity();
  const auto o = as_json(wire::encode_decision(d));  // still JSON
  CHECK(o.at("confidence").is_null());
  CHECK(o.at("alternatives").as_array()[0].as_object().at("risk").is_null());
}
#endif

TEST_CASE("decision errors", "[wire][decision][errors]") {
  const std::string routed = wire::encode_decision(wire_test::routed_decision());
  const std::string rejected = wire::encode_decision(wire_test::rejected_decision());
  const auto err = [](const std::string& text) { return error_text(wire::decode_decision(text)); };
  CHECK(err(replace(routed, R"("status":"routed")", R"("status":"maybe")")) ==
        R"(status: must be "routed" or "rejected")");
  const auto model_at = routed.find(R"("model":")");
  const auto model_end = routed.find('"', model_at + 9);
  CHECK(err(routed.substr(0, model_at) + R"("model":null)" + routed.substr(model_end + 1)) ==
        "model: must be a string, got null");
  CHECK(err(replace(rejected, R"("status":"rejected")", R"("status":"routed")")) == "model: must be a string, got null");
  CHECK(err(replace(routed, R"("crisis":)", R"("panic":)")) ==
        R"(regime_posterior.panic: unknown regime (expected one of "exploration", "exploitation", "crisis", "transition"))");
  CHECK(err(replace(routed, R"("exploration":0.2)", R"("exploration":0.3)")) == "regime_posterior: must sum to 1");
  CHECK(err(replace(routed, R"("reasoning":)", R"("reasonning":)")) ==
        R"(reasonning: unknown key (did you mean "reasoning"?))");
  CHECK(err(replace(routed, R"("habit":)", R"("habbit":)")) ==
        R"(alternatives[0].habbit: unknown key (did you mean "habit"?))");
  CHECK(err(replace(routed, R"("reason":)", R"("why":)")) ==
        R"(excluded[0].why: unknown key (expected one of "model", "reason"))");
  CHECK(err(replace(routed, R"("latency":)", R"("speed":)")) ==
        R"(meets_preferences.speed: unknown key (expected one of "latency", "cost", "quality"))");
  CHECK(err(replace(routed, R"(,"reasoning":)", R"(,"x":)")) == "x: unknown key (expected one of \"request_id\", "
                                                                 "\"tenant\", \"status\", \"model\", \"provider\", "
                                                                 "\"compute_class\", \"regime\", \"regime_posterior\", "
                                                                 "\"market_regime\", \"confidence\", \"price_per_token\", "
                                                                 "\"expected_cost\", \"expected_latency_ms\", "
                                                                 "\"expected_free_energy\", \"fallback_models\", "
                                                                 "\"alternatives\", \"excluded\", \"reasoning\", "
                                                                 "\"meets_preferences\", \"redelivered\")");
  CHECK(err(replace(routed, R"("confidence":0.)", R"("confidence":1.)")) == "confidence: must be in [0, 1]");
  CHECK(err(replace(routed, R"("request_id":)", R"("redelivered":1,"request_id":)")) ==
        "redelivered: must be true or false, got number");
  CHECK(err(rejected.substr(0, rejected.size() - 1)).rfind("line 1, column ", 0) == 0);
}

TEST_CASE("decision errors: element types", "[wire][decision][errors]") {
  const std::string routed = wire::encode_decision(wire_test::routed_decision());
  const auto err = [](const std::string& text) { return error_text(wire::decode_decision(text)); };
  const auto p = routed.find(R"("probability":)", routed.find(R"("probability":)") + 1);  // alternatives[1]
  const auto comma = routed.find(',', p);
  CHECK(err(routed.substr(0, p) + R"("probability":"high")" + routed.substr(comma)) ==
        "alternatives[1].probability: must be a number, got string");
  CHECK(err(routed.substr(0, p) + R"("probability":1.5)" + routed.substr(comma)) ==
        "alternatives[1].probability: must be in [0, 1]");
  CHECK(err(replace(routed, R"("fallback_models":[)", R"("fallback_models":[7,)")) ==
        "fallback_models[0]: must be a string, got number");
}
