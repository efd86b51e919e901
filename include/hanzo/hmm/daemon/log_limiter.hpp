// Rate limit for repeated log lines: librdkafka reports a broker that is down once a second per
// client ("Connect to ... failed: Connection refused (after 0ms in state CONNECT)"), which buries
// everything else in the journal. One line per kind of message and window is enough; when the
// next one is written it says how many were held back.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hanzo::hmm::daemon {

class RepeatLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // At most one line per key every `window`; at most `max_keys` keys are remembered (the one seen
  // longest ago is forgotten first, so memory stays bounded whatever the messages are).
  explicit RepeatLimiter(std::chrono::milliseconds window, std::size_t max_keys = 256);

  // The line to write for this occurrence, or nothing if one with the same key was written less
  // than `window` ago. The key is `facility` and `message` without its parenthesized details
  // (librdkafka puts timings and counts there). A line written after suppressed ones ends with
  // " (K similar suppressed in the last S s)". Safe from any thread.
  std::optional<std::string> admit(std::string_view facility, std::string_view message, Clock::time_point now);

  // `message` without parenthesized parts (nested ones included) and with spaces trimmed.
  static std::string key_of(std::string_view facility, std::string_view message);

 private:
  struct Seen {
    std::string key;
    Clock::time_point written;    // when a line with this key was last written
    Clock::time_point last_seen;  // for forgetting
    std::size_t suppressed{0};
  };
  std::chrono::milliseconds window_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::vector<Seen> seen_;
};

}  // namespace hanzo::hmm::daemon
