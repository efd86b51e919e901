// The DLQ keeps the value of any input the consumer could fetch: the producer's message.max.bytes
// (actors::producer_properties) has room for the largest one plus the hanzo.error.* headers, so
// only the broker can refuse a dead letter for its size.
#include <catch2/catch.hpp>

#include <chrono>
#include <optional>
#include <string>

#include "hanzo/hmm/kafka/dlq.hpp"
#include "hanzo/hmm/kafka/kafka.hpp"
#include "client_properties.hpp"

using namespace hanzo::hmm;
using namespace std::chrono_literals;

namespace {

std::string message_max_bytes(const kafka::Config& props, std::size_t max_message_bytes) {
  std::optional<std::string> found;
  for (const auto& [k, v] : actors::producer_properties(props, max_message_bytes)) {
    if (k != "message.max.bytes") continue;
    CHECK_FALSE(found);  // once: librdkafka would take the last silently
    found = v;
  }
  REQUIRE(found);
  return *found;
}

}  // namespace

TEST_CASE("dlq size: the producer takes any message the consumer can fetch, plus headers", "[daemon][dlq]") {
  // librdkafka's consumer accepts responses up to receive.message.max.bytes (100,000,000 by
  // default); a broker returns a record batch larger than fetch.max.bytes whole.
  const daemon::DaemonConfig defaults;
  CHECK(message_max_bytes(defaults.kafka_properties(), defaults.max_message_bytes) == "100065536");
  CHECK(message_max_bytes({}, 1000) == "100065536");  // not daemon.max_message_bytes + 64 KiB

  // receive.message.max.bytes follows fetch.max.bytes + 512 unless it is set itself.
  CHECK(message_max_bytes({{"fetch.max.bytes", "200000000"}}, 1000) == std::to_string(200000512 + 65536));
  CHECK(message_max_bytes({{"receive.message.max.bytes", "5000000"}}, 1000) == std::to_string(5000000 + 65536));
  CHECK(message_max_bytes({{"receive.message.max.bytes", "5000000"}, {"fetch.max.bytes", "200000000"}}, 1000) ==
        std::to_string(5000000 + 65536));
  // Never less than daemon.max_message_bytes plus headers; never above librdkafka's ceiling.
  CHECK(message_max_bytes({{"receive.message.max.bytes", "5000000"}}, 7000000) == std::to_string(7000000 + 65536));
  CHECK(message_max_bytes({{"receive.message.max.bytes", "2147483647"}}, 1000) == "1000000000");
  // A configured value is the operator's.
  CHECK(message_max_bytes({{"message.max.bytes", "3000000"}}, 1000) == "3000000");
}

TEST_CASE("dlq size: a dead letter of a maximal input keeps its value on the mock cluster", "[daemon][dlq][cluster]") {
  // A consumer limited to 3,000,000-byte responses; an input just under that, far over
  // daemon.max_message_bytes (1,000 here), with a maximal key and a long reason.
  auto cluster = kafka::MockCluster::create();
  REQUIRE(cluster);
  REQUIRE(cluster->create_topic("dlq", 1, 1));
  const kafka::Config shared{{"bootstrap.servers", cluster->bootstrap_servers()},
                             {"receive.message.max.bytes", "3000000"}};
  kafka::Message input;
  input.topic = "hanzo.hmm.requests";
  input.partition = 7;
  input.offset = 1234567;
  input.key = std::string(256, 'k');
  input.value = std::string(2999000, 'v');
  input.headers = {{"trace-id", std::string(200, 't')}};
  const auto record = kafka::make_dlq_record(input, "too_large: " + std::string(300, 'd'), "dlq");

  std::optional<kafka::DeliveryReport> report;
  auto producer = kafka::Producer::create(actors::producer_properties(shared, 1000),
                                          [&](const kafka::DeliveryReport& r) { report = r; });
  REQUIRE(producer);
  const auto accepted = producer->produce(record, 1);
  INFO((accepted ? std::string("accepted") : accepted.error().to_string()));
  REQUIRE(accepted);  // the old limit (max_message_bytes + 64 KiB) refused it: sent without its value
  REQUIRE(producer->flush(30s));
  REQUIRE(report);
  REQUIRE(report->result);

  auto consumer = kafka::Consumer::create({{"bootstrap.servers", cluster->bootstrap_servers()},
                                           {"group.id", "dlq-size"},
                                           {"auto.offset.reset", "earliest"},
                                           {"session.timeout.ms", "6000"},
                                           {"heartbeat.interval.ms", "500"}});
  REQUIRE(consumer);
  REQUIRE(consumer->subscribe({"dlq"}));
  std::optional<kafka::Message> got;
  for (const auto until = std::chrono::steady_clock::now() + 30s; !got && std::chrono::steady_clock::now() < until;) {
    auto m = consumer->poll(100ms);
    if (m && *m) got = std::move(**m);
  }
  REQUIRE(got);
  CHECK(got->key == input.key);
  CHECK(got->value.size() == input.value.size());
  CHECK(got->value == input.value);
  CHECK(kafka::find_header(got->headers, "trace-id") == input.headers[0].value);
  CHECK_FALSE(kafka::find_header(got->headers, "hanzo.error.value_dropped"));
}
