// Fault-test harness: a mock cluster in the test process, hanzo-hmmd as
// subprocesses that can be killed and restarted, and an observer that reads every decision as
// it is produced (the mock keeps only 5 MiB per partition, so decisions are read live).
// Plain C++ over hanzo's Kafka wrappers: no CAF here.
#pragma once
#include <sys/types.h>

#include <atomic>
#include <functional>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "hanzo/hmm/daemon/config.hpp"
#include "hanzo/hmm/kafka/consumer.hpp"
#include "hanzo/hmm/kafka/mock_cluster.hpp"
#include "hanzo/hmm/kafka/producer.hpp"
#include "hanzo/hmm/loadgen/generator.hpp"
#include "hanzo/hmm/routing/types.hpp"

namespace hanzo::faults {

using namespace std::chrono_literals;

[[noreturn]] void fail(const std::string& what);
// HANZO_E2E_SCALE (default 1.0): volumes shrink under sanitizers.
double scale();

// The embedded cluster's topics (same partition counts as hanzo-hmmd --embedded-kafka).
void create_topics(hmm::kafka::MockCluster& cluster, const hmm::daemon::Topics& t);

// hanzo-hmmd as a child process; its output goes to `log_path` (appended across restarts).
class DaemonProcess {
 public:
  DaemonProcess(std::string binary, std::string config_path, std::string log_path);
  ~DaemonProcess();  // SIGKILL if still running
  // Starts it and waits for its "ready" line (SIGTERM before the daemon blocks signals would
  // kill it outright, as it would any process).
  void start(std::chrono::seconds timeout = 120s);
  void set_env(std::string key, std::string value) { env_.emplace_back(std::move(key), std::move(value)); }
  void kill9();               // SIGKILL and reap
  int terminate(std::chrono::seconds timeout = 60s);  // SIGTERM, wait; the exit status
  // Waits for the process to exit on its own: its exit status, or nullopt if still running.
  std::optional<int> wait_exit(std::chrono::seconds timeout);
  bool running() const noexcept { return pid_ > 0; }
  std::string log_tail(std::size_t bytes = 4000) const;
  int starts() const noexcept { return starts_; }
  // Fails the test if any restore in its log found data missing or failed (kill9 and
  // terminate check it, so every fault test asserts that each restore was complete).
  void check_restores() const;

 private:
  std::string binary_, config_, log_;
  pid_t pid_{-1};
  int starts_{0};
  std::vector<std::pair<std::string, std::string>> env_;
};

// A systemd notify socket (NOTIFY_SOCKET): records every datagram with its arrival time.
class NotifySocket {
 public:
  explicit NotifySocket(const std::string& path);
  ~NotifySocket();
  const std::string& path() const noexcept { return path_; }
  // WATCHDOG=1 pings received in [from, to).
  std::size_t pings(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) const;

 private:
  std::string path_;
  int fd_{-1};
  std::atomic<bool> stop_{false};
  mutable std::mutex mutex_;
  std::vector<std::pair<std::chrono::steady_clock::time_point, std::string>> got_;
  std::thread thread_;
};

// Every decision on the decisions topic, by request id: the first copy without the mark, and
// how many copies came with and without "redelivered": true.
class DecisionLog {
 public:
  struct Entry {
    std::string original;             // first copy without the mark ("" if none seen yet)
    std::vector<std::string> marked;  // copies marked redelivered
    int originals{0};
    std::string tenant;
  };
  DecisionLog(const std::string& bootstrap, const std::string& topic);
  ~DecisionLog();
  std::size_t decided() const;     // distinct request ids with any decision
  std::size_t duplicates() const;  // copies beyond the first per id
  std::map<std::string, Entry> snapshot() const;
  bool wait_decided(std::size_t n, std::chrono::seconds timeout) const;
  // Waits as wait_decided; empty if `n` were decided, else "only X of TOTAL decided" counted
  // after the wait (a message built in the same call as the wait may be evaluated before it).
  std::string await_decided(std::size_t n, std::size_t total, std::chrono::seconds timeout) const;

 private:
  void run();
  std::unique_ptr<hmm::kafka::Consumer> consumer_;
  mutable std::mutex mutex_;
  std::map<std::string, Entry> by_id_;
  std::size_t copies_{0};
  std::atomic<bool> stop_{false};
  std::string error_;
  std::thread thread_;
};

// A config file for the daemon on `bootstrap`: short session timeout (restarts rejoin fast),
// a small in-flight bound and frequent commits (little to redeliver, little to keep).
// `extra_kafka`: more lines for the [kafka] table.
std::string write_config(const std::string& dir, const std::string& bootstrap, const std::string& extra_kafka = "");

// Waits until the daemon group's committed offsets reach `ends` (partition -> next offset) on
// `topic`.
bool wait_committed(const std::string& bootstrap, const std::string& group, const std::string& topic,
                    const std::map<std::int32_t, std::int64_t>& ends, std::chrono::seconds timeout);

class Sender;

// What every fault test starts from: the daemon binary (argv[1]), a mock cluster with the
// daemon's topics, a scratch directory (removed by pass()) and a config file for it.
class Stage {
 public:
  Stage(int argc, char** argv, const std::string& name, const std::string& extra_kafka = "");
  const hmm::daemon::DaemonConfig& defaults() const noexcept { return defaults_; }
  const hmm::daemon::Topics& topics() const noexcept { return defaults_.topics; }
  hmm::kafka::MockCluster& cluster() noexcept { return *cluster_; }
  const std::string& binary() const noexcept { return binary_; }
  const std::string& bootstrap() const noexcept { return bootstrap_; }
  const std::string& dir() const noexcept { return dir_; }
  const std::string& config() const noexcept { return config_; }
  // Whether the daemon group has committed everything `sender` produced (feedback, requests).
  bool all_committed(const Sender& sender, std::chrono::seconds timeout = 300s) const;
  // Prints `json` and PASS, removes the directory; the exit status for main().
  int pass(const std::string& json) const;

