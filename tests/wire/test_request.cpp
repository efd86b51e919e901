// Requests and feedback: round trips, the Kafka key, and every decoding error with its path.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

using namespace hanzo::hmm;
using wire_test::error_text;
using wire_test::replace;

namespace {

// A request using every field.
const std::string kFull =
    R"({"request_id": "r-1", "tenant": "acme", "input": "Summarise this.", "context": "Earlier turns.",)"
    R"( "preferences": {"max_latency_ms": 1500, "max_cost_per_token": 2.5e-6, "preferred_models": ["gpt-4o", "gemma-2-9b"],)"
    R"( "quality_threshold": 0.75}, "requirements": {"min_tokens_per_second": 30, "max_memory_gb": 80.5,)"
    R"( "requires_function_calling": true, "requires_vision": true, "region": "us-east"},)"
    R"( "observations": [0.5, -1.25, 3, 1e-300]})";

const std::string kFeedback =
    R"({"request_id": "r-1", "tenant": "acme", "model": "gpt-4o", "latency_ms": 612.5, "tokens_per_second": 88,)"
    R"( "quality": 0.91, "cost_per_token": 4.2e-6, "success": false})";

std::string request_error(const std::string& text, const wire::Limits& limits = {}) {
  return error_text(wire::decode_request(text, limits));
}

void check_same(const wire::RequestMessage& a, const wire::RequestMessage& b) {
  CHECK(a.tenant == b.tenant);
  const auto &x = a.request, &y = b.request;
  CHECK(x.request_id == y.request_id);
  CHECK(x.input == y.input);
  CHECK(x.context == y.context);
  CHECK(x.preferences.max_latency_ms == y.preferences.max_latency_ms);
  CHECK(x.preferences.max_cost_per_token == y.preferences.max_cost_per_token);
  CHECK(x.preferences.preferred_models == y.preferences.preferred_models);
  CHECK(x.preferences.quality_threshold == y.preferences.quality_threshold);
  CHECK(x.requirements.min_tokens_per_second == y.requirements.min_tokens_per_second);
  CHECK(x.requirements.max_memory_gb == y.requirements.max_memory_gb);
  CHECK(x.requirements.requires_function_calling == y.requirements.requires_function_calling);
  CHECK(x.requirements.requires_vision == y.requirements.requires_vision);
  CHECK(x.requirements.region == y.requirements.region);
  CHECK(x.observations == y.observations);
}

}  // namespace

TEST_CASE("request: every field decodes", "[wire][request]") {
  const auto m = wire::decode_request(kFull).value();
  CHECK(m.tenant == "acme");
  const auto& q = m.request;
  CHECK(q.request_id == "r-1");
  CHECK(q.input == "Summarise this.");
  CHECK(q.context == "Earlier turns.");
  CHECK(q.preferences.max_latency_ms == 1500.0);
  CHECK(q.preferences.max_cost_per_token == 2.5e-6);
  CHECK(q.preferences.preferred_models == std::vector<std::string>{"gpt-4o", "gemma-2-9b"});
  CHECK(q.preferences.quality_threshold == 0.75);
  CHECK(q.requirements.min_tokens_per_second == 30.0);
  CHECK(q.requirements.max_memory_gb == 80.5);
  CHECK(q.requirements.requires_function_calling);
  CHECK(q.requirements.requires_vision);
  CHECK(q.requirements.region == "us-east");
  CHECK(q.observations == std::vector<double>{0.5, -1.25, 3.0, 1e-300});
}

TEST_CASE("request: round trips, full and minimal, with awkward text", "[wire][request]") {
  const auto full = wire::decode_request(kFull).value();
  check_same(wire::decode_request(wire::encode_request(full)).value(), full);

  wire::RequestMessage minimal;
  minimal.request.request_id = "r-2";
  minimal.request.input = "quote \" backslash \\ newline \n tab \t nul \0 bell \x07 unicode é 漢字 🙂";
  minimal.request.input.push_back('\0');
  const std::string text = wire::encode_request(minimal);
  CHECK(text.find("tenant") == std::string::npos);  // defaults are omitted
  CHECK(text.find("observations") == std::string::npos);
  CHECK(text.find(R"("preferences":{})") != std::string::npos);
  const auto back = wire::decode_request(text).value();
  check_same(back, minimal);
  CHECK(back.request.input.size() == minimal.request.input.size());
  CHECK(wire::decode_request(R"({"request_id": "r-3", "input": ""})"));  // preferences, requirements optional
}

