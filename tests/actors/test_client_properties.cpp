// The [kafka] table split per client, and what the changelog producer adds (actors/client_properties.hpp).
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "client_properties.hpp"

using namespace hanzo::hmm;

namespace {
std::map<std::string, std::string> as_map(const kafka::Config& c) {
  std::map<std::string, std::string> m;
  for (const auto& [k, v] : c) {
    INFO(k);
    CHECK(m.emplace(k, v).second);  // each property once: librdkafka would take the last silently
  }
  return m;
}
}  // namespace

TEST_CASE("client properties: each client gets only its own keys", "[actors]") {
  const kafka::Config props{{"bootstrap.servers", "h:1"}, {"group.id", "g"}, {"linger.ms", "1"},
                            {"fetch.wait.max.ms", "5"}, {"compression.type", "zstd"}};
  const auto consumer = as_map(actors::consumer_properties(props));
  CHECK(consumer.count("linger.ms") == 0);
  CHECK(consumer.count("compression.type") == 0);
  CHECK(consumer.at("group.id") == "g");
  CHECK(consumer.at("statistics.interval.ms") == "1000");  // consumer lag comes from statistics
  const auto producer = as_map(actors::producer_properties(props, 1000));
  CHECK(producer.count("group.id") == 0);
  CHECK(producer.count("fetch.wait.max.ms") == 0);
  CHECK(producer.at("linger.ms") == "1");
  // Room for any message the consumer can fetch (receive.message.max.bytes, 100,000,000 by
  // default) plus the DLQ headers, so a dead letter keeps its value.
  CHECK(producer.at("message.max.bytes") == std::to_string(100000000 + 65536));
}

TEST_CASE("client properties: the changelog is compressed and not lingered on, unless configured", "[actors]") {
  daemon::DaemonConfig config;
  const auto pprops = actors::producer_properties(config.kafka_properties(), config.max_message_bytes);
  REQUIRE(as_map(pprops).at("linger.ms") == "1");  // decisions: the built-in default

  auto changelog = as_map(actors::changelog_properties(pprops, config));
  CHECK(changelog.at("compression.type") == "lz4");
  CHECK(changelog.at("linger.ms") == "0");  // every decision waits for a state record
  auto eos = as_map(actors::compressed_properties(pprops, config));
  CHECK(eos.at("compression.type") == "lz4");
  CHECK(eos.at("linger.ms") == "1");

  // A configured linger or compression applies to every producer.
  config.kafka = {{"kafka.linger.ms", "7"}, {"compression.codec", "zstd"}};
  const auto configured = actors::producer_properties(config.kafka_properties(), config.max_message_bytes);
  changelog = as_map(actors::changelog_properties(configured, config));
  CHECK(changelog.at("linger.ms") == "7");
  CHECK(changelog.at("compression.codec") == "zstd");
  CHECK(changelog.count("compression.type") == 0);

  config.kafka = {{"queue.buffering.max.ms", "3"}};  // librdkafka's other name for linger.ms
  changelog = as_map(actors::changelog_properties(
      actors::producer_properties(config.kafka_properties(), config.max_message_bytes), config));
  CHECK(changelog.at("queue.buffering.max.ms") == "3");
  CHECK(changelog.at("linger.ms") == "1");  // the default, set before the alias: librdkafka keeps the alias's 3

  // --embedded-kafka configures no compression; the changelog then gets none either.
  daemon::DaemonConfig embedded;
  embedded.use_embedded_cluster("127.0.0.1:1");
  changelog = as_map(actors::changelog_properties(
      actors::producer_properties(embedded.kafka_properties(), embedded.max_message_bytes), embedded));
  CHECK(changelog.at("compression.type") == "none");
  CHECK(changelog.at("linger.ms") == "0");
}

TEST_CASE("client properties: the ticks consumer long-polls and reports no statistics", "[actors]") {
  daemon::DaemonConfig config;
  config.use_embedded_cluster("127.0.0.1:9");  // fetch.wait.max.ms = 1 for the request consumer
  const auto ticks = as_map(actors::tick_consumer_properties(config.kafka_properties()));
  CHECK(ticks.at("fetch.wait.max.ms") == "100");
  CHECK(ticks.at("statistics.interval.ms") == "0");
  CHECK(as_map(actors::consumer_properties(config.kafka_properties())).at("fetch.wait.max.ms") == "1");
  config.kafka.emplace_back("fetch.wait.max.ms", "500");  // a longer configured wait is kept
  CHECK(as_map(actors::tick_consumer_properties(config.kafka_properties())).at("fetch.wait.max.ms") == "500");
}
