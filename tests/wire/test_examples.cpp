// The shipped examples (config/schemas/examples) decode with the C++ decoders; check_schemas.py
// validates the same files against the schemas.
#include <catch2/catch.hpp>

#include "fixtures.hpp"
#include "hanzo/hmm/io/json.hpp"

using namespace hanzo::hmm;

namespace {
std::string example(const std::string& name) {
  return io::read_file(std::string(HANZO_SCHEMA_DIR) + "/examples/" + name).value();
}
}  // namespace

TEST_CASE("examples: the request, as in the crate's README", "[wire][examples]") {
  const auto m = wire::decode_keyed_request("acme", example("request.json")).value();
  CHECK(m.tenant == "acme");
  CHECK(m.request.request_id == "req-123");
  CHECK(m.request.observations == std::vector<double>{0.5, 0.3, 0.8, 0.2});
  CHECK(m.request.preferences.quality_threshold == 0.8);
  CHECK(wire::decode_request(example("request.minimal.json")));
  // As a producer on the routing crate serialises it: null optionals, context as turns.
  const auto crate = wire::decode_keyed_request("acme", example("request.crate.json")).value();
  CHECK(crate.tenant == "acme");
  CHECK(crate.request.context == "You are a concise assistant.\nYesterday: three deploys.");
  CHECK(crate.request.preferences.max_cost_per_token == 0.00001);
}

TEST_CASE("examples: feedback, tick, decisions and snapshot decode", "[wire][examples]") {
  const auto classes = wire_test::five_classes();
  CHECK(wire::decode_feedback(example("feedback.json"))->model == "gpt-4o");
  CHECK(wire::decode_tick(example("tick.json"), classes.classes)->tick.flows.size() == 3);
  CHECK(wire::decode_decision(example("decision.json"))->decision.status == routing::Status::routed);
  CHECK(wire::decode_decision(example("decision.rejected.json"))->decision.status == routing::Status::rejected);
  const auto s = wire::decode_snapshot(example("price-snapshot.json"), classes.classes, classes.regime.states);
  INFO(wire_test::error_text(s));
  CHECK(s);
}