TEST_CASE("request: the record key carries the tenant", "[wire][request]") {
  const std::string no_tenant = replace(kFull, R"("tenant": "acme", )", "");
  CHECK(wire::decode_request(no_tenant)->tenant.empty());
  CHECK(wire::decode_keyed_request("acme", no_tenant)->tenant == "acme");
  CHECK(wire::decode_keyed_request("acme", kFull)->tenant == "acme");
  CHECK(error_text(wire::decode_keyed_request("globex", kFull)) ==
        R"(tenant: "acme" does not match the record key "globex")");
  CHECK(error_text(wire::decode_keyed_request("", no_tenant)) == "tenant: the record key (the tenant id) is empty");
  CHECK(request_error(replace(kFull, R"("acme")", R"("")")) == "tenant: must not be empty");
}

TEST_CASE("request errors: malformed JSON and structure", "[wire][request][errors]") {
  CHECK(request_error("{\"request_id\": \"r-1\",\n  \"input\": }") == "line 2, column 12: syntax error");
  CHECK(wire::decode_request("{").error().code == Errc::parse_error);
  CHECK(request_error("") == "line 1, column 1: no JSON value (the input is empty)");
  CHECK(request_error("[1]") == "must be an object, got array");
  CHECK(request_error(replace(kFull, R"("input")", R"("request_id": "x", "input")"))
            .find(R"(duplicate key "request_id")") != std::string::npos);
  CHECK(request_error(replace(kFull, R"("request_id": "r-1", )", "")) == "request_id: required key is missing");
  CHECK(request_error(replace(kFull, R"("input": "Summarise this.", )", "")) == "input: required key is missing");
}

TEST_CASE("request errors: unknown keys are named, with a suggestion", "[wire][request][errors]") {
  CHECK(request_error(replace(kFull, R"("max_latency_ms")", R"("max_latencyms")")) ==
        R"(preferences.max_latencyms: unknown key (did you mean "max_latency_ms"?))");
  CHECK(request_error(replace(kFull, R"("region")", R"("regoin")")) ==
        R"(requirements.regoin: unknown key (did you mean "region"?))");
  CHECK(request_error(replace(kFull, R"("input")", R"("priority": 1, "input")")) ==
        R"(priority: unknown key (expected one of "request_id", "input", "tenant", "context", "preferences", )"
        R"("requirements", "observations"))");
  const auto e = wire::decode_request(replace(kFull, R"("input")", R"("x": 1, "input")")).error();
  CHECK(e.code == Errc::parse_error);
  CHECK(e.where == "x");
}

TEST_CASE("request errors: wrong types", "[wire][request][errors]") {
  CHECK(request_error(replace(kFull, "1500", R"("1500")")) ==
        "preferences.max_latency_ms: must be a number, got string");
  CHECK(request_error(replace(kFull, R"("r-1")", "7")) == "request_id: must be a string, got number");
  CHECK(request_error(replace(kFull, R"("requires_vision": true)", R"("requires_vision": "yes")")) ==
        "requirements.requires_vision: must be true or false, got string");
  CHECK(request_error(replace(kFull, R"("gemma-2-9b")", "null")) ==
        "preferences.preferred_models[1]: must be a string, got null");
  CHECK(request_error(replace(kFull, R"(-1.25)", "[1]")) == "observations[1]: must be a number, got array");
  CHECK(request_error(R"({"request_id": "r", "input": "", "preferences": []})") ==
        "preferences: must be an object, got array");
  CHECK(request_error(R"({"request_id": "r", "input": "", "observations": {}})") ==
        "observations: must be an array, got object");
}

TEST_CASE("request errors: values out of range", "[wire][request][errors]") {
  CHECK(request_error(replace(kFull, "0.75", "1.5")) == "preferences.quality_threshold: must be in [0, 1]");
  CHECK(request_error(replace(kFull, "1500", "-1")) == "preferences.max_latency_ms: must be finite and > 0");
  CHECK(request_error(replace(kFull, "2.5e-6", "0")) == "preferences.max_cost_per_token: must be finite and > 0");
  CHECK(request_error(replace(kFull, "80.5", "0")) == "requirements.max_memory_gb: must be finite and > 0");
  CHECK(request_error(replace(kFull, ": 30,", ": -3,")) == "requirements.min_tokens_per_second: must be finite and >= 0");
  CHECK(request_error(replace(kFull, "1500", "1e999")) == "preferences.max_latency_ms: must be a finite number");
  CHECK(request_error(replace(kFull, "1e-300", "-1e400")) == "observations[3]: must be a finite number");
  CHECK(request_error(replace(kFull, R"("r-1")", R"("")")) == "request_id: must not be empty");
  CHECK(request_error(replace(kFull, R"("us-east")", R"("")")) == "requirements.region: must not be empty");
  CHECK(wire::decode_request(replace(kFull, "0.75", "1.5")).error().code == Errc::invalid_value);
}

