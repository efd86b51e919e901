#include "hanzo/hmm/daemon/log_limiter.hpp"

#include <algorithm>

namespace hanzo::hmm::daemon {

RepeatLimiter::RepeatLimiter(std::chrono::milliseconds window, std::size_t max_keys)
    : window_(window), max_keys_(std::max<std::size_t>(max_keys, 1)) {}

std::string RepeatLimiter::key_of(std::string_view facility, std::string_view message) {
  std::string out(facility);
  out += '|';
  int depth = 0;
  for (char c : message) {
    if (c == '(') ++depth;
    else if (c == ')' && depth > 0) --depth;
    else if (depth == 0) out += c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::optional<std::string> RepeatLimiter::admit(std::string_view facility, std::string_view message,
                                                Clock::time_point now) {
  const std::string key = key_of(facility, message);
  std::lock_guard lock(mutex_);
  auto it = std::find_if(seen_.begin(), seen_.end(), [&](const Seen& s) { return s.key == key; });
  if (it == seen_.end()) {
    if (seen_.size() >= max_keys_)
      seen_.erase(std::min_element(seen_.begin(), seen_.end(),
                                   [](const Seen& a, const Seen& b) { return a.last_seen < b.last_seen; }));
    seen_.push_back({key, now, now, 0});
    return std::string(message);
  }
  it->last_seen = now;
  if (now - it->written < window_) {
    ++it->suppressed;
    return std::nullopt;
  }
  std::string line(message);
  if (it->suppressed > 0) {
    const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now - it->written).count();
    line += " (" + std::to_string(it->suppressed) + " similar suppressed in the last " + std::to_string(seconds) + " s)";
  }
  it->written = now;
  it->suppressed = 0;
  return line;
}

}  // namespace hanzo::hmm::daemon
