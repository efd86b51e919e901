// librdkafka's in-process mock cluster (for --embedded-kafka and hermetic tests).
//
// Facts for librdkafka 2.0.2: brokers listen on 127.0.0.1 at ports librdkafka picks;
// unknown topics are auto-created with 4 partitions; there is no Admin API, so create_topic()
// goes through rd_kafka_mock_topic_create; each partition keeps only 5 MiB or 100,000 message
// sets; every group membership change waits session.timeout.ms - 1 s. External clients (kcat,
// kafka-python) can connect to bootstrap_servers().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::kafka {

class MockCluster {
 public:
  // Starts `brokers` mock brokers (ids 1..brokers) owned by a private rd_kafka_t handle.
  static Result<MockCluster> create(int brokers = 1);

  MockCluster(MockCluster&&) noexcept;
  MockCluster& operator=(MockCluster&&) noexcept;
  ~MockCluster();  // stops the brokers; clients still connected see the connection drop

  // "127.0.0.1:PORT[,127.0.0.1:PORT...]", ready to use as bootstrap.servers.
  const std::string& bootstrap_servers() const noexcept;
  int broker_count() const noexcept;

  Result<void> create_topic(const std::string& name, int partitions, int replication = 1);

  // Sets the nice value of the cluster's event-loop thread (it serves every broker). The mock
  // stands in for brokers on other machines; sharing cores with busy clients, it can be starved
  // of CPU, which shows as produce and fetch round trips of 100 ms and more. A negative value
  // needs CAP_SYS_NICE. Returns the number of threads changed.
  Result<std::size_t> set_nice(int nice);
  // What hanzo-hmmd --embedded-kafka (and the benchmarks standing in for it) ask for.
  static constexpr int kEmbeddedNice = -10;

  // Fault injection; broker ids are 1-based.
  Result<void> broker_down(std::int32_t broker_id);
  Result<void> broker_up(std::int32_t broker_id);
  // Delays every response of the broker by `rtt` (a slow network; 0 turns it off).
  Result<void> set_rtt(std::int32_t broker_id, std::chrono::milliseconds rtt);
  // The next errors.size() requests of Kafka API `api_key` (e.g. 0 Produce, 8 OffsetCommit,
  // 11 JoinGroup) fail with these rd_kafka_resp_err_t codes, in order.
  void push_request_errors(std::int16_t api_key, const std::vector<int>& errors);

 private:
  struct Impl;
  explicit MockCluster(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace hanzo::hmm::kafka
