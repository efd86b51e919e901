// Slow consumer: the daemon's poll loop stalls (a failpoint) for 12 s,
// past max.poll.interval.ms (7 s), while librdkafka's threads go on: the group drops the
// member. When the loop polls again, the daemon sees the lost assignment, drops the partitions'
// tenants from memory, rejoins, restores them from the changelog, and finishes with nothing lost
// (decisions and final states equal the reference). The in-flight window is small so that the
// stall finds fetching paused (the case that once stalled for good). Usage: test_slow_consumer HANZO_HMMD.
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <iostream>

#include "fault_harness.hpp"

using namespace hanzo;
using namespace hanzo::faults;

int main(int argc, char** argv) {
  Stage stage(argc, argv, "slow_consumer", "\"max.poll.interval.ms\" = \"7000\"\n");
  const auto& defaults = stage.defaults();
  const auto& topics = stage.topics();
  const std::string& bootstrap = stage.bootstrap();
  const std::string& dir = stage.dir();
  {
    // A small in-flight window, so fetching is paused (backpressure) when the stall hits: the
    // partitions are then revoked while paused, which once left them paused for good.
    std::ifstream in(stage.config());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string window = "max_in_flight = 1500\nresume_in_flight = 1000\n";
    const auto at = text.find(window);
    if (at == std::string::npos) fail("config without the expected in-flight window");
    text.replace(at, window.size(), "max_in_flight = 300\nresume_in_flight = 150\n");
    std::ofstream(stage.config()) << text;
  }
  DaemonProcess daemon(argv[1], stage.config(),
                       dir + "/daemon.log");
  auto log = [&] { return "--- daemon log (tail) ---\n" + daemon.log_tail() + "\n---"; };
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) fail(what + "\n" + log());
  };
  Workload work(static_cast<std::size_t>(30000 * scale()), defaults);
  const std::size_t n = work.size();
  daemon.set_env("HANZO_HMMD_FAILPOINT_STALL", std::to_string(n / 3) + ":12000");
  DecisionLog decisions(bootstrap, topics.decisions);
  Sender sender(bootstrap);
  daemon.start();
  work.send_requests(sender, topics.requests);
  if (const auto why = decisions.await_decided(n, n, std::chrono::seconds(300)); !why.empty())
    check(false, why);
  const std::string text = daemon.log_tail(std::string::npos);
  check(text.find("failpoint: stalling") != std::string::npos, "the failpoint never fired");
  check(text.find("partitions lost") != std::string::npos, "the daemon did not notice the lost assignment");
  const auto restored_at = text.find("restored ", text.find("partitions lost"));
  check(restored_at != std::string::npos && text.compare(restored_at, 11, "restored 0 ") != 0,
        "no tenants restored from the changelog after the lost assignment");
  const auto c = work.finish(stage, sender, decisions, daemon, log);
  std::ostringstream json;
  json << "{\"test\":\"slow_consumer\",\"requests_sent\":" << n << ",\"decided\":" << c.decided
            << ",\"redelivered_copies\":" << c.redelivered_copies << ",\"unmarked_duplicates\":0,\"lost\":0"
            << ",\"tenants_checked\":" << c.tenants << "}";
  return stage.pass(json.str());
}
