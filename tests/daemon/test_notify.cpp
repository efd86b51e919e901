// The systemd notify protocol through a NOTIFY_SOCKET the test owns: exact datagrams, the
// watchdog's pings following Health, and silence without a socket or for another pid.
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <thread>

#include "hanzo/hmm/daemon/notify.hpp"

using namespace hanzo::hmm::daemon;
using namespace std::chrono_literals;

namespace {

// Clears the variables sd_notify() and sd_watchdog_enabled() read, before and after a case.
struct CleanEnvironment {
  CleanEnvironment() { clear(); }
  ~CleanEnvironment() { clear(); }
  static void clear() {
    ::unsetenv("NOTIFY_SOCKET");
    ::unsetenv("WATCHDOG_USEC");
    ::unsetenv("WATCHDOG_PID");
  }
};

// systemd's end of the protocol: a datagram socket bound to a fresh path. `export_path()` puts it
// in NOTIFY_SOCKET.
class NotifySocket {
 public:
  NotifySocket() {
    char dir[] = "/tmp/hanzo-notify-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    dir_ = dir;
    path_ = dir_ + "/notify";
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd_ >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(path_.size() < sizeof addr.sun_path);
    path_.copy(addr.sun_path, path_.size());
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~NotifySocket() {
    ::close(fd_);
    std::filesystem::remove_all(dir_);
  }
  NotifySocket(const NotifySocket&) = delete;
  NotifySocket& operator=(const NotifySocket&) = delete;

  void export_path() const { ::setenv("NOTIFY_SOCKET", path_.c_str(), 1); }

  // The next datagram, or nullopt if none arrives within `timeout`.
  std::optional<std::string> receive(std::chrono::milliseconds timeout = 10s) const {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return std::nullopt;
    char buf[4096];
    const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0) return std::nullopt;
    return std::string(buf, static_cast<std::size_t>(n));
  }
  void drain() const {
    while (receive(0ms)) {
    }
  }

 private:
  std::string dir_, path_;
  int fd_{-1};
};

void set_watchdog(const char* usec, long pid) {
  ::setenv("WATCHDOG_USEC", usec, 1);
  ::setenv("WATCHDOG_PID", std::to_string(pid).c_str(), 1);
}

// Beats the parts whose flag is set every 2 ms (the watchdog's max_age below is 20 ms).
class Beater {
 public:
  explicit Beater(Health& health)
      : thread_([this, &health](std::stop_token stop) {
          while (!stop.stop_requested()) {
            if (poll_.load()) health.beat(Health::poll_loop);
            if (market_.load()) health.beat(Health::market);
            std::this_thread::sleep_for(2ms);
          }
        }) {}
  void poll_loop(bool on) { poll_.store(on); }
  void market(bool on) { market_.store(on); }

 private:
  std::atomic<bool> poll_{true}, market_{true};
  std::jthread thread_;  // last: stopped and joined before the flags go
};

}  // namespace

TEST_CASE("notify: each call sends its exact datagram", "[notify]") {
  CleanEnvironment env;
  NotifySocket systemd;
  systemd.export_path();
  const Notifier n = Notifier::from_environment();
  REQUIRE(n.enabled());
  CHECK_FALSE(n.watchdog_interval());  // no WATCHDOG_USEC

  n.ready("connected to kafka");
  CHECK(systemd.receive() == "READY=1\nSTATUS=connected to kafka");
  n.status("1200 decisions/s");
  CHECK(systemd.receive() == "STATUS=1200 decisions/s");
  n.stopping("draining 12 requests");
  CHECK(systemd.receive() == "STOPPING=1\nSTATUS=draining 12 requests");
  n.extend_timeout(std::chrono::microseconds(1500000));
  CHECK(systemd.receive() == "EXTEND_TIMEOUT_USEC=1500000");
  n.watchdog();
  CHECK(systemd.receive() == "WATCHDOG=1");
  // A status cannot smuggle in another assignment.
  n.status("bad input\nREADY=1");
  CHECK(systemd.receive() == "STATUS=bad input READY=1");
  CHECK_FALSE(systemd.receive(50ms));
}

