// Helpers for tests against librdkafka's in-process mock cluster: hermetic (loopback, ports
// chosen by librdkafka) and bounded (every wait has a deadline).
#pragma once

#include <catch2/catch.hpp>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

#include "hanzo/hmm/kafka/kafka.hpp"

namespace kafka_test {

using namespace hanzo::hmm::kafka;
using namespace std::chrono_literals;

inline Config producer_config(const MockCluster& c) {
  return {{"bootstrap.servers", c.bootstrap_servers()}, {"linger.ms", "1"}};
}

// session.timeout.ms=6000: the mock cluster waits session.timeout.ms - 1 s per membership change.
inline Config consumer_config(const MockCluster& c, const std::string& group) {
  return {{"kafka.bootstrap.servers", c.bootstrap_servers()},
          {"group.id", group},
          {"session.timeout.ms", "6000"},
          {"heartbeat.interval.ms", "500"}};
}

// Polls until `done()` or the deadline; every message goes to `on_message`. Consumer errors
// are reported (they are transient on the mock) but do not stop the loop.
inline bool poll_until(Consumer& consumer, const std::function<void(const Message&)>& on_message,
                       const std::function<bool()>& done, std::chrono::milliseconds deadline = 30s) {
  const auto until = std::chrono::steady_clock::now() + deadline;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    auto m = consumer.poll(100ms);
    if (!m) {
      WARN("consumer error: " << m.error().to_string());
      continue;
    }
    if (*m) on_message(**m);
  }
  return true;
}

// Produces and flushes; returns the delivery reports.
inline std::vector<DeliveryReport> produce_all(const MockCluster& cluster, const std::vector<Record>& records) {
  std::vector<DeliveryReport> reports;
  auto producer = Producer::create(producer_config(cluster), [&](const DeliveryReport& r) { reports.push_back(r); });
  REQUIRE(producer);
  for (std::size_t i = 0; i < records.size(); ++i) REQUIRE(producer->produce(records[i], i));
  REQUIRE(producer->flush(10s));
  return reports;
}

}  // namespace kafka_test
