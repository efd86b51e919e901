// Tenant manager, tenant actors and routers against the single-threaded facade.
#include "fixture.hpp"

using namespace acttest;

namespace {

TenantItem item(std::uint64_t token, routing::RoutingRequest r) { return {token, -1, std::move(r)}; }
TenantItem item(std::uint64_t token, routing::Feedback f) { return {token, -1, std::move(f)}; }

// Three tenants, requests interleaved with feedback on earlier decisions, over several batches.
void drive(Fixture& f, int rounds) {
  std::uint64_t token = 0;
  for (int round = 0; round < rounds; ++round) {
    IngestBatch batch;
    for (const char* t : {"acme", "globex", "initech"}) {
      TenantBatch tb{t, {}};
      for (int k = 0; k < 3; ++k) {
        const std::string id = std::string(t) + "-" + std::to_string(round) + "-" + std::to_string(k);
        tb.items.push_back(item(++token, request(id, {0.1 * k, -0.5, 0.0, 0.2 * round})));
      }
      if (round > 0) {  // feedback for the previous round's first request, on the model it got
        const std::string prev = std::string(t) + "-" + std::to_string(round - 1) + "-0";
        tb.items.push_back(item(++token, feedback(prev, "qwen2.5-7b", round % 2 ? 0.95 : 0.2, round % 3 != 0)));
      }
      batch.tenants.push_back(std::move(tb));
    }
    f.send(std::move(batch));
    f.run();
  }
}

}  // namespace

TEST_CASE("every request gets the facade's decision, in order per tenant", "[actors]") {
  Fixture f;
  drive(f, 6);
  const auto got = f.decisions();
  REQUIRE(got.size() == 3);
  for (const auto& [tenant, list] : f.expected) {
    INFO(tenant);
    REQUIRE(got.at(tenant).size() == 18);
    CHECK(got.at(tenant) == list);  // byte-identical JSON, same order
  }
  // Requests and feedback change tenant state: each is acknowledged once, by the state record
  // that covers it (decisions carry no token of a consumed message). Tokens 1..69 each once.
  CHECK(f.sink.finished.size() == 69);
  std::vector<std::uint64_t> tokens = f.sink.finished;
  for (const auto& [r, t] : f.sink.produced)
    if (t != 0) tokens.push_back(t);
  std::sort(tokens.begin(), tokens.end());
  std::vector<std::uint64_t> all(69);
  std::iota(all.begin(), all.end(), 1);
  CHECK(tokens == all);
}

TEST_CASE("tenant state matches the facade after learning", "[actors]") {
  Fixture f;
  drive(f, 4);
  for (const char* t : {"acme", "globex", "initech"}) {
    INFO(t);
    CHECK(f.state_of(t) == f.reference->snapshot_tenant(t).value());
  }
}

TEST_CASE("resident tenants stay under the cap and come back with their state", "[actors]") {
  auto cfg = per_round();
  cfg.max_resident_tenants = 3;
  Fixture f(cfg);
  std::uint64_t token = 0;
  for (int round = 0; round < 2; ++round) {
    for (int t = 0; t < 10; ++t) {
      const std::string tenant = "tenant-" + std::to_string(t);
      IngestBatch b;
      b.tenants.push_back({tenant, {item(++token, request(tenant + "-r" + std::to_string(round), {0.3, 0.1, -0.2, 0.0}))}});
      f.send(std::move(b));
      f.run();
      CHECK(f.status().resident <= 3);
    }
  }
  const auto s = f.status();
  CHECK(s.resident == 3);
  CHECK(s.dormant == 7);
  CHECK(s.evictions == 17);  // 7 in the first round, then every tenant of the second round
  CHECK(s.spawned == 20);
  // Every tenant went dormant and came back: its state continued, not restarted.
  for (int t = 0; t < 10; ++t) {
    const std::string tenant = "tenant-" + std::to_string(t);
    INFO(tenant);
    CHECK(f.state_of(tenant) == f.reference->snapshot_tenant(tenant).value());
    CHECK(f.decisions().at(tenant) == f.expected.at(tenant));
  }
}

TEST_CASE("items arriving during an eviction wait for the state and keep their order", "[actors]") {
  auto cfg = per_round();
  cfg.max_resident_tenants = 1;
  Fixture f(cfg);
  // Without running the scheduler in between: a evicts b, b evicts a, a again, all queued.
  IngestBatch b1, b2, b3;
  b1.tenants.push_back({"a", {item(1, request("a-1", {0.2, 0.2, 0.2, 0.2}))}});
  b2.tenants.push_back({"b", {item(2, request("b-1"))}});
  b3.tenants.push_back({"a", {item(3, request("a-2", {0.1, 0.0, 0.0, 0.1})), item(4, feedback("a-1", "qwen2.5-7b", 0.9))}});
  f.send(std::move(b1));
  f.send(std::move(b2));
  f.send(std::move(b3));
  f.run();
  CHECK(f.decisions() == f.expected);
  CHECK(f.state_of("a") == f.reference->snapshot_tenant("a").value());
}

TEST_CASE("idle tenants are evicted by the sweep", "[actors]") {
  auto cfg = per_round();
  cfg.tenant_idle_seconds = 0.0;
  Fixture f(cfg);
  IngestBatch b;
  b.tenants.push_back({"x", {item(1, request("x-1"))}});
  b.tenants.push_back({"y", {item(2, request("y-1"))}});
  f.send(std::move(b));
  f.run();
  CHECK(f.status().resident == 2);
  caf::anon_send(f.manager, sweep_atom::value);
  f.run();
  const auto s = f.status();
  CHECK(s.resident == 0);
  CHECK(s.dormant == 2);
  CHECK(f.state_of("x") == f.reference->snapshot_tenant("x").value());
}

