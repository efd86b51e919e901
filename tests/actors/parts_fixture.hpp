// The ingest thread's parts on a private mock cluster: a daemon config pointing at it, the
// topics created, a Delivery and an Engine over its sink. No CAF: the parts' outputs are
// plain functions here. Every wait has a deadline.
#pragma once
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "delivery.hpp"
#include "engine.hpp"
#include "hanzo/hmm/kafka/kafka.hpp"
#include "poller.hpp"

namespace parts_test {

using namespace hanzo::hmm;
using namespace hanzo::hmm::actors;
using namespace std::chrono_literals;

inline daemon::DaemonConfig config_for(const kafka::MockCluster& cluster, const std::string& group) {
  daemon::DaemonConfig c;
  c.use_embedded_cluster(cluster.bootstrap_servers());
  c.kafka.emplace_back("group.id", group);
  // The mock waits session.timeout.ms - 1 s per membership change.
  c.kafka.emplace_back("session.timeout.ms", "6000");
  c.kafka.emplace_back("heartbeat.interval.ms", "500");
  return c;
}

struct Parts {
  explicit Parts(const std::string& group, std::function<void(daemon::DaemonConfig&)> tweak = {}) {
    auto c = kafka::MockCluster::create();
    REQUIRE(c);
    cluster = std::make_unique<kafka::MockCluster>(std::move(*c));
    config = config_for(*cluster, group);
    if (tweak) tweak(config);
    const auto& t = config.topics;
    for (const auto* name : {&t.requests, &t.feedback, &t.decisions, &t.tenant_state})
      REQUIRE(cluster->create_topic(*name, 2));
    for (const auto* name : {&t.ticks, &t.prices, &t.dlq, &t.quotes, &t.quote_answers})
      REQUIRE(cluster->create_topic(*name, 1));
    auto d = Delivery::create(config, nullptr);
    REQUIRE(d);
    delivery = std::move(*d);
    engine = Engine::create(config, &delivery->sink(), nullptr).value();
    engine->layout.requests.store(2);
    engine->layout.decisions.store(2);
  }
  // Serves delivery reports until `done()` (false at the deadline).
  bool serve_until(const std::function<bool()>& done, std::chrono::milliseconds deadline = 30s) {
    const auto until = std::chrono::steady_clock::now() + deadline;
    while (!done()) {
      if (std::chrono::steady_clock::now() > until) return false;
      delivery->producer().poll(5ms);
      delivery->serve();
    }
    return true;
  }
  // Produces `records` with a plain producer (the outside world) and waits for them.
  void publish(const std::vector<kafka::Record>& records) {
    auto p = kafka::Producer::create({{"bootstrap.servers", cluster->bootstrap_servers()}});
    REQUIRE(p);
    for (std::size_t i = 0; i < records.size(); ++i) REQUIRE(p->produce(records[i], i));
    REQUIRE(p->flush(10s));
  }
  // Every record of `topic` (all partitions), read from the beginning by a fresh group.
  std::vector<kafka::Message> read_all(const std::string& topic, std::size_t expected) {
    auto c = kafka::Consumer::create({{"bootstrap.servers", cluster->bootstrap_servers()},
                                      {"group.id", "reader-" + topic},
                                      {"auto.offset.reset", "earliest"},
                                      {"session.timeout.ms", "6000"},
                                      {"heartbeat.interval.ms", "500"}});
    REQUIRE(c);
    REQUIRE(c->subscribe({topic}));
    std::vector<kafka::Message> out;
    for (const auto until = std::chrono::steady_clock::now() + 30s;
         out.size() < expected && std::chrono::steady_clock::now() < until;) {
      auto m = c->poll(100ms);
      if (m && *m) out.push_back(std::move(**m));
    }
    return out;
  }

  std::unique_ptr<kafka::MockCluster> cluster;  // outlives the clients below
  daemon::DaemonConfig config;
  std::unique_ptr<Delivery> delivery;
  std::shared_ptr<const Engine> engine;
};

inline kafka::Record record(const std::string& topic, std::int32_t partition, std::optional<std::string> key,
                            std::string value) {
  kafka::Record r;
  r.topic = topic;
  r.partition = partition;
  r.key = std::move(key);
  r.value = std::move(value);
  return r;
}

}  // namespace parts_test
