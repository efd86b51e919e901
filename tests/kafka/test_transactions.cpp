// Transactional producer API and Consumer::seek against the mock cluster.
//
// librdkafka 2.0.2's mock accepts the transactional API but implements none of its semantics
// (aborted records stay visible, offsets sent to a transaction are not committed), so these
// tests cover the call flow and the error classification only.
//
// One injected error (MockCluster::push_request_errors) and the TxnAction it came back as on
// 2.0.2's mock. "inside": librdkafka retried it and the call succeeded.
//   InitProducerId (22), from init_transactions:
//     fatal:  PRODUCER_FENCED, INVALID_PRODUCER_EPOCH, TRANSACTIONAL_ID_AUTHORIZATION_FAILED
//     inside: COORDINATOR_LOAD_IN_PROGRESS, CONCURRENT_TRANSACTIONS, NOT_COORDINATOR,
//             COORDINATOR_NOT_AVAILABLE, INVALID_TXN_STATE, UNKNOWN_PRODUCER_ID, REQUEST_TIMED_OUT, ...
//   AddPartitionsToTxn (24, sent behind produce()), from commit_transaction:
//     fatal:  PRODUCER_FENCED, INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE, TRANSACTIONAL_ID_AUTHORIZATION_FAILED
//     abort:  UNKNOWN_PRODUCER_ID, INVALID_PRODUCER_ID_MAPPING, GROUP_/TOPIC_AUTHORIZATION_FAILED,
//             REQUEST_TIMED_OUT, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID
//     inside: COORDINATOR_LOAD_IN_PROGRESS, CONCURRENT_TRANSACTIONS, NOT_COORDINATOR,
//             COORDINATOR_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PART
//   AddOffsetsToTxn (25), from send_offsets_to_transaction:
//     fatal:  INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE, TRANSACTIONAL_ID_AUTHORIZATION_FAILED
//     abort:  PRODUCER_FENCED (sic), UNKNOWN_PRODUCER_ID, INVALID_PRODUCER_ID_MAPPING,
//             GROUP_/TOPIC_AUTHORIZATION_FAILED, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID
//     inside: COORDINATOR_LOAD_IN_PROGRESS, CONCURRENT_TRANSACTIONS, NOT_COORDINATOR,
//             COORDINATOR_NOT_AVAILABLE, UNKNOWN_TOPIC_OR_PART, REQUEST_TIMED_OUT
//   TxnOffsetCommit (28), from send_offsets_to_transaction:
//     fatal:  INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE, TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
//             INVALID_PRODUCER_ID_MAPPING
//     abort:  PRODUCER_FENCED (sic), UNKNOWN_PRODUCER_ID, GROUP_/TOPIC_AUTHORIZATION_FAILED,
//             ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID
//     inside: as AddOffsetsToTxn
//   EndTxn (26), from commit_transaction:
//     fatal:  PRODUCER_FENCED, INVALID_PRODUCER_EPOCH, INVALID_TXN_STATE, TRANSACTIONAL_ID_AUTHORIZATION_FAILED
//     abort:  UNKNOWN_PRODUCER_ID, INVALID_PRODUCER_ID_MAPPING, GROUP_/TOPIC_AUTHORIZATION_FAILED,
//             UNKNOWN_TOPIC_OR_PART, REQUEST_TIMED_OUT, ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID
//     inside: COORDINATOR_LOAD_IN_PROGRESS, CONCURRENT_TRANSACTIONS, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE
//   Produce (0), from commit_transaction:
//     fatal:  INVALID_PRODUCER_EPOCH
//     abort:  UNKNOWN_PRODUCER_ID; and PRODUCER_FENCED, CONCURRENT_TRANSACTIONS, INVALID_TXN_STATE,
//             TRANSACTIONAL_ID_AUTHORIZATION_FAILED, INVALID_PRODUCER_ID_MAPPING, GROUP_AUTHORIZATION_FAILED,
//             ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID, after which the NEXT transaction's commit aborts
//             too ("skipped sequence numbers") and the one after that succeeds; TOPIC_AUTHORIZATION_FAILED
//             also aborts, and the next produce() to that topic fails at once
//     inside: COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE,
//             UNKNOWN_TOPIC_OR_PART, REQUEST_TIMED_OUT
//   retry:  a call that runs out of time (__TIMED_OUT): commit_transaction whose records are not
//           delivered in time, send_offsets_to_transaction with a slow coordinator, init_transactions
//           with the broker down; calling again resumes and succeeds.
//   abort:  state errors (__STATE): commit/abort without begin_transaction, a second init_transactions.
// After a fatal error every transactional call is fatal and produce() fails (Local: Fatal error).
#include <librdkafka/rdkafka.h>  // error code names only; the tests call no librdkafka function