TEST_CASE("request errors: sizes are bounded", "[wire][request][errors]") {
  const std::string big(wire::Limits{}.max_input_bytes + 1, 'x');
  CHECK(request_error(replace(kFull, "Summarise this.", big)) == "input: has 1048577 bytes, more than the limit of 1048576");
  CHECK(request_error(replace(kFull, "Earlier turns.", big)) == "context: has 1048577 bytes, more than the limit of 1048576");
  CHECK(wire::decode_request(replace(kFull, "Summarise this.", big.substr(1))));  // exactly at the limit

  std::string models, observations;
  for (int i = 0; i < 65; ++i) models += std::string(i ? "," : "") + "\"m" + std::to_string(i) + "\"";
  for (int i = 0; i < 65; ++i) observations += std::string(i ? "," : "") + std::to_string(i);
  CHECK(request_error(replace(kFull, R"("gpt-4o", "gemma-2-9b")", models)) ==
        "preferences.preferred_models: has 65 entries, more than the limit of 64");
  CHECK(request_error(replace(kFull, "0.5, -1.25, 3, 1e-300", observations)) ==
        "observations: has 65 entries, more than the limit of 64");
  CHECK(request_error(replace(kFull, "r-1", std::string(257, 'r'))) ==
        "request_id: has 257 bytes, more than the limit of 256");

  wire::Limits tight;
  tight.max_document_bytes = 64;
  CHECK(request_error(kFull, tight) ==
        "the document has " + std::to_string(kFull.size()) + " bytes, more than the limit of 64");
  tight = {};
  tight.max_observations = 3;
  CHECK(request_error(kFull, tight) == "observations: has 4 entries, more than the limit of 3");
}

TEST_CASE("feedback: decodes, round trips, takes the key", "[wire][feedback]") {
  const auto f = wire::decode_feedback(kFeedback).value();
  CHECK(f.request_id == "r-1");
  CHECK(f.tenant == "acme");
  CHECK(f.model == "gpt-4o");
  CHECK(f.latency_ms == 612.5);
  CHECK(f.tokens_per_second == 88.0);
  CHECK(f.quality == 0.91);
  CHECK(f.cost_per_token == 4.2e-6);
  CHECK_FALSE(f.success);
  const auto back = wire::decode_feedback(wire::encode_feedback(f)).value();
  CHECK(back.request_id == f.request_id);
  CHECK(back.tenant == f.tenant);
  CHECK(back.model == f.model);
  CHECK(back.latency_ms == f.latency_ms);
  CHECK(back.tokens_per_second == f.tokens_per_second);
  CHECK(back.quality == f.quality);
  CHECK(back.cost_per_token == f.cost_per_token);
  CHECK(back.success == f.success);

  const std::string no_tenant = replace(kFeedback, R"("tenant": "acme", )", "");
  CHECK(wire::decode_feedback(no_tenant)->tenant.empty());
  CHECK(wire::decode_keyed_feedback("acme", no_tenant)->tenant == "acme");
  CHECK(error_text(wire::decode_keyed_feedback("globex", kFeedback)) ==
        R"(tenant: "acme" does not match the record key "globex")");
}

TEST_CASE("feedback errors", "[wire][feedback][errors]") {
  const auto fb = [](const std::string& text) { return error_text(wire::decode_feedback(text)); };
  CHECK(fb(replace(kFeedback, R"(, "success": false)", "")) == "success: required key is missing");
  CHECK(fb(replace(kFeedback, "false", "0")) == "success: must be true or false, got number");
  CHECK(fb(replace(kFeedback, "0.91", "1.01")) == "quality: must be in [0, 1]");
  CHECK(fb(replace(kFeedback, "612.5", "-1")) == "latency_ms: must be finite and >= 0");
  CHECK(fb(replace(kFeedback, "612.5", "1e999")) == "latency_ms: must be a finite number");
  CHECK(fb(replace(kFeedback, "\"gpt-4o\"", "\"\"")) == "model: must not be empty");
  CHECK(fb(replace(kFeedback, "\"model\"", "\"modle\"")) == R"(modle: unknown key (did you mean "model"?))");
  CHECK(fb("{").rfind("line 1, column 2:", 0) == 0);
}

