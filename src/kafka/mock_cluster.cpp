#include "hanzo/hmm/kafka/mock_cluster.hpp"

#include "detail.hpp"  // rdkafka.h, which rdkafka_mock.h needs first

#include <librdkafka/rdkafka_mock.h>
#include <sys/resource.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

namespace hanzo::hmm::kafka {

namespace {

// The process's threads librdkafka named "rdk:mock" (the mock cluster's event loop).
std::vector<int> mock_threads() {
  std::vector<int> tids;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task", ec)) {
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    if (std::getline(comm, name) && name.starts_with("rdk:mock")) tids.push_back(std::stoi(entry.path().filename()));
  }
  return tids;
}

}  // namespace

struct MockCluster::Impl {
  rd_kafka_t* rk{nullptr};  // owns the mock cluster's threads; never connects anywhere itself
  rd_kafka_mock_cluster_t* cluster{nullptr};
  std::string bootstraps;
  int brokers{0};
  std::vector<int> threads;  // this cluster's event-loop thread ids (Linux)

  ~Impl() {
    // The cluster must go before the handle it was created on.
    if (cluster) rd_kafka_mock_cluster_destroy(cluster);
    if (rk) rd_kafka_destroy(rk);
  }
};

MockCluster::MockCluster(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MockCluster::MockCluster(MockCluster&&) noexcept = default;
MockCluster& MockCluster::operator=(MockCluster&&) noexcept = default;
MockCluster::~MockCluster() = default;

Result<MockCluster> MockCluster::create(int brokers) {
  if (brokers < 1) return make_error(Errc::invalid_value, "brokers", "need at least one mock broker");
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // The owning handle has no bootstrap.servers on purpose; silence its "no brokers" warning.
  rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t*, int, const char*, const char*) {});
  char errstr[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);
  if (!rk) {
    rd_kafka_conf_destroy(conf);
    return make_error(Errc::io_error, "mock cluster", errstr);
  }
  auto impl = std::make_unique<Impl>();
  impl->rk = rk;
  const auto before = mock_threads();
  impl->cluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!impl->cluster) return make_error(Errc::io_error, "mock cluster", "rd_kafka_mock_cluster_new failed");
  // The thread names itself once it runs, which may be after rd_kafka_mock_cluster_new returns.
  for (int wait_ms = 0; impl->threads.empty() && wait_ms < 2000; ++wait_ms) {
    for (int tid : mock_threads())
      if (std::find(before.begin(), before.end(), tid) == before.end()) impl->threads.push_back(tid);
    if (impl->threads.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  impl->bootstraps = rd_kafka_mock_cluster_bootstraps(impl->cluster);
  impl->brokers = brokers;
  return MockCluster(std::move(impl));
}

const std::string& MockCluster::bootstrap_servers() const noexcept { return impl_->bootstraps; }
int MockCluster::broker_count() const noexcept { return impl_->brokers; }

Result<std::size_t> MockCluster::set_nice(int nice) {
  if (impl_->threads.empty()) return make_error(Errc::io_error, "mock cluster", "its thread was not found in /proc/self/task");
  for (int tid : impl_->threads)
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(tid), nice) != 0)
      return make_error(Errc::io_error, "mock cluster", "nice " + std::to_string(nice) + ": " + std::strerror(errno));
  return impl_->threads.size();
}

Result<void> MockCluster::create_topic(const std::string& name, int partitions, int replication) {
  auto err = rd_kafka_mock_topic_create(impl_->cluster, name.c_str(), partitions, replication);
  if (err) return detail::kafka_error("create_topic " + name, err);
  return {};
}

Result<void> MockCluster::broker_down(std::int32_t broker_id) {
  auto err = rd_kafka_mock_broker_set_down(impl_->cluster, broker_id);
  if (err) return detail::kafka_error("broker_down " + std::to_string(broker_id), err);
  return {};
}

Result<void> MockCluster::broker_up(std::int32_t broker_id) {
  auto err = rd_kafka_mock_broker_set_up(impl_->cluster, broker_id);
  if (err) return detail::kafka_error("broker_up " + std::to_string(broker_id), err);
  return {};
}

Result<void> MockCluster::set_rtt(std::int32_t broker_id, std::chrono::milliseconds rtt) {
  auto err = rd_kafka_mock_broker_set_rtt(impl_->cluster, broker_id, static_cast<int>(rtt.count()));
  if (err) return detail::kafka_error("set_rtt " + std::to_string(broker_id), err);
  return {};
}

void MockCluster::push_request_errors(std::int16_t api_key, const std::vector<int>& errors) {
  std::vector<rd_kafka_resp_err_t> errs;
  errs.reserve(errors.size());
  for (int e : errors) errs.push_back(static_cast<rd_kafka_resp_err_t>(e));
  rd_kafka_mock_push_request_errors_array(impl_->cluster, api_key, errs.size(), errs.data());
}

}  // namespace hanzo::hmm::kafka
