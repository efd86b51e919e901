// RepeatLimiter: one line per kind of message and window, with the count held back.
#include <catch2/catch.hpp>

#include "hanzo/hmm/daemon/log_limiter.hpp"

using hanzo::hmm::daemon::RepeatLimiter;
using namespace std::chrono_literals;

namespace {
const RepeatLimiter::Clock::time_point t0{};
// librdkafka's words for a broker that is down, once a second, details varying.
std::string fail(int ms, int suppressed) {
  return "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused (after " + std::to_string(ms) +
         "ms in state CONNECT" + (suppressed ? ", " + std::to_string(suppressed) + " identical error(s) suppressed" : "") +
         ")";
}
}  // namespace

TEST_CASE("repeat limiter: the key ignores parenthesized details, nested ones too", "[daemon][log]") {
  CHECK(RepeatLimiter::key_of("FAIL", fail(0, 0)) == RepeatLimiter::key_of("FAIL", fail(3, 7)));
  CHECK(RepeatLimiter::key_of("FAIL", fail(0, 0)) ==
        "FAIL|127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused");
  CHECK(RepeatLimiter::key_of("FAIL", fail(0, 0)) != RepeatLimiter::key_of("ERROR", fail(0, 0)));
  CHECK(RepeatLimiter::key_of("X", "a (b (c) d) e") == "X|a  e");
  CHECK(RepeatLimiter::key_of("X", "unbalanced ) stays") == "X|unbalanced ) stays");  // not a detail: kept
}

TEST_CASE("repeat limiter: a broker down for 65 s gives 3 lines, each after the first with its count", "[daemon][log]") {
  RepeatLimiter limiter(30s);
  std::vector<std::string> written;
  // Once a second from t=0 to t=65, plus an unrelated message at t=10 that goes through at once.
  for (int s = 0; s <= 65; ++s) {
    if (auto line = limiter.admit("FAIL", fail(s % 3, s), t0 + std::chrono::seconds(s))) written.push_back(*line);
    if (s == 10)
      if (auto line = limiter.admit("ERROR", "1/1 brokers are down", t0 + 10s)) written.push_back(*line);
  }
  // t=0 written; t=1..29 held (29); t=30 written with 29; t=31..59 held (29); t=60 written.
  REQUIRE(written.size() == 4);
  CHECK(written[0] == fail(0, 0));
  CHECK(written[1] == "1/1 brokers are down");
  CHECK(written[2] == fail(0, 30) + " (29 similar suppressed in the last 30 s)");
  CHECK(written[3] == fail(0, 60) + " (29 similar suppressed in the last 30 s)");
}

TEST_CASE("repeat limiter: a message that stops and comes back later is written without a count", "[daemon][log]") {
  RepeatLimiter limiter(30s);
  CHECK(limiter.admit("F", "m", t0) == std::optional<std::string>("m"));
  CHECK_FALSE(limiter.admit("F", "m", t0 + 29s));
  CHECK(limiter.admit("F", "m", t0 + 30s) == std::optional<std::string>("m (1 similar suppressed in the last 30 s)"));
  CHECK(limiter.admit("F", "m", t0 + 100s) == std::optional<std::string>("m"));
}

TEST_CASE("repeat limiter: memory is bounded, the key seen longest ago is forgotten first", "[daemon][log]") {
  RepeatLimiter limiter(30s, 2);
  CHECK(limiter.admit("F", "a", t0));
  CHECK(limiter.admit("F", "b", t0 + 1s));
  CHECK_FALSE(limiter.admit("F", "a", t0 + 2s));  // a seen again: now b is the oldest
  CHECK(limiter.admit("F", "c", t0 + 3s));        // forgets b
  CHECK_FALSE(limiter.admit("F", "a", t0 + 4s));  // a still remembered
  CHECK(limiter.admit("F", "b", t0 + 5s));        // b was forgotten: written again at once
}