#include <algorithm>
#include <map>
#include <set>

#include "cluster_fixture.hpp"

using namespace kafka_test;

namespace {

// Kafka API keys (RD_KAFKAP_* live in a private librdkafka header).
constexpr std::int16_t kProduce = 0;
constexpr std::int16_t kInitProducerId = 22;
constexpr std::int16_t kAddOffsetsToTxn = 25;
constexpr std::int16_t kEndTxn = 26;
constexpr std::int16_t kTxnOffsetCommit = 28;

Config txn_config(const MockCluster& c, const std::string& id) {
  auto config = producer_config(c);
  config.push_back({"kafka.transactional.id", id});  // the prefixed spelling counts too
  return config;
}

std::string describe(const TxnResult& r) {
  if (!r) return "ok";
  const char* action = r->action == TxnAction::retry ? "retry" : r->action == TxnAction::abort ? "abort" : "fatal";
  return std::string(action) + ": " + r->error.to_string();
}

bool is(const TxnResult& r, TxnAction action) { return r && r->action == action; }

// A transactional producer ready for begin_transaction (the warm-up spares the first produce
// a metadata round).
Producer ready_producer(const MockCluster& cluster, const std::string& id, DeliveryCallback on_delivery = {}) {
  auto producer = Producer::create(txn_config(cluster, id), std::move(on_delivery)).value();
  REQUIRE(producer.transactional());
  REQUIRE(producer.warm_up("out", 10s));
  const auto init = producer.init_transactions(10s);
  INFO(describe(init));
  REQUIRE_FALSE(init);
  return producer;
}

// begin, one record, commit: the proof that the producer is usable again.
TxnResult one_transaction(Producer& producer, const std::string& value) {
  if (auto r = producer.begin_transaction()) return r;
  REQUIRE(producer.produce({"out", "k", value, {}, 0}));
  return producer.commit_transaction(10s);
}

}  // namespace

TEST_CASE("transactions: without transactional.id every call is fatal", "[kafka][transactions]") {
  auto cluster = MockCluster::create().value();
  auto producer = Producer::create(producer_config(cluster)).value();
  CHECK_FALSE(producer.transactional());
  auto consumer = Consumer::create(consumer_config(cluster, "g-plain")).value();
  const std::vector<std::pair<std::string, TxnResult>> calls = {
      {"init_transactions", producer.init_transactions(1s)},
      {"begin_transaction", producer.begin_transaction()},
      {"send_offsets_to_transaction", producer.send_offsets_to_transaction({{"in", 0, 1}}, consumer, 1s)},
      {"send_offsets_to_transaction", producer.send_offsets_to_transaction({}, consumer, 1s)},
      {"commit_transaction", producer.commit_transaction(1s)},
      {"abort_transaction", producer.abort_transaction(1s)}};
  for (const auto& [call, r] : calls) {
    INFO(call << " -> " << describe(r));
    REQUIRE(r);
    CHECK(r->action == TxnAction::fatal);
    CHECK(r->error.code == hanzo::hmm::Errc::io_error);
    CHECK(r->error.where == call);
    CHECK(r->error.message == "transactional.id is not set");
  }
  // Plain producing is unaffected.
  CHECK(producer.produce({"plain", "k", "v", {}, -1}));
  CHECK(producer.flush(10s));
}

