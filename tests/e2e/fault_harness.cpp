#include "fault_harness.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>

#include "hanzo/hmm/wire/decision.hpp"

namespace hanzo::faults {

namespace kafka = hmm::kafka;

void fail(const std::string& what) {
  std::cerr << "FAIL: " << what << std::endl;
  std::exit(1);
}

double scale() {
  const char* s = std::getenv("HANZO_E2E_SCALE");
  if (!s) return 1.0;
  const double v = std::atof(s);
  return v > 0 ? v : 1.0;
}

// Decisions get 64 partitions: the observer must read every one, and the mock keeps only 5 MiB
// per partition and returns one message set per partition per fetch. With 16, a daemon deciding
// a pre-filled backlog outran the observer on a hot partition (64 tenants hash unevenly) and the
// mock dropped 128 decisions before it read them (e2e.sigterm_faults, once in CI).
void create_topics(kafka::MockCluster& cluster, const hmm::daemon::Topics& t) {
  for (const auto& [name, partitions] :
       {std::pair{t.ticks, 1}, {t.prices, 1}, {t.requests, Sender::kRequestPartitions},
        {t.feedback, Sender::kRequestPartitions}, {t.decisions, Sender::kDecisionPartitions}, {t.dlq, 4},
        {t.tenant_state, Sender::kRequestPartitions}, {t.quotes, 4}, {t.quote_answers, 4}})
    if (auto ok = cluster.create_topic(name, partitions); !ok) fail(ok.error().to_string());
}

DaemonProcess::DaemonProcess(std::string binary, std::string config_path, std::string log_path)
    : binary_(std::move(binary)), config_(std::move(config_path)), log_(std::move(log_path)) {}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) kill9();
}

void DaemonProcess::start(std::chrono::seconds timeout) {
  if (pid_ > 0) fail("daemon already running");
  const pid_t pid = fork();
  if (pid < 0) fail("fork failed");
  if (pid == 0) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the test
    const int fd = open(log_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    for (const auto& [k, v] : env_) setenv(k.c_str(), v.c_str(), 1);
    const int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0);
    execl(binary_.c_str(), binary_.c_str(), "--config", config_.c_str(), "--metrics-listen", "127.0.0.1:0",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  pid_ = pid;
  ++starts_;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    const std::string log = log_tail(std::string::npos);
    std::size_t ready = 0;
    for (auto at = log.find("hanzo-hmmd: ready"); at != std::string::npos; at = log.find("hanzo-hmmd: ready", at + 1))
      ++ready;
    if (ready >= static_cast<std::size_t>(starts_)) return;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      fail("hanzo-hmmd exited during start-up:\n" + log_tail());
    }
    if (std::chrono::steady_clock::now() > deadline) fail("hanzo-hmmd not ready in time:\n" + log_tail());
    std::this_thread::sleep_for(20ms);
  }
}

void DaemonProcess::kill9() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  check_restores();
}

int DaemonProcess::terminate(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  std::optional<int> status = wait_exit(timeout);
  if (!status) kill9();
  check_restores();
  return status.value_or(-1);
}

void DaemonProcess::check_restores() const {
  // Every restore of every run was complete: none found data gone, none failed, and every
  // redelivered request that was decided before found its first answer (a miss means a restore
  // point skipped answers it should have named).
  const std::string text = log_tail(std::string::npos);
  for (const char* bad : {"DATA LOST", "restoring tenants failed", "restore: tenant ", "answer is no longer kept"})
    if (text.find(bad) != std::string::npos)
      fail(std::string("a restore was incomplete (\"") + bad + "\" in " + log_ + "):\n" + log_tail());
}

std::optional<int> DaemonProcess::wait_exit(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) return std::nullopt;
    std::this_thread::sleep_for(20ms);
  }
  pid_ = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string DaemonProcess::log_tail(std::size_t bytes) const {
  std::ifstream in(log_);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string all = ss.str();
  return bytes != std::string::npos && all.size() > bytes ? all.substr(all.size() - bytes) : all;
}

NotifySocket::NotifySocket(const std::string& path) : path_(path) {
  fd_ = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (fd_ < 0 || path.size() >= sizeof addr.sun_path) fail("notify socket " + path);
  std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) fail("bind " + path);
  timeval tv{0, 100000};
  setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  thread_ = std::thread([this] {
    char buf[4096];
    while (!stop_) {
      const ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) continue;
      std::lock_guard lock(mutex_);
      got_.emplace_back(std::chrono::steady_clock::now(), std::string(buf, static_cast<std::size_t>(n)));
    }
  });
}

NotifySocket::~NotifySocket() {
  stop_ = true;
  thread_.join();
  close(fd_);
  unlink(path_.c_str());
}

std::size_t NotifySocket::pings(std::chrono::steady_clock::time_point from, std::chrono::steady_clock::time_point to) const {
  std::lock_guard lock(mutex_);
  std::size_t n = 0;
  for (const auto& [t, msg] : got_)
    if (t >= from && t < to && msg.find("WATCHDOG=1") != std::string::npos) ++n;
  return n;
}

