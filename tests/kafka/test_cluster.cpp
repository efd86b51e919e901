// Producer, consumer and mock cluster together: round trips, commit-behind-acks resume,
// pause/resume, configuration errors, fault injection.
#include <algorithm>
#include <map>
#include <set>

#include "cluster_fixture.hpp"

using namespace kafka_test;

TEST_CASE("cluster: configuration errors name the key", "[kafka][cluster]") {
  auto p = Producer::create({{"kafka.no.such.property", "1"}});
  REQUIRE_FALSE(p);
  CHECK(p.error().where == "kafka.no.such.property");
  auto q = Producer::create({{"linger.ms", "not a number"}});
  REQUIRE_FALSE(q);
  CHECK(q.error().where == "linger.ms");
  auto c = Consumer::create({{"group.id", "g"}, {"kafka.enable.auto.commit", "true"}});
  REQUIRE_FALSE(c);
  CHECK(c.error().where == "kafka.enable.auto.commit");
  CHECK_FALSE(MockCluster::create(0));
}

TEST_CASE("config: set_property replaces in place, with or without the prefix, or appends", "[kafka]") {
  Config c{{"bootstrap.servers", "h:1"}, {"kafka.linger.ms", "5"}, {"acks", "all"}};
  set_property(c, "linger.ms", "0");  // the file's prefixed key is the same property
  set_property(c, "acks", "1");
  set_property(c, "statistics.interval.ms", "0");
  CHECK(c == Config{{"bootstrap.servers", "h:1"}, {"kafka.linger.ms", "0"}, {"acks", "1"},
                    {"statistics.interval.ms", "0"}});
  REQUIRE(check_config(c));
}

TEST_CASE("cluster: a full producer queue is an error value and never blocks", "[kafka][cluster]") {
  auto cluster = MockCluster::create().value();
  auto producer = Producer::create({{"bootstrap.servers", cluster.bootstrap_servers()},
                                    {"queue.buffering.max.messages", "1"},
                                    {"linger.ms", "1000"}})
                      .value();
  REQUIRE(producer.produce({"q", "k", "v1", {}, -1}));
  auto second = producer.produce({"q", "k", "v2", {}, -1});
  REQUIRE_FALSE(second);
  CHECK(is_queue_full(second.error()));
  CHECK(producer.queue_length() >= 1);
  REQUIRE(producer.flush(10s));
  CHECK(producer.queue_length() == 0);
  CHECK(producer.produce({"q", "k", "v2", {}, -1}));  // after backing off, it goes through
  REQUIRE(producer.flush(10s));
}

TEST_CASE("cluster: produce retries through injected broker errors", "[kafka][cluster][faults]") {
  auto cluster = MockCluster::create(3).value();
  CHECK(cluster.broker_count() == 3);
  CHECK(std::count(cluster.bootstrap_servers().begin(), cluster.bootstrap_servers().end(), ',') == 2);
  REQUIRE(cluster.create_topic("faulty", 2, 3));
  // Produce (ApiKey 0) fails twice with NOT_LEADER_FOR_PARTITION (6), a retriable error.
  cluster.push_request_errors(0, {6, 6});
  auto reports = produce_all(cluster, {{"faulty", "k", "v", {}, 0}});
  REQUIRE(reports.size() == 1);
  CHECK(reports[0].result);
  CHECK(reports[0].offset == 0);
  REQUIRE(cluster.broker_down(2));
  REQUIRE(cluster.broker_up(2));
}