TEST_CASE("a request the tenant cannot serve is answered rejected, in order", "[actors]") {
  Fixture f;
  IngestBatch b;
  // 3 behaviour signals where the tenant model expects 4: rejected, between two routed ones.
  b.tenants.push_back({"t", {item(1, request("ok-1")), item(2, request("bad", {1.0, 2.0, 3.0})), item(3, request("ok-2"))}});
  f.send(std::move(b));
  f.run();
  const auto got = f.decisions().at("t");
  REQUIRE(got.size() == 3);
  CHECK(got == f.expected.at("t"));
  const auto bad = wire::decode_decision(got[1]).value();
  CHECK(bad.decision.status == routing::Status::rejected);
  CHECK(bad.decision.request_id == "bad");
  CHECK(bad.decision.reasoning.find("observations") != std::string::npos);
}

TEST_CASE("if the router is gone the tenant still answers every request", "[actors]") {
  Fixture f;
  for (auto& r : f.routers) caf::anon_send_exit(r, caf::exit_reason::kill);
  f.run();
  IngestBatch b;
  b.tenants.push_back({"t", {item(1, request("r-1")), item(2, request("r-2"))}});
  caf::anon_send(f.manager, std::move(b));
  f.run();
  const auto got = f.decisions().at("t");
  REQUIRE(got.size() == 2);
  for (std::size_t i = 0; i < 2; ++i) {
    const auto d = wire::decode_decision(got[i]).value().decision;
    CHECK(d.request_id == "r-" + std::to_string(i + 1));
    CHECK(d.status == routing::Status::rejected);
    CHECK(d.reasoning.find("router unavailable") != std::string::npos);
  }
}

TEST_CASE("raw messages are decoded by the tenant actor, bad ones go to the DLQ in place", "[actors]") {
  Fixture f;
  auto raw = [&](std::uint64_t token, const std::string& topic, const std::string& value) {
    kafka::Message m;
    m.topic = topic;
    m.offset = static_cast<std::int64_t>(token);
    m.key = "t";
    m.value = value;
    return TenantItem{token, -1, std::move(m)};
  };
  const auto& topics = f.config.topics;
  IngestBatch b;
  b.tenants.push_back({"t",
                       {raw(1, topics.requests, R"({"request_id":"a","input":"hello"})"),
                        raw(2, topics.requests, R"({"request_id":"b","input":"x","preferences":{"max_latency_ms":-1}})"),
                        raw(3, topics.requests, R"({"request_id":"c", oops)"),
                        raw(4, topics.feedback, R"({"request_id":"a","model":"nope","latency_ms":1,"tokens_per_second":1,"quality":0.5,"cost_per_token":0.1,"success":true})"),
                        raw(5, topics.requests, R"({"request_id":"d","input":"again","tenant":"someone-else"})"),
                        raw(6, topics.requests, R"({"request_id":"e","input":"last"})")}});
  // The reference sees the two valid requests only.
  f.mirror("t", item(1, wire::decode_request(R"({"request_id":"a","input":"hello"})").value().request));
  f.mirror("t", item(6, wire::decode_request(R"({"request_id":"e","input":"last"})").value().request));
  caf::anon_send(f.manager, std::move(b));
  f.run();
  CHECK(f.decisions().at("t") == f.expected.at("t"));
  const auto dlq = f.sink.on(topics.dlq);
  REQUIRE(dlq.size() == 3);
  CHECK(kafka::find_header(dlq[0].headers, kafka::dlq_reason_header)->starts_with("schema: preferences.max_latency_ms"));
  CHECK(kafka::find_header(dlq[1].headers, kafka::dlq_reason_header)->starts_with("invalid_json: "));
  CHECK(kafka::find_header(dlq[2].headers, kafka::dlq_reason_header)->starts_with("schema: tenant"));
  CHECK(dlq[1].value == R"({"request_id":"c", oops)");
  CHECK(dlq[1].key == std::optional<std::string>("t"));
  // The feedback decoded (an unknown model is the engine's call, not the schema's): acknowledged
  // with the two valid requests by their state record; the three dead letters by theirs.
  CHECK(f.sink.finished == std::vector<std::uint64_t>{1, 4, 6});
  std::vector<std::uint64_t> dlq_tokens;
  for (const auto& [r, t] : f.sink.produced)
    if (r.topic == topics.dlq) dlq_tokens.push_back(t);
  CHECK(dlq_tokens == std::vector<std::uint64_t>{2, 3, 5});
}

TEST_CASE("a tenant evicted while its state record waits for Kafka goes dormant once it is written", "[actors]") {
  auto cfg = per_round();
  cfg.max_resident_tenants = 1;
  Fixture f(cfg);
  f.sink.defer_acks = true;
  IngestBatch b1, b2;
  b1.tenants.push_back({"a", {item(1, request("a-1", {0.2, 0.2, 0.2, 0.2}))}});
  b2.tenants.push_back({"b", {item(2, request("b-1"))}});
  f.send(std::move(b1));
  f.run();
  f.send(std::move(b2));  // evicts a, whose decision is not acknowledged yet
  f.run();
  CHECK(f.status().dormant == 0);  // a waits: its input is in no state record yet
  for (int i = 0; i < 3; ++i) {
    f.sink.acknowledge_all();
    f.run();
  }
  const auto s = f.status();
  CHECK(s.resident == 1);
  CHECK(s.dormant == 1);
  auto finished = f.sink.finished;
  std::sort(finished.begin(), finished.end());
  CHECK(finished == std::vector<std::uint64_t>{1, 2});
  CHECK(f.decisions() == f.expected);
  CHECK(f.state_of("a") == f.reference->snapshot_tenant("a").value());
}