DecisionLog::DecisionLog(const std::string& bootstrap, const std::string& topic) {
  // Manual assignment, no group: a broker outage must not send the observer through a
  // rebalance that would read everything again from the beginning.
  auto c = kafka::Consumer::create({{"bootstrap.servers", bootstrap},
                                    {"group.id", "fault-test-observer"},
                                    {"fetch.wait.max.ms", "5"},
                                    {"socket.timeout.ms", "10000"}});
  if (!c) fail("observer: " + c.error().to_string());
  consumer_ = std::make_unique<kafka::Consumer>(std::move(*c));
  auto n = consumer_->partition_count(topic, std::chrono::seconds(10));
  if (!n) fail("observer: " + n.error().to_string());
  // Offset 0, not "beginning": the topic is fresh, and a concrete offset needs no ListOffsets
  // round trip (the mock's offset lookups were seen to leave the observer idle once under ASan).
  std::vector<kafka::TopicPartitionOffset> all;
  for (std::int32_t p = 0; p < *n; ++p) all.push_back({topic, p, 0});
  if (auto ok = consumer_->assign(all); !ok) fail("observer: " + ok.error().to_string());
  thread_ = std::thread([this] { run(); });
}

DecisionLog::~DecisionLog() {
  stop_ = true;
  thread_.join();
  (void)consumer_->close();
}

void DecisionLog::run() {
  std::size_t errors = 0;
  while (!stop_) {
    auto m = consumer_->poll(50ms);
    if (!m && ++errors <= 20) std::cerr << "observer: " << m.error().to_string() << std::endl;  // diagnosis
    if (!m || !*m) continue;
    auto d = hmm::wire::decode_decision((*m)->value);
    std::lock_guard lock(mutex_);
    if (!d) {
      by_id_["<undecodable>"].marked.push_back((*m)->value);
      continue;
    }
    auto& e = by_id_[d->decision.request_id];
    e.tenant = (*m)->key.value_or("");
    ++copies_;
    if (d->redelivered) {
      e.marked.push_back((*m)->value);
    } else {
      if (e.originals++ == 0) e.original = (*m)->value;
    }
  }
}

std::size_t DecisionLog::decided() const {
  std::lock_guard lock(mutex_);
  return by_id_.size();
}

std::size_t DecisionLog::duplicates() const {
  std::lock_guard lock(mutex_);
  return copies_ - by_id_.size();
}

std::map<std::string, DecisionLog::Entry> DecisionLog::snapshot() const {
  std::lock_guard lock(mutex_);
  return by_id_;
}

bool DecisionLog::wait_decided(std::size_t n, std::chrono::seconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (decided() < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

std::string DecisionLog::await_decided(std::size_t n, std::size_t total, std::chrono::seconds timeout) const {
  if (wait_decided(n, timeout)) return {};
  return "only " + std::to_string(decided()) + " of " + std::to_string(total) + " decided";
}

std::string write_config(const std::string& dir, const std::string& bootstrap, const std::string& extra_kafka) {
  const std::string path = dir + "/hanzo-hmmd.toml";
  std::ofstream out(path);
  out << "[kafka]\n"
      << "\"bootstrap.servers\" = \"" << bootstrap << "\"\n"
      << "\"session.timeout.ms\" = \"6000\"\n"
      << "\"heartbeat.interval.ms\" = \"500\"\n"
      << "\"fetch.wait.max.ms\" = \"5\"\n"
      << extra_kafka << "\n"
      // The mock keeps 5 MiB a partition and a restore needs every answer to an uncommitted
      // request: with the workload's hottest tenant near a fifth of the traffic on one
      // decisions partition, the uncommitted window (in flight, plus acknowledged but not yet
      // committed) must stay well under ~1,800 of its decisions. A real broker has no such
      // limit; there the defaults apply.
      << "[daemon]\n"
      << "max_in_flight = 1500\n"
      << "resume_in_flight = 1000\n"
      << "commit_interval_seconds = 0.05\n"
      // Deferred state records (below the commit interval, as it must be): under faults too.
      << "state_interval_seconds = 0.02\n"
      << "shutdown_timeout_seconds = 20\n";
  if (!out) fail("cannot write " + path);
  return path;
}

bool wait_committed(const std::string& bootstrap, const std::string& group, const std::string& topic,
                    const std::map<std::int32_t, std::int64_t>& ends, std::chrono::seconds timeout) {
  auto c = kafka::Consumer::create({{"bootstrap.servers", bootstrap}, {"group.id", group}});
  if (!c) fail("committed: " + c.error().to_string());
  std::vector<kafka::TopicPartition> parts;
  for (const auto& [p, end] : ends) parts.push_back({topic, p});
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto got = c->committed(parts, 5s);
    if (got) {
      bool all = true;
      for (const auto& o : *got) all = all && o.offset >= ends.at(o.partition);
      if (all) return true;
    }
    std::this_thread::sleep_for(200ms);
  }
  return false;
}

}  // namespace hanzo::faults