TEST_CASE("cluster: round trip with headers and a DLQ record and lag", "[kafka][cluster]") {
  auto cluster = MockCluster::create().value();
  REQUIRE(cluster.create_topic("rt", 4, 1));
  REQUIRE(cluster.create_topic("rt.dlq", 1, 1));

  std::vector<Record> records;
  for (int i = 0; i < 20; ++i)
    records.push_back({"rt", "tenant-" + std::to_string(i % 5), "value-" + std::to_string(i),
                       {{"i", std::to_string(i)}, {"empty", ""}}, -1});
  records.push_back({"rt", std::nullopt, "no key", {}, -1});
  const auto reports = produce_all(cluster, records);
  REQUIRE(reports.size() == records.size());
  std::set<std::uint64_t> tokens;
  for (const auto& r : reports) {
    CHECK(r.result);
    CHECK(r.topic == "rt");
    CHECK(r.offset >= 0);
    tokens.insert(r.token);
  }
  CHECK(tokens.size() == records.size());  // every token came back once

  std::vector<TopicPartition> assigned;
  auto rt_config = consumer_config(cluster, "g-rt");
  rt_config.emplace_back("statistics.interval.ms", "100");
  auto consumer = Consumer::create(rt_config,
                                   {.assigned = [&](const auto& ps) { assigned = ps; }, .revoked = {}, .committed = {}})
                      .value();
  REQUIRE(consumer.subscribe({"rt", "rt.dlq"}));
  std::vector<Message> got, dlq;
  auto producer = Producer::create(producer_config(cluster)).value();
  REQUIRE(poll_until(
      consumer,
      [&](const Message& m) {
        if (m.topic == "rt.dlq") {
          dlq.push_back(m);
          return;
        }
        got.push_back(m);
        if (got.size() == 1) REQUIRE(producer.produce(make_dlq_record(m, "schema: missing request_id", "rt.dlq")));
        producer.poll();
      },
      [&] { return got.size() == records.size() && dlq.size() == 1; }));
  CHECK(assigned.size() == 5);

  std::map<std::string, const Message*> by_value;
  for (const auto& m : got) by_value[m.value] = &m;
  for (int i = 0; i < 20; ++i) {
    const Message* m = by_value["value-" + std::to_string(i)];
    REQUIRE(m);
    CHECK(m->key == "tenant-" + std::to_string(i % 5));
    CHECK(m->headers == Headers{{"i", std::to_string(i)}, {"empty", ""}});
    CHECK(m->timestamp_ms.has_value());
  }
  REQUIRE(by_value["no key"]);
  CHECK_FALSE(by_value["no key"]->key.has_value());

  const Message& original = got.front();
  const Message& dead = dlq.front();
  CHECK(dead.key == original.key);
  CHECK(dead.value == original.value);
  CHECK(find_header(dead.headers, "hanzo.error.reason") == "schema: missing request_id");
  CHECK(find_header(dead.headers, "hanzo.error.topic") == "rt");
  CHECK(find_header(dead.headers, "hanzo.error.partition") == std::to_string(original.partition));
  CHECK(find_header(dead.headers, "hanzo.error.offset") == std::to_string(original.offset));

  // Lag before and after committing everything consumed.
  auto lag = consumer.lag(5s);
  REQUIRE(lag);
  std::int64_t total = 0;
  for (const auto& l : *lag) total += l.lag;
  CHECK(total == static_cast<std::int64_t>(records.size() + 1));
  std::map<TopicPartition, std::int64_t> next;
  for (const auto* set : {&got, &dlq})
    for (const auto& m : *set) next[{m.topic, m.partition}] = std::max(next[{m.topic, m.partition}], m.offset + 1);
  std::vector<TopicPartitionOffset> commits;
  for (const auto& [tp, o] : next) commits.push_back({tp.topic, tp.partition, o});
  REQUIRE(consumer.commit(commits));
  lag = consumer.lag(5s);
  REQUIRE(lag);
  for (const auto& l : *lag) CHECK(l.lag == 0);
  // The statistics events (every 100 ms here) come to the same figures without a round trip:
  // the five assigned partitions, each with its watermarks and committed offset.
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  std::vector<PartitionLag> stats;
  while (std::chrono::steady_clock::now() < deadline) {
    (void)consumer.poll(50ms);
    stats = consumer.statistics_lag();
    if (stats.size() == lag->size() && std::all_of(stats.begin(), stats.end(), [&](const auto& l) {
          const auto it = next.find({l.topic, l.partition});
          return it == next.end() || l.committed == it->second;
        }))
      break;
  }
  REQUIRE(stats.size() == lag->size());
  for (const auto& l : stats) {
    INFO(l.topic << "[" << l.partition << "]");
    const auto it = next.find({l.topic, l.partition});
    CHECK(l.lag == 0);
    CHECK(l.high == (it == next.end() ? 0 : it->second));
    if (it != next.end()) CHECK(l.committed == it->second);
  }
  // Statistics also say how many brokers are connected: the health check's "can make progress".
  auto connected = [&](bool want) {
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < until) {
      (void)consumer.poll(50ms);
      if (consumer.statistics_connected(1s) == want) return true;
    }
    return false;
  };
  CHECK(connected(true));
  REQUIRE(cluster.broker_down(1));
  CHECK(connected(false));
  REQUIRE(cluster.broker_up(1));
  CHECK(connected(true));
  // Stale statistics (here: any age over zero) are no evidence of a connection.
  CHECK(consumer.statistics_connected(std::chrono::steady_clock::duration::zero()) == std::optional<bool>(false));
  REQUIRE(consumer.close());
  REQUIRE(consumer.close());  // idempotent
}