TEST_CASE("transactions: init, begin, produce, send offsets, commit, then an aborted one", "[kafka][transactions]") {
  auto cluster = MockCluster::create().value();
  REQUIRE(cluster.create_topic("in", 1, 1));
  REQUIRE(cluster.create_topic("out", 2, 1));
  std::vector<Record> input;
  for (int i = 0; i < 5; ++i) input.push_back({"in", "k", "in-" + std::to_string(i), {}, 0});
  produce_all(cluster, input);

  // A member of its group (assigned, generation known): its metadata goes with the offsets.
  auto consumer = Consumer::create(consumer_config(cluster, "g-txn")).value();
  REQUIRE(consumer.subscribe({"in"}));
  std::vector<Message> consumed;
  REQUIRE(poll_until(consumer, [&](const Message& m) { consumed.push_back(m); }, [&] { return consumed.size() == 5; }));

  std::vector<DeliveryReport> reports;
  auto producer = ready_producer(cluster, "txn-happy", [&](const DeliveryReport& r) { reports.push_back(r); });
  REQUIRE_FALSE(producer.begin_transaction());
  for (const auto& m : consumed) REQUIRE(producer.produce({"out", m.key, "done " + m.value, {}, -1}));
  const auto sent = producer.send_offsets_to_transaction({{"in", 0, consumed.back().offset + 1}}, consumer, 10s);
  INFO(describe(sent));
  REQUIRE_FALSE(sent);
  const auto committed = producer.commit_transaction(10s);
  INFO(describe(committed));
  REQUIRE_FALSE(committed);
  // commit_transaction flushed: every delivery report has been served inside it.
  REQUIRE(reports.size() == 5);
  for (const auto& r : reports) CHECK(r.result);

  // A second transaction, aborted.
  REQUIRE_FALSE(producer.begin_transaction());
  REQUIRE(producer.produce({"out", "k", "aborted", {}, 0}));
  const auto aborted = producer.abort_transaction(10s);
  INFO(describe(aborted));
  CHECK_FALSE(aborted);

  // A third with no consumed offsets: an empty list is a success without a request.
  REQUIRE_FALSE(producer.begin_transaction());
  REQUIRE(producer.produce({"out", "k", "third", {}, 1}));
  CHECK_FALSE(producer.send_offsets_to_transaction({}, consumer, 10s));
  CHECK_FALSE(producer.commit_transaction(10s));

  // The committed records are readable (the mock shows the aborted one too: not asserted).
  auto reader = Consumer::create(consumer_config(cluster, "g-reader")).value();
  REQUIRE(reader.assign({{"out", 0, Consumer::kOffsetBeginning}, {"out", 1, Consumer::kOffsetBeginning}}));
  std::set<std::string> expected = {"third"};
  for (const auto& m : consumed) expected.insert("done " + m.value);
  std::set<std::string> read;
  REQUIRE(poll_until(reader, [&](const Message& m) { read.insert(m.value); },
                     [&] { return std::includes(read.begin(), read.end(), expected.begin(), expected.end()); }));
  REQUIRE(consumer.close());
}

TEST_CASE("transactions: an abortable error, then abort and a new transaction", "[kafka][transactions][faults]") {
  auto cluster = MockCluster::create().value();
  REQUIRE(cluster.create_topic("out", 2, 1));
  // Group metadata without joining (generation -1): the mock does not check it.
  auto consumer = Consumer::create(consumer_config(cluster, "g-abort")).value();
  auto producer = ready_producer(cluster, "txn-abort");

  SECTION("EndTxn fails: commit_transaction says abort") {
    REQUIRE_FALSE(producer.begin_transaction());
    REQUIRE(producer.produce({"out", "k", "v", {}, 0}));
    cluster.push_request_errors(kEndTxn, {RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID});
    const auto r = producer.commit_transaction(10s);
    INFO(describe(r));
    REQUIRE(is(r, TxnAction::abort));
    CHECK(r->error.where == "commit_transaction");
    CHECK(r->error.code == hanzo::hmm::Errc::io_error);
    CHECK(r->error.row == RD_KAFKA_RESP_ERR_UNKNOWN_PRODUCER_ID);
    CHECK_FALSE(r->error.message.empty());
  }
  SECTION("TxnOffsetCommit fails with an old group generation: send_offsets_to_transaction says abort") {
    REQUIRE_FALSE(producer.begin_transaction());
    REQUIRE(producer.produce({"out", "k", "v", {}, 0}));
    cluster.push_request_errors(kTxnOffsetCommit, {RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION});
    const auto r = producer.send_offsets_to_transaction({{"out", 0, 1}}, consumer, 10s);
    INFO(describe(r));
    REQUIRE(is(r, TxnAction::abort));
    CHECK(r->error.where == "send_offsets_to_transaction");
    CHECK(r->error.row == RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION);
  }
  SECTION("AddOffsetsToTxn fails: send_offsets_to_transaction says abort") {
    REQUIRE_FALSE(producer.begin_transaction());
    cluster.push_request_errors(kAddOffsetsToTxn, {RD_KAFKA_RESP_ERR_GROUP_AUTHORIZATION_FAILED});
    const auto r = producer.send_offsets_to_transaction({{"out", 0, 1}}, consumer, 10s);
    INFO(describe(r));
    REQUIRE(is(r, TxnAction::abort));
  }
  SECTION("a state error (commit without begin) says abort") {
    const auto r = producer.commit_transaction(10s);
    INFO(describe(r));
    REQUIRE(is(r, TxnAction::abort));
    CHECK(r->error.row == RD_KAFKA_RESP_ERR__STATE);
    REQUIRE_FALSE(producer.begin_transaction());  // then abort_transaction below ends this one
  }

  const auto aborted = producer.abort_transaction(10s);
  INFO(describe(aborted));
  REQUIRE_FALSE(aborted);
  const auto next = one_transaction(producer, "after abort");
  INFO(describe(next));
  CHECK_FALSE(next);
}