TEST_CASE("notify: without NOTIFY_SOCKET nothing is sent and nothing breaks", "[notify]") {
  CleanEnvironment env;
  NotifySocket systemd;  // bound, but not exported
  set_watchdog("40000", ::getpid());
  const Notifier n = Notifier::from_environment();
  CHECK_FALSE(n.enabled());
  CHECK_FALSE(n.watchdog_interval());
  n.ready("ready");
  n.status("status");
  n.stopping("stopping");
  n.watchdog();
  n.extend_timeout(1s);
  Health health;
  {
    Beater beater(health);
    Watchdog watchdog(n, health);
    std::this_thread::sleep_for(100ms);
    CHECK(watchdog.pings() == 0);
  }
  CHECK_FALSE(systemd.receive(100ms));
}

TEST_CASE("notify: the watchdog interval comes from WATCHDOG_USEC for our pid only", "[notify]") {
  CleanEnvironment env;
  NotifySocket systemd;
  systemd.export_path();
  set_watchdog("40000", ::getpid());
  CHECK(Notifier::from_environment().watchdog_interval() == std::chrono::microseconds(40000));
  ::unsetenv("WATCHDOG_PID");  // no pid: meant for whoever reads it
  CHECK(Notifier::from_environment().watchdog_interval() == std::chrono::microseconds(40000));
  set_watchdog("40000", ::getpid() + 1);
  CHECK_FALSE(Notifier::from_environment().watchdog_interval());
  set_watchdog("soon", ::getpid());
  CHECK_FALSE(Notifier::from_environment().watchdog_interval());
  CHECK(Notifier::from_environment().enabled());
}

TEST_CASE("notify: health needs a recent beat from every part", "[notify]") {
  using Clock = Health::Clock;
  const Clock::time_point t0 = Clock::now();
  Health h;
  CHECK_FALSE(h.healthy(t0, 1s));  // never beat
  h.beat(Health::poll_loop, t0);
  CHECK_FALSE(h.healthy(t0, 1s));  // the market never beat
  h.beat(Health::market, t0 + 100ms);
  CHECK(h.healthy(t0 + 1s, 1s));
  CHECK_FALSE(h.healthy(t0 + 1s + 1ms, 1s));  // the poll loop's beat is too old
  CHECK(h.healthy(t0 + 50ms, 1s));            // a beat stamped after `now` is fresh
  h.beat(Health::poll_loop, t0 + 2s);
  CHECK(h.healthy(t0 + 2s, 2s));
  CHECK_FALSE(h.healthy(t0 + 2s, 1s));  // now the market lags
}

TEST_CASE("notify: the watchdog pings only while every part beats", "[notify]") {
  CleanEnvironment env;
  NotifySocket systemd;
  systemd.export_path();
  set_watchdog("40000", ::getpid());  // pings every 20 ms while both parts beat within 20 ms
  const Notifier n = Notifier::from_environment();
  REQUIRE(n.watchdog_interval() == std::chrono::microseconds(40000));
  Health health;
  Beater beater(health);
  Watchdog watchdog(n, health);

  for (int i = 0; i < 3; ++i) CHECK(systemd.receive() == "WATCHDOG=1");

  // The market stalls: once its last beat is older than 20 ms no ping can follow. Wait well past
  // that, drop what was sent before, then expect silence.
  beater.market(false);
  std::this_thread::sleep_for(300ms);
  systemd.drain();
  const auto pings = watchdog.pings();
  CHECK_FALSE(systemd.receive(300ms));
  CHECK(watchdog.pings() == pings);

  beater.market(true);  // recovered: pings resume
  CHECK(systemd.receive() == "WATCHDOG=1");

  beater.poll_loop(false);  // the same for the other part
  std::this_thread::sleep_for(300ms);
  systemd.drain();
  CHECK_FALSE(systemd.receive(300ms));
  beater.poll_loop(true);
  CHECK(systemd.receive() == "WATCHDOG=1");
}

TEST_CASE("notify: a watchdog meant for another pid sends nothing", "[notify]") {
  CleanEnvironment env;
  NotifySocket systemd;
  systemd.export_path();
  set_watchdog("40000", ::getpid() + 1);
  const Notifier n = Notifier::from_environment();
  CHECK(n.enabled());
  CHECK_FALSE(n.watchdog_interval());
  Health health;
  {
    Beater beater(health);
    Watchdog watchdog(n, health);
    std::this_thread::sleep_for(100ms);
    CHECK(watchdog.pings() == 0);
  }
  CHECK_FALSE(systemd.receive(100ms));
}