TEST_CASE("cluster: commit only acknowledged offsets and the group resumes exactly there", "[kafka][cluster]") {
  auto cluster = MockCluster::create().value();
  REQUIRE(cluster.create_topic("work", 2, 1));
  REQUIRE(cluster.create_topic("results", 1, 1));
  std::vector<Record> input;
  for (int p = 0; p < 2; ++p)
    for (int i = 0; i < 20; ++i) input.push_back({"work", "k", std::to_string(p) + ":" + std::to_string(i), {}, p});
  produce_all(cluster, input);

  // First instance: processes everything, but the results of work[0] offsets 10 and 11 are
  // never acknowledged (still "in flight" when it dies). Acks come in scrambled order.
  OffsetTracker tracker;
  {
    std::vector<Message> got;
    std::vector<TopicPartition> revoked;
    std::vector<TopicPartitionOffset> async_done;
    auto consumer = Consumer::create(consumer_config(cluster, "g-work"),
                                     {.assigned = {},
                                      .revoked = [&](const auto& ps) { revoked = ps; },
                                      .committed = [&](const hanzo::hmm::Result<void>& r, const auto& offsets) {
                                        CHECK(r);
                                        async_done = offsets;
                                      }})
                        .value();
    REQUIRE(consumer.subscribe({"work"}));
    REQUIRE(poll_until(consumer, [&](const Message& m) { got.push_back(m); }, [&] { return got.size() == 40; }));
    auto producer = Producer::create(producer_config(cluster), [&](const DeliveryReport& r) {
                      // CHECK, not REQUIRE: this runs inside librdkafka (no exceptions through C).
                      CHECK(r.result);
                      CHECK(tracker.acknowledged({"work", static_cast<std::int32_t>(r.token >> 32)},
                                                 static_cast<std::int64_t>(r.token & 0xffffffff)));
                    }).value();
    for (const auto& m : got) REQUIRE(tracker.dispatched({m.topic, m.partition}, m.offset));
    std::reverse(got.begin(), got.end());
    for (const auto& m : got) {
      if (m.partition == 0 && (m.offset == 10 || m.offset == 11)) continue;
      const std::uint64_t token = (static_cast<std::uint64_t>(m.partition) << 32) | static_cast<std::uint64_t>(m.offset);
      REQUIRE(producer.produce({"results", m.key, "done " + m.value, {}, -1}, token));
    }
    REQUIRE(producer.flush(10s));
    CHECK(tracker.in_flight() == 2);
    auto commits = tracker.take_commits();
    std::sort(commits.begin(), commits.end(), [](auto& a, auto& b) { return a.partition < b.partition; });
    REQUIRE(commits == std::vector<TopicPartitionOffset>{{"work", 0, 10}, {"work", 1, 20}});
    // Partition 1 asynchronously (its outcome arrives through poll), partition 0 synchronously.
    REQUIRE(consumer.commit(commits[1].topic, commits[1].partition, commits[1].offset, CommitMode::async));
    REQUIRE(poll_until(consumer, [](const Message& m) { FAIL("unexpected message at " << m.offset); },
                       [&] { return !async_done.empty(); }, 10s));
    CHECK(async_done == std::vector<TopicPartitionOffset>{commits[1]});
    REQUIRE(consumer.commit(commits[0].topic, commits[0].partition, commits[0].offset));
    auto committed = consumer.committed({{"work", 0}, {"work", 1}}, 5s);
    REQUIRE(committed);
    CHECK(*committed == commits);
    REQUIRE(consumer.close());
    CHECK(revoked.size() == 2);
  }

  // Second instance, same group: work[0] from 10 (nothing lost, nothing before 10 again),
  // work[1] nothing.
  auto consumer = Consumer::create(consumer_config(cluster, "g-work")).value();
  REQUIRE(consumer.subscribe({"work"}));
  std::vector<Message> again;
  REQUIRE(poll_until(consumer, [&](const Message& m) { again.push_back(m); }, [&] { return again.size() >= 10; }));
  // A bounded extra look: anything more would be a skip-back (duplicate beyond the contract).
  poll_until(consumer, [&](const Message& m) { again.push_back(m); }, [] { return false; }, 1s);
  REQUIRE(again.size() == 10);
  for (std::size_t i = 0; i < again.size(); ++i) {
    CHECK(again[i].partition == 0);
    CHECK(again[i].offset == static_cast<std::int64_t>(10 + i));
    CHECK(again[i].value == "0:" + std::to_string(10 + i));
  }
  REQUIRE(consumer.close());
}

