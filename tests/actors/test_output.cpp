// Decision records: a router writes every decision into one reused kafka::Record, so nothing
// of an earlier decision may survive into a later one (headers above all: a "hanzo.model"
// header left over on a rejection would tell a restore that it was routed).
#include <catch2/catch.hpp>

#include "fixture.hpp"
#include "output.hpp"

using namespace hanzo::hmm;
using namespace hanzo::hmm::actors;

namespace {

routing::Decision decision(std::string tenant, routing::Status status, std::string model) {
  routing::Decision d;
  d.request_id = "req-" + tenant;
  d.tenant = std::move(tenant);
  d.status = status;
  d.model = std::move(model);
  d.regime = "steady";
  d.regime_posterior = {0.25, 0.25, 0.25, 0.25};
  d.market_regime = "normal";
  return d;
}

std::vector<kafka::Header> headers(std::initializer_list<std::pair<const char*, const char*>> kv) {
  std::vector<kafka::Header> out;
  for (const auto& [k, v] : kv) out.push_back({k, v});
  return out;
}

}  // namespace

TEST_CASE("a reused decision record carries only the latest decision: key, value, partition and headers", "[output]") {
  acttest::RecordingSink sink;
  const auto engine = Engine::create(daemon::DaemonConfig{}, &sink, nullptr).value();
  const Engine& e = *engine;
  kafka::Record r;

  const auto routed = decision("a-tenant-with-a-long-identifier-0001", routing::Status::routed, "gpt-large-long-name");
  decision_record_into(r, e, routed, 1000, {5, 7, 123456789});
  CHECK(r.topic == e.config.topics.decisions);
  CHECK(r.key == std::optional<std::string>("a-tenant-with-a-long-identifier-0001"));
  CHECK(r.partition == 5);
  CHECK(r.input_timestamp_ms == 1000);
  CHECK(r.headers == headers({{"hanzo.request.partition", "7"},
                              {"hanzo.request.offset", "123456789"},
                              {"hanzo.model", "gpt-large-long-name"}}));
  CHECK(r.value == decision_record(e, routed, 1000, {5, 7, 123456789}).value);

  // Not routed: shorter key, two headers, no model header.
  const auto rejected = decision("b", routing::Status::rejected, "");
  decision_record_into(r, e, rejected, 2000, {1, 0, 42});
  const kafka::Record fresh = decision_record(e, rejected, 2000, {1, 0, 42});
  CHECK(r.key == std::optional<std::string>("b"));
  CHECK(r.partition == 1);
  CHECK(r.input_timestamp_ms == 2000);
  CHECK(r.headers == headers({{"hanzo.request.partition", "0"}, {"hanzo.request.offset", "42"}}));
  CHECK(r.value == fresh.value);
  CHECK(r.value.find("gpt-large-long-name") == std::string::npos);
  CHECK(r.value.find("a-tenant-with-a-long-identifier") == std::string::npos);

  // Not from Kafka (no placement): no headers at all, the partitioner's choice.
  decision_record_into(r, e, routed, -1, {});
  CHECK(r.headers.empty());
  CHECK(r.partition == -1);
  CHECK(r.value == decision_record(e, routed, -1, {}).value);
}