 private:
  hmm::daemon::DaemonConfig defaults_;
  std::optional<hmm::kafka::MockCluster> cluster_;
  std::string binary_, bootstrap_, dir_, config_;
};

// Produces and remembers, per topic and partition, the offset after the last acknowledged
// message (what the daemon group must have committed at the end).
class Sender {
 public:
  // The partition counts create_topics() gives requests (and feedback) and decisions.
  static constexpr std::int32_t kRequestPartitions = 8, kDecisionPartitions = 64;
  explicit Sender(const std::string& bootstrap);
  // To the key's partition (partition_of): requests and feedback of a tenant stay together.
  void send(const std::string& topic, const std::string& key, const std::string& value);
  void flush();
  std::map<std::int32_t, std::int64_t> ends(const std::string& topic) const;
  // Per key, the offset of the last message produced to `topic` (after flush()).
  std::map<std::string, std::int64_t> last_offsets(const std::string& topic) const;

 private:
  std::unique_ptr<hmm::kafka::Producer> producer_;
  std::map<std::string, std::map<std::int32_t, std::int64_t>> ends_;  // written by delivery callbacks (flush)
  std::map<std::string, std::map<std::string, std::int64_t>> last_;   // topic -> key -> offset
  std::vector<std::string> keys_;                                      // the delivery token names the key
  std::map<std::string, std::size_t> key_index_;
  std::int32_t partition_of(const std::string& key);
  std::map<std::string, std::int32_t> partition_;                      // key -> requests partition
  std::map<std::int32_t, int> answers_, tenants_;                       // tenants per decisions / requests partition
};

// One fault scenario's traffic and its checks. Requests come from the load generator (64
// tenants, uniform) with no ticks, so the single-threaded reference (the MarketMaker facade at
// the opening prices) must produce exactly the daemon's decisions and states.
class Workload {
 public:
  Workload(std::size_t requests, const hmm::daemon::DaemonConfig& config);
  std::size_t size() const noexcept { return n_; }
  // Requests [from, to) (all by default), then a flush.
  void send_requests(Sender& sender, const std::string& topic, std::size_t from = 0,
                     std::size_t to = static_cast<std::size_t>(-1)) const;
  // Feedback for the routed decisions due one (in request order); `midway` runs once, after
  // half of it is produced and flushed.
  void send_feedback(Sender& sender, const std::string& topic, const DecisionLog& decisions,
                     const std::function<void()>& midway);
  std::size_t feedback_sent() const noexcept { return feedback_.size(); }

  struct Counts {
    std::size_t decided{0}, redelivered_copies{0}, decided_only_as_redelivered{0}, tenants{0};
    std::size_t changelog_records{0}, changelog_bytes{0};
  };
  // Fails (with `context` for the log) unless: every request has a decision, at most one
  // unmarked, marked copies identical to the first answer apart from the mark; every decision
  // equals the reference's; every tenant's final state in the changelog equals the reference's
  // after the same requests and feedback.
  // With `sender`, also checks each tenant's applied offsets against the last ones produced
  // for it (check_applied_through), without the daemon's record decoder.
  Counts verify(const DecisionLog& decisions, const std::string& bootstrap,
                const std::function<std::string()>& context, const Sender* sender = nullptr) const;
  void check_applied_through(const std::string& tenant, const std::vector<std::byte>& state, const Sender& sender,
                             const std::function<void(bool, const std::string&)>& check) const;
  // Every scenario's ending: the feedback (`midway` as in send_feedback), the group's commits
  // reaching the end of the input, `last` stopping with status 0 on SIGTERM, then verify().
  Counts finish(const Stage& stage, Sender& sender, const DecisionLog& decisions, DaemonProcess& last,
                const std::function<std::string()>& context, const std::function<void()>& midway = nullptr);

 private:
  std::size_t n_;
  hmm::daemon::DaemonConfig config_;
  hmm::loadgen::GeneratorOptions options_;
  std::optional<hmm::loadgen::Generator> gen_;
  std::vector<std::pair<std::string, hmm::routing::Feedback>> feedback_;
};

}  // namespace hanzo::faults