TEST_CASE("transactions: a failed produce aborts, and a later transaction commits", "[kafka][transactions][faults]") {
  auto cluster = MockCluster::create().value();
  REQUIRE(cluster.create_topic("out", 2, 1));
  auto producer = ready_producer(cluster, "txn-produce");
  REQUIRE_FALSE(producer.begin_transaction());
  cluster.push_request_errors(kProduce, {RD_KAFKA_RESP_ERR_INVALID_TXN_STATE});
  REQUIRE(producer.produce({"out", "k", "v", {}, 0}));
  const auto r = producer.commit_transaction(10s);
  INFO(describe(r));
  REQUIRE(is(r, TxnAction::abort));
  REQUIRE_FALSE(producer.abort_transaction(10s));
  // 2.0.2 aborts the next transaction too ("skipped sequence numbers") and then recovers: the
  // caller's loop must survive consecutive aborts. Bounded, and not pinned to that count.
  TxnResult last;
  for (int attempt = 0; attempt < 3; ++attempt) {
    last = one_transaction(producer, "retry " + std::to_string(attempt));
    INFO(describe(last));
    if (!last) break;
    REQUIRE(is(last, TxnAction::abort));
    REQUIRE_FALSE(producer.abort_transaction(10s));
  }
  CHECK_FALSE(last);
}

TEST_CASE("transactions: fenced is fatal, and stays fatal", "[kafka][transactions][faults]") {
  auto cluster = MockCluster::create().value();
  REQUIRE(cluster.create_topic("out", 2, 1));
  auto consumer = Consumer::create(consumer_config(cluster, "g-fenced")).value();

  SECTION("EndTxn answers PRODUCER_FENCED") {
    auto producer = ready_producer(cluster, "txn-fenced");
    REQUIRE_FALSE(producer.begin_transaction());
    REQUIRE(producer.produce({"out", "k", "v", {}, 0}));
    cluster.push_request_errors(kEndTxn, {RD_KAFKA_RESP_ERR_PRODUCER_FENCED});
    const auto r = producer.commit_transaction(10s);
    INFO(describe(r));
    REQUIRE(is(r, TxnAction::fatal));
    CHECK(r->error.where == "commit_transaction");
    CHECK_THAT(r->error.message, Catch::Contains("fenced"));
    // Nothing recovers it: abort, a new transaction, offsets, init again.
    CHECK(is(producer.abort_transaction(10s), TxnAction::fatal));
    CHECK(is(producer.begin_transaction(), TxnAction::fatal));
    CHECK(is(producer.send_offsets_to_transaction({{"out", 0, 1}}, consumer, 10s), TxnAction::fatal));
    CHECK(is(producer.commit_transaction(10s), TxnAction::fatal));
    CHECK(is(producer.init_transactions(10s), TxnAction::fatal));
    CHECK_FALSE(producer.produce({"out", "k", "v", {}, 0}));
  }
  SECTION("InitProducerId answers INVALID_PRODUCER_EPOCH") {
    auto producer = Producer::create(txn_config(cluster, "txn-old-epoch")).value();
    cluster.push_request_errors(kInitProducerId, {RD_KAFKA_RESP_ERR_INVALID_PRODUCER_EPOCH});
    const auto r = producer.init_transactions(10s);
    INFO(describe(r));
    REQUIRE(is(r, TxnAction::fatal));
    CHECK(r->error.where == "init_transactions");
    CHECK(is(producer.init_transactions(10s), TxnAction::fatal));
    CHECK(is(producer.begin_transaction(), TxnAction::fatal));
  }
}

