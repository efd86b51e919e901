// Delivery on a mock cluster: results acknowledge their inputs, commits carry restore points,
// refused records are sent again, decisions reach their tenant's gate.
#include "hanzo/hmm/daemon/answer_log.hpp"
#include "hanzo/hmm/kafka/dlq.hpp"
#include "parts_fixture.hpp"

using namespace parts_test;

TEST_CASE("delivery: results acknowledge their inputs, and the commit carries a restore point", "[actors][delivery][cluster]") {
  Parts p("delivery-commit");
  const auto& t = p.config.topics;
  for (std::int64_t offset = 0; offset < 3; ++offset) {
    auto token = p.delivery->dispatch({t.requests, 1}, offset);
    REQUIRE(token);
    p.delivery->sink().produce(record(t.decisions, 1, "tenant", "answer " + std::to_string(offset)), *token);
  }
  CHECK(p.delivery->in_flight() == 3);
  REQUIRE(p.serve_until([&] { return p.delivery->in_flight() == 0; }));
  CHECK(p.delivery->acknowledgements() == 3);

  auto consumer = kafka::Consumer::create(p.config.kafka_properties());
  REQUIRE(consumer);
  const auto done = p.delivery->commit(*consumer, kafka::CommitMode::sync, t);
  REQUIRE(done.size() == 1);
  CHECK(done[0].topic == t.requests);
  CHECK(done[0].partition == 1);
  CHECK(done[0].offset == 3);  // the next offset to read
  auto committed = consumer->committed({{t.requests, 1}}, 10s);
  REQUIRE(committed);
  REQUIRE(committed->size() == 1);
  CHECK((*committed)[0].offset == 3);
  const auto point = daemon::RestorePoint::decode((*committed)[0].metadata);
  REQUIRE(point);
  CHECK(point->changelog == -1);  // no state record written: nothing of the changelog needed
  // Nothing new acknowledged: nothing to commit.
  CHECK(p.delivery->commit(*consumer, kafka::CommitMode::sync, t).empty());
}

TEST_CASE("delivery: a record the broker refuses for its size goes again without its value", "[actors][delivery][cluster]") {
  Parts p("delivery-retry");
  const auto& t = p.config.topics;
  auto token = p.delivery->dispatch({t.requests, 0}, 0);
  REQUIRE(token);
  // The broker's next Produce answer: MSG_SIZE_TOO_LARGE (10), which librdkafka does not retry.
  p.cluster->push_request_errors(0, {10});
  auto dead = record(t.dlq, 0, "tenant", std::string(1000, 'x'));
  p.delivery->sink().produce(std::move(dead), *token);
  REQUIRE(p.serve_until([&] { return p.delivery->in_flight() == 0; }));
  const auto got = p.read_all(t.dlq, 1);
  REQUIRE(got.size() == 1);
  CHECK(got[0].key == std::optional<std::string>("tenant"));
  CHECK(got[0].value.empty());
  CHECK(kafka::find_header(got[0].headers, "hanzo.error.value_dropped"));
}

TEST_CASE("delivery: a decision's acknowledgement reaches its gate and moves the decision floor", "[actors][delivery][cluster]") {
  Parts p("delivery-gate");
  const auto& t = p.config.topics;
  std::atomic<int> woken{0};
  auto* gate = new WriteGate([&] { ++woken; });  // the tenant's reference
  CHECK_FALSE(gate->ready_or_wait(2));            // waits for two decisions
  CHECK(p.delivery->sink().decision_floors({1}).empty());
  p.delivery->sink().produce_decision(record(t.decisions, 1, "tenant", "d0"), *gate);
  p.delivery->sink().produce_decision(record(t.decisions, 1, "tenant", "d1"), *gate);
  REQUIRE(p.serve_until([&] { return woken.load() > 0; }));
  CHECK(woken.load() == 1);  // woken once, when the wait ended
  CHECK(gate->ready_or_wait(2));
  const auto floors = p.delivery->sink().decision_floors({0, 1});
  REQUIRE(floors.count(1) == 1);
  CHECK(floors.at(1) == 2);  // next offset of decisions partition 1
  CHECK(floors.count(0) == 0);
  WriteGate::release(gate);
}