// What a producer built on the routing crate sends: every Option serialised (null when
// absent) and the context as a list of turns.
TEST_CASE("request: the crate's JSON (null optionals, context as a list) decodes", "[wire][request]") {
  const std::string crate =
      R"({"request_id": "r-9", "tenant": null, "input": "Hi", "context": ["first turn", "", "third"],)"
      R"( "preferences": {"max_latency_ms": null, "max_cost_per_token": 1e-5, "preferred_models": null,)"
      R"( "quality_threshold": null}, "requirements": {"min_tokens_per_second": null, "max_memory_gb": null,)"
      R"( "requires_function_calling": null, "requires_vision": false, "region": null}, "observations": null})";
  auto m = wire::decode_request(crate, {});
  INFO(error_text(m));
  REQUIRE(m);
  CHECK(m->tenant.empty());
  CHECK(m->request.context == "first turn\n\nthird");  // joined with newlines, empty turns kept
  CHECK_FALSE(m->request.preferences.max_latency_ms);
  CHECK(m->request.preferences.max_cost_per_token == 1e-5);
  CHECK(m->request.preferences.preferred_models.empty());
  CHECK(m->request.preferences.quality_threshold == 0.0);
  CHECK_FALSE(m->request.requirements.min_tokens_per_second);
  CHECK_FALSE(m->request.requirements.region);
  CHECK_FALSE(m->request.requirements.requires_function_calling);
  CHECK(m->request.observations.empty());
  // Whole objects may be null too; an empty list is an empty context.
  auto bare = wire::decode_request(R"({"request_id": "r", "input": "", "context": [], "preferences": null})", {});
  REQUIRE(bare);
  CHECK(bare->request.context.empty());
  // A single string still works and equals the one-turn list.
  auto one = wire::decode_request(R"({"request_id": "r", "input": "", "context": ["only"]})", {});
  REQUIRE(one);
  CHECK(one->request.context == "only");
}

TEST_CASE("request errors: what the crate's forms still refuse", "[wire][request][errors]") {
  // Required fields may not be null; list entries must be strings; the joined context is bounded.
  CHECK(request_error(R"({"request_id": null, "input": ""})") == "request_id: must be a string, got null");
  CHECK(request_error(R"({"request_id": "r", "input": null})") == "input: must be a string, got null");
  CHECK(request_error(R"({"request_id": "r", "input": "", "context": ["a", 3]})") ==
        "context[1]: must be a string, got number");
  CHECK(request_error(R"({"request_id": "r", "input": "", "context": {"a": 1}})") ==
        "context: must be a string, got object");
  wire::Limits small;
  small.max_input_bytes = 5;
  CHECK(request_error(R"({"request_id": "r", "input": "", "context": ["abc", "def"]})", small) ==
        "context: has 7 bytes joined, more than the limit of 5");
  CHECK(request_error(R"({"request_id": "r", "input": "", "context": ["abcdef"]})", small) ==
        "context[0]: has 6 bytes, more than the limit of 5");
}

TEST_CASE("feedback: a null tenant reads as absent", "[wire][feedback]") {
  auto f = wire::decode_feedback(replace(kFeedback, R"("tenant": "acme")", R"("tenant": null)"), {});
  REQUIRE(f);
  CHECK(f->tenant.empty());
  CHECK(error_text(wire::decode_feedback(replace(kFeedback, R"("quality": 0.91)", R"("quality": null)"), {})) ==
        "quality: must be a number, got null");
}

TEST_CASE("request: requirements.hard_budget decodes, round trips and needs a budget", "[wire][request]") {
  const std::string hard = replace(kFull, R"("region": "us-east"})", R"("region": "us-east", "hard_budget": true})");
  const auto m = wire::decode_request(hard).value();
  CHECK(m.request.requirements.hard_budget);
  CHECK(wire::decode_request(wire::encode_request(m)).value().request.requirements.hard_budget);
  CHECK_FALSE(wire::decode_request(kFull).value().request.requirements.hard_budget);
  CHECK_FALSE(wire::decode_request(replace(hard, "true}", "null}")).value().request.requirements.hard_budget);
  CHECK(request_error(replace(hard, R"("max_cost_per_token": 2.5e-6, )", "")) ==
        "requirements.hard_budget: needs preferences.max_cost_per_token");
  CHECK(request_error(replace(hard, "true}", "1}")) == "requirements.hard_budget: must be true or false, got number");
}
