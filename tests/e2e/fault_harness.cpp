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

#include "hanzo/hmm/daemon/changelog.hpp"
#include "hanzo/hmm/daemon/tenant_record.hpp"
#include "hanzo/hmm/mm/market_maker.hpp"
#include "hanzo/hmm/wire/decision.hpp"
#include "hanzo/hmm/wire/request.hpp"

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

void create_topics(kafka::MockCluster& cluster, const hmm::daemon::Topics& t) {
  for (const auto& [name, partitions] : {std::pair{t.ticks, 1}, {t.prices, 1}, {t.requests, 8}, {t.feedback, 8},
                                         {t.decisions, 16}, {t.dlq, 4}, {t.tenant_state, 8}})
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
}

int DaemonProcess::terminate(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  ::kill(pid_, SIGTERM);
  if (auto status = wait_exit(timeout)) return *status;
  kill9();
  return -1;
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
      << "[daemon]\n"
      << "max_in_flight = 4000\n"
      << "resume_in_flight = 3000\n"
      << "commit_interval_seconds = 0.2\n"
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

namespace hanzo::faults {

Sender::Sender(const std::string& bootstrap) {
  auto p = kafka::Producer::create({{"bootstrap.servers", bootstrap}, {"linger.ms", "5"}},
                                   [this](const kafka::DeliveryReport& r) {
                                     if (!r.result) fail("produce: " + r.result.error().to_string());
                                     auto& end = ends_[r.topic][r.partition];
                                     end = std::max(end, r.offset + 1);
                                   });
  if (!p) fail(p.error().to_string());
  producer_ = std::make_unique<kafka::Producer>(std::move(*p));
}

void Sender::send(const std::string& topic, const std::string& key, const std::string& value) {
  const kafka::Record r{topic, key, value, {}, -1, false};
  for (int attempt = 0;; ++attempt) {
    auto ok = producer_->produce(r);
    if (ok) return;
    if (!kafka::is_queue_full(ok.error()) || attempt > 10000) fail(ok.error().to_string());
    producer_->poll(std::chrono::milliseconds(5));
  }
}

void Sender::flush() {
  if (auto ok = producer_->flush(std::chrono::seconds(60)); !ok) fail(ok.error().to_string());
  producer_->poll(std::chrono::milliseconds(0));
}

std::map<std::int32_t, std::int64_t> Sender::ends(const std::string& topic) const {
  auto it = ends_.find(topic);
  return it == ends_.end() ? std::map<std::int32_t, std::int64_t>{} : it->second;
}

Workload::Workload(std::size_t requests, const hmm::daemon::DaemonConfig& config) : n_(requests), config_(config) {
  options_.seed = 7;
  options_.run_id = "kl";
  options_.tenants = 64;
  options_.tenant_skew = 1.0;
  options_.feedback_ratio = 0.3;
  auto gen = hmm::loadgen::Generator::create(options_, config_.engine);
  if (!gen) fail(gen.error().to_string());
  gen_.emplace(std::move(*gen));
}

void Workload::send_requests(Sender& sender, const std::string& topic, std::size_t from, std::size_t to) const {
  for (std::size_t i = from; i < std::min(to, n_); ++i) {
    const auto rec = gen_->request_record(i);
    sender.send(topic, rec.key, rec.value);
  }
  sender.flush();
}

namespace {
const std::string& first_answer(const DecisionLog::Entry& e) { return e.original.empty() ? e.marked.front() : e.original; }
}  // namespace

void Workload::send_feedback(Sender& sender, const std::string& topic, const DecisionLog& decisions,
                             const std::function<void()>& midway) {
  const auto seen = decisions.snapshot();
  bool called = false;
  for (std::size_t i = 0; i < n_; ++i) {
    if (!called && i >= n_ / 2) {
      sender.flush();
      if (midway) midway();
      called = true;
    }
    auto d = hmm::wire::decode_decision(first_answer(seen.at(gen_->request_id(i))));
    if (!d) fail(d.error().to_string());
    if (!gen_->feedback_due(d->decision)) continue;
    auto fb = gen_->feedback_record(d->decision);
    if (!fb) continue;
    auto decoded = hmm::wire::decode_keyed_feedback(fb->key, fb->value);
    if (!decoded) fail(decoded.error().to_string());
    feedback_.emplace_back(fb->key, *decoded);
    sender.send(topic, fb->key, fb->value);
  }
  sender.flush();
}

Workload::Counts Workload::finish(const Stage& stage, Sender& sender, const DecisionLog& decisions,
                                  DaemonProcess& last, const std::function<std::string()>& context,
                                  const std::function<void()>& midway) {
  send_feedback(sender, stage.topics().feedback, decisions, midway);
  if (!stage.all_committed(sender)) fail("the group's committed offsets never reached the end of the input\n" + context());
  const int status = last.terminate();
  if (status != 0) fail("exit status " + std::to_string(status) + " after SIGTERM\n" + context());
  return verify(decisions, stage.bootstrap(), context);
}

Workload::Counts Workload::verify(const DecisionLog& decisions, const std::string& bootstrap,
                                  const std::function<std::string()>& context) const {
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) fail(what + "\n" + context());
  };
  Counts c;
  // 1. Decisions: every id, originals at most once, marked copies identical apart from the mark.
  const auto seen = decisions.snapshot();
  for (std::size_t i = 0; i < n_; ++i) {
    const auto id = gen_->request_id(i);
    auto it = seen.find(id);
    check(it != seen.end(), "request " + id + " has no decision");
    const auto& e = it->second;
    check(e.originals <= 1, id + ": " + std::to_string(e.originals) + " unmarked decisions");
    c.redelivered_copies += e.marked.size();
    if (e.originals == 0) ++c.decided_only_as_redelivered;
    for (const auto& m : e.marked) {
      check(e.original.empty() || m == hmm::daemon::mark_redelivered(e.original),
            id + ": a redelivered copy differs from the first answer:\n" + m + "\n" + e.original);
      check(m == e.marked.front(), id + ": redelivered copies differ");
    }
  }
  check(seen.size() == n_, std::to_string(seen.size()) + " request ids decided, " + std::to_string(n_) + " sent");
  c.decided = seen.size();

  // 2. The reference: the facade, single-threaded, same requests then the same feedback.
  auto reference = hmm::mm::MarketMaker::create(config_.engine);
  if (!reference) fail(reference.error().to_string());
  for (std::size_t i = 0; i < n_; ++i) {
    const auto msg = gen_->request(i);
    auto d = reference->route_request(msg.tenant, msg.request);
    check(static_cast<bool>(d), d ? "" : d.error().to_string());
    const std::string expected = hmm::wire::encode_decision(*d);
    const std::string& got = first_answer(seen.at(msg.request.request_id));
    check(got == expected || got == hmm::daemon::mark_redelivered(expected),
          msg.request.request_id + ": decision differs from the reference:\n" + got + "\n" + expected);
  }
  for (const auto& [tenant, fb] : feedback_) check(static_cast<bool>(reference->feedback(tenant, fb)), "reference feedback");

  // 3. Final tenant states from the changelog against the reference's.
  std::vector<std::int32_t> parts;
  for (std::int32_t p = 0; p < 8; ++p) parts.push_back(p);
  auto restored = hmm::daemon::read_changelog({{"bootstrap.servers", bootstrap}}, config_.topics.tenant_state, parts,
                                              {}, nullptr, std::chrono::seconds(60));
  check(static_cast<bool>(restored), restored ? "" : restored.error().to_string());
  for (const auto& [tenant, bytes] : restored->states) {
    auto expected = reference->snapshot_tenant(tenant);
    check(static_cast<bool>(expected), "tenant " + tenant + " in the changelog but unknown to the reference");
    auto record = hmm::daemon::TenantRecord::decode(bytes);
    check(static_cast<bool>(record), tenant + ": undecodable record");
    auto session = hmm::mm::TenantSession::restore(reference->tenant_context(), reference->router(), record->session);
    check(static_cast<bool>(session), tenant + ": unrestorable session");
    if (!record->progress.empty()) check(static_cast<bool>(session->resume(record->progress)), tenant + ": progress");
    check(session->snapshot() == *expected, "tenant " + tenant + ": final state differs from the reference replay");
    ++c.tenants;
  }
  check(c.tenants == options_.tenants, std::to_string(c.tenants) + " tenants in the changelog, expected " +
                                           std::to_string(options_.tenants));
  c.changelog_records = restored->records;
  c.changelog_bytes = restored->bytes;
  return c;
}

}  // namespace hanzo::faults