TEST_CASE("transactions: retriable errors are retried inside, a timeout says retry", "[kafka][transactions][faults]") {
  auto cluster = MockCluster::create().value();
  REQUIRE(cluster.create_topic("out", 2, 1));
  auto consumer = Consumer::create(consumer_config(cluster, "g-retry")).value();

  SECTION("EndTxn: coordinator loading, then a concurrent transaction") {
    auto producer = ready_producer(cluster, "txn-retry");
    REQUIRE_FALSE(producer.begin_transaction());
    REQUIRE(producer.produce({"out", "k", "v", {}, 0}));
    cluster.push_request_errors(kEndTxn, {RD_KAFKA_RESP_ERR_COORDINATOR_LOAD_IN_PROGRESS,
                                          RD_KAFKA_RESP_ERR_CONCURRENT_TRANSACTIONS});
    const auto r = producer.commit_transaction(10s);
    INFO(describe(r));
    CHECK_FALSE(r);
  }
  SECTION("commit_transaction runs out of time, and the next call resumes it") {
    auto producer = ready_producer(cluster, "txn-slow");
    REQUIRE_FALSE(producer.begin_transaction());
    REQUIRE(producer.produce({"out", "k", "v", {}, 0}));
    REQUIRE(cluster.set_rtt(1, 1500ms));  // the record cannot be acknowledged within 300 ms
    const auto r = producer.commit_transaction(300ms);
    INFO(describe(r));
    REQUIRE(is(r, TxnAction::retry));
    CHECK(is_timed_out(r->error));
    REQUIRE(cluster.set_rtt(1, 0ms));
    const auto again = producer.commit_transaction(10s);
    INFO(describe(again));
    CHECK_FALSE(again);
    CHECK_FALSE(one_transaction(producer, "next"));
  }
  SECTION("init_transactions with the broker down, then up") {
    auto producer = Producer::create(txn_config(cluster, "txn-down")).value();
    REQUIRE(cluster.broker_down(1));
    const auto r = producer.init_transactions(500ms);
    INFO(describe(r));
    REQUIRE(is(r, TxnAction::retry));
    REQUIRE(cluster.broker_up(1));
    const auto again = producer.init_transactions(10s);
    INFO(describe(again));
    CHECK_FALSE(again);
  }
}

TEST_CASE("seek: back to an absolute offset, and to the committed one", "[kafka][seek]") {
  auto cluster = MockCluster::create().value();
  REQUIRE(cluster.create_topic("sk", 2, 1));
  std::vector<Record> input;
  for (int i = 0; i < 10; ++i) input.push_back({"sk", "k", "a" + std::to_string(i), {}, 0});
  for (int i = 0; i < 3; ++i) input.push_back({"sk", "k", "b" + std::to_string(i), {}, 1});
  produce_all(cluster, input);

  auto consumer = Consumer::create(consumer_config(cluster, "g-seek")).value();
  REQUIRE(consumer.subscribe({"sk"}));
  std::map<std::int32_t, std::vector<std::int64_t>> offsets;
  std::size_t count = 0;
  auto collect = [&](const Message& m) {
    offsets[m.partition].push_back(m.offset);
    ++count;
  };
  REQUIRE(poll_until(consumer, collect, [&] { return count == 13; }));
  REQUIRE(consumer.commit("sk", 0, 4));  // partition 1: nothing committed

  // Seeks one partition and reads it again from `first` to its end (`end`).
  auto read_from = [&](std::int32_t partition, std::int64_t position, std::int64_t first, std::int64_t end) {
    INFO("seek sk[" << partition << "] to " << position);
    const auto sought = consumer.seek({{"sk", partition, position}}, 10s);
    INFO((sought ? std::string("ok") : sought.error().to_string()));
    REQUIRE(sought);
    offsets.clear();
    count = 0;
    REQUIRE(poll_until(consumer, collect, [&] { return count == static_cast<std::size_t>(end - first); }));
    poll_until(consumer, collect, [] { return false; }, 300ms);  // bounded look for extras
    std::vector<std::int64_t> want;
    for (std::int64_t o = first; o < end; ++o) want.push_back(o);
    CHECK(offsets == std::map<std::int32_t, std::vector<std::int64_t>>{{partition, want}});
  };
  read_from(0, 2, 2, 10);                          // absolute
  read_from(0, Consumer::kOffsetStored, 4, 10);    // the group's committed offset
  read_from(0, Consumer::kOffsetBeginning, 0, 10);
  read_from(1, Consumer::kOffsetStored, 0, 3);     // nothing committed: auto.offset.reset=earliest

  CHECK(consumer.seek({}, 1s));
  const auto unassigned = consumer.seek({{"sk", 0, 1}, {"nope", 3, 0}}, 5s);
  REQUIRE_FALSE(unassigned);
  CHECK_THAT(unassigned.error().to_string(), Catch::Contains("nope[3]"));
  REQUIRE(consumer.close());
}