TEST_CASE("cluster: a paused partition stops while others continue and resume restores it", "[kafka][cluster]") {
  auto cluster = MockCluster::create().value();
  REQUIRE(cluster.create_topic("pz", 2, 1));
  bool assigned = false;
  auto consumer = Consumer::create(consumer_config(cluster, "g-pz"),
                                   {.assigned = [&](const auto&) { assigned = true; }, .revoked = {}, .committed = {}})
                      .value();
  REQUIRE(consumer.subscribe({"pz"}));
  std::vector<Message> got;
  auto collect = [&](const Message& m) { got.push_back(m); };
  REQUIRE(poll_until(consumer, collect, [&] { return assigned && consumer.assignment()->size() == 2; }));
  REQUIRE(consumer.pause("pz", 0));

  std::vector<Record> input;
  for (int i = 0; i < 10; ++i) {
    input.push_back({"pz", "k", "p0-" + std::to_string(i), {}, 0});
    input.push_back({"pz", "k", "p1-" + std::to_string(i), {}, 1});
  }
  produce_all(cluster, input);
  auto count = [&](int p) { return std::count_if(got.begin(), got.end(), [&](auto& m) { return m.partition == p; }); };
  REQUIRE(poll_until(consumer, collect, [&] { return count(1) == 10; }));
  poll_until(consumer, collect, [] { return false; }, 1s);  // bounded look for leaks
  CHECK(count(0) == 0);

  REQUIRE(consumer.resume("pz", 0));
  REQUIRE(poll_until(consumer, collect, [&] { return count(0) == 10; }));
  CHECK(got.size() == 20);
  REQUIRE(consumer.close());
}

TEST_CASE("cluster: warm_up fetches a topic's metadata, and an unreachable broker is an error naming it", "[kafka][cluster]") {
  auto cluster = MockCluster::create(1).value();
  REQUIRE(cluster.create_topic("known", 3));
  auto producer = Producer::create(producer_config(cluster)).value();
  CHECK(producer.warm_up("known", 10s));
  REQUIRE(cluster.broker_down(1));
  auto cold = Producer::create(producer_config(cluster)).value();
  const auto down = cold.warm_up("known", 500ms);
  REQUIRE_FALSE(down);
  CHECK_THAT(down.error().to_string(), Catch::Contains("known"));
  REQUIRE(cluster.broker_up(1));
}