namespace hanzo::faults {

Stage::Stage(int argc, char** argv, const std::string& name, const std::string& extra_kafka) {
  if (argc < 2) {
    std::cerr << "usage: test_" << name << " HANZO_HMMD\n";
    std::exit(2);
  }
  binary_ = argv[1];
  auto cluster = kafka::MockCluster::create(1);
  if (!cluster) fail(cluster.error().to_string());
  cluster_.emplace(std::move(*cluster));
  create_topics(*cluster_, defaults_.topics);
  bootstrap_ = cluster_->bootstrap_servers();
  std::string tmpl = "/tmp/hanzo-" + name + "-XXXXXX";
  if (!mkdtemp(tmpl.data())) fail("mkdtemp");
  dir_ = tmpl;
  config_ = write_config(dir_, bootstrap_, extra_kafka);
}

bool Stage::all_committed(const Sender& sender, std::chrono::seconds timeout) const {
  return wait_committed(bootstrap_, "hanzo-hmmd", topics().feedback, sender.ends(topics().feedback), timeout) &&
         wait_committed(bootstrap_, "hanzo-hmmd", topics().requests, sender.ends(topics().requests), 60s);
}

int Stage::pass(const std::string& json) const {
  std::cout << json << std::endl;
  std::filesystem::remove_all(dir_);
  std::cout << "PASS" << std::endl;
  return 0;
}

}  // namespace hanzo::faults
