// systemd's notify protocol (sd_notify(3)) and the watchdog, without systemd headers here.
// With NOTIFY_SOCKET unset every call is a no-op, so the daemon runs the same under a shell.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string_view>
#include <thread>

namespace hanzo::hmm::daemon {

class Notifier {
 public:
  // Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID (the latter must be our pid, or unset).
  static Notifier from_environment();
  bool enabled() const noexcept { return enabled_; }
  // The interval systemd expects pings within (WatchdogSec=), if the watchdog is on.
  std::optional<std::chrono::microseconds> watchdog_interval() const noexcept { return watchdog_; }
  // Each sends one datagram; failures are ignored (systemd may be gone at shutdown). Newlines in
  // a status become spaces, so a status cannot add assignments of its own.
  void ready(std::string_view status) const;      // READY=1 + STATUS=
  void status(std::string_view status) const;     // STATUS=
  void stopping(std::string_view status) const;   // STOPPING=1 + STATUS=
  void watchdog() const;                          // WATCHDOG=1
  void extend_timeout(std::chrono::microseconds usec) const;  // EXTEND_TIMEOUT_USEC=
 private:
  bool enabled_{false};
  std::optional<std::chrono::microseconds> watchdog_;
};

// Liveness of the parts the watchdog vouches for: each beats while it makes progress.
class Health {
 public:
  enum Part : unsigned { poll_loop = 0, market = 1, parts = 2 };
  using Clock = std::chrono::steady_clock;
  void beat(Part p, Clock::time_point now = Clock::now()) noexcept;
  // Every part beat within `max_age` of `now` (a part that never beat is unhealthy).
  bool healthy(Clock::time_point now, Clock::duration max_age) const noexcept;
 private:
  std::atomic<std::int64_t> last_[parts]{};  // steady_clock ticks; 0 = never
};

// Pings WATCHDOG=1 every interval/2 while Health is healthy (max_age = interval/2); stays silent
// otherwise, so systemd restarts a wedged daemon. Stops on destruction. Without a watchdog
// interval (unset, or meant for another pid) no thread starts. `notifier` is copied; `health` must
// outlive the Watchdog.
class Watchdog {
 public:
  Watchdog(const Notifier& notifier, const Health& health);
  ~Watchdog();
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;
  std::uint64_t pings() const noexcept { return pings_.load(); }
 private:
  struct State;
  std::shared_ptr<State> state_;
  std::atomic<std::uint64_t> pings_{0};
  std::jthread thread_;
};

}  // namespace hanzo::hmm::daemon
