// sd_notify(3) and the watchdog on libsystemd. Only this file sees systemd's header.
#include "hanzo/hmm/daemon/notify.hpp"

#include <systemd/sd-daemon.h>

#include <algorithm>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>

namespace hanzo::hmm::daemon {

namespace {

// A newline in a status would start a new assignment in the datagram (e.g. a status quoting
// bad input could send READY=1 or STOPPING=1); keep it on one line.
std::string one_line(std::string_view text) {
  std::string s(text);
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

}  // namespace

Notifier Notifier::from_environment() {
  Notifier n;
  const char* socket = std::getenv("NOTIFY_SOCKET");
  n.enabled_ = socket != nullptr && *socket != '\0';
  std::uint64_t usec = 0;
  // sd_watchdog_enabled() also checks WATCHDOG_PID against our pid (> 0 only if both hold); a
  // watchdog without a socket to ping would be pointless.
  if (n.enabled_ && sd_watchdog_enabled(0, &usec) > 0 && usec > 0) n.watchdog_ = std::chrono::microseconds(usec);
  return n;
}

// sd_notify() reads NOTIFY_SOCKET at each call; its result is ignored on purpose (see header).
void Notifier::ready(std::string_view status) const {
  if (enabled_) sd_notify(0, ("READY=1\nSTATUS=" + one_line(status)).c_str());
}

void Notifier::status(std::string_view status) const {
  if (enabled_) sd_notify(0, ("STATUS=" + one_line(status)).c_str());
}

void Notifier::stopping(std::string_view status) const {
  if (enabled_) sd_notify(0, ("STOPPING=1\nSTATUS=" + one_line(status)).c_str());
}

void Notifier::watchdog() const {
  if (enabled_) sd_notify(0, "WATCHDOG=1");
}

void Notifier::extend_timeout(std::chrono::microseconds usec) const {
  const auto count = std::max<std::int64_t>(0, usec.count());
  if (enabled_) sd_notify(0, ("EXTEND_TIMEOUT_USEC=" + std::to_string(count)).c_str());
}

void Health::beat(Part p, Clock::time_point now) noexcept {
  // 0 means "never beat", so a clock reading of exactly 0 is stored as 1 tick.
  last_[p].store(std::max<std::int64_t>(1, now.time_since_epoch().count()), std::memory_order_relaxed);
}

bool Health::healthy(Clock::time_point now, Clock::duration max_age) const noexcept {
  for (const auto& last : last_) {
    const std::int64_t t = last.load(std::memory_order_relaxed);
    if (t == 0) return false;
    // A beat stamped after `now` (another thread's clock read) counts as fresh.
    if (now - Clock::time_point(Clock::duration(t)) > max_age) return false;
  }
  return true;
}

struct Watchdog::State {
  std::mutex mutex;
  std::condition_variable_any wake;  // woken by the jthread's stop request on destruction
};

Watchdog::Watchdog(const Notifier& notifier, const Health& health) : state_(std::make_shared<State>()) {
  const auto interval = notifier.watchdog_interval();
  if (!interval) return;  // no watchdog requested: no thread
  // A floor keeps an absurdly small WATCHDOG_USEC from turning this into a busy loop.
  using Duration = Health::Clock::duration;
  const Duration half = std::chrono::duration_cast<Duration>(*interval) / 2;
  const Duration period = std::max<Duration>(half, std::chrono::milliseconds(1));
  // The thread copies the notifier (a small value); `health` must outlive this Watchdog.
  thread_ = std::jthread([this, notifier, &health, period, state = state_](std::stop_token stop) {
    std::unique_lock lock(state->mutex);
    while (!stop.stop_requested()) {
      if (health.healthy(Health::Clock::now(), period)) {
        notifier.watchdog();
        pings_.fetch_add(1, std::memory_order_relaxed);
      }
      state->wake.wait_for(lock, stop, period, [] { return false; });
    }
  });
}

// The jthread member requests stop (waking the wait) and joins before pings_ and state_ go.
Watchdog::~Watchdog() = default;

}  // namespace hanzo::hmm::daemon
