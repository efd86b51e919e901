// SIGTERM during a restore and during a rebalance: both exit cleanly
// (status 0), and whoever runs next finishes the stream with nothing lost. The restore is
// made slow with a 150 ms round trip on the mock broker. Usage: test_sigterm_faults HANZO_HMMD.
#include <unistd.h>

#include <sstream>
#include <iostream>

#include "fault_harness.hpp"

using namespace hanzo;
using namespace hanzo::faults;

int main(int argc, char** argv) {
  Stage stage(argc, argv, "sigterm_faults");
  const auto& defaults = stage.defaults();
  const auto& topics = stage.topics();
  const std::string& bootstrap = stage.bootstrap();
  const std::string& dir = stage.dir();
  auto* cluster = &stage.cluster();
  const std::string& config = stage.config();
  DaemonProcess first(argv[1], config, dir + "/first.log");
  DaemonProcess second(argv[1], config, dir + "/second.log");
  auto log = [&] {
    return "--- first (tail) ---\n" + first.log_tail() + "\n--- second (tail) ---\n" + second.log_tail() + "\n---";
  };
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) fail(what + "\n" + log());
  };
  auto count = [&](const DaemonProcess& d, const std::string& what) {
    const std::string text = d.log_tail(std::string::npos);
    std::size_t n = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
  };
  auto wait_log = [&](const DaemonProcess& d, const std::string& what, std::size_t times) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (count(d, what) < times)
      if (std::chrono::steady_clock::now() > deadline) check(false, "never logged \"" + what + "\"");
      else std::this_thread::sleep_for(std::chrono::milliseconds(10));
  };
  Workload work(static_cast<std::size_t>(30000 * scale()), defaults);
  const std::size_t n = work.size();
  DecisionLog decisions(bootstrap, topics.decisions);
  Sender sender(bootstrap);
  first.start();
  work.send_requests(sender, topics.requests);
  check(decisions.wait_decided(n / 3, std::chrono::seconds(300)), "too few decided");

  // 1. SIGTERM during a restore: restart with a slow broker and stop as the restore begins.
  // Counted from here, not as a fixed total: had the first run been assigned twice (a group
  // rejoin), a total of 2 would stop the restart before its restore began.
  const auto assigned = count(first, "hanzo-hmmd: assigned ");
  const auto interrupted_before = count(first, "restore interrupted");
  first.kill9();
  check(cluster->set_rtt(1, std::chrono::milliseconds(150)).has_value(), "set_rtt");
  first.start();
  wait_log(first, "hanzo-hmmd: assigned ", assigned + 1);  // the restart's assignment: its restore begins
  const int during_restore = first.terminate();
  const bool interrupted = count(first, "restore interrupted") > interrupted_before;
  std::cerr << "sigterm: during restore -> exit " << during_restore << (interrupted ? " (restore interrupted)" : "")
            << std::endl;
  check(during_restore == 0, "exit status " + std::to_string(during_restore) + " after SIGTERM during the restore");
  // The point of this stage: the restore (slowed by the 150 ms round trip) was cut short.
  check(interrupted, "the restore finished before SIGTERM: this stage tested nothing");
  check(cluster->set_rtt(1, std::chrono::milliseconds(0)).has_value(), "set_rtt");

  // 2. SIGTERM during a rebalance: a second instance joins, the first is stopped while the
  // group rebalances; the second finishes.
  first.start();
  check(decisions.wait_decided(n / 2, std::chrono::seconds(300)), "too few decided");
  second.start();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // the join is under way
  const int during_rebalance = first.terminate();
  std::cerr << "sigterm: during a rebalance -> exit " << during_rebalance << std::endl;
  check(during_rebalance == 0, "exit status " + std::to_string(during_rebalance) + " after SIGTERM during a rebalance");
  if (const auto why = decisions.await_decided(n, n, std::chrono::seconds(300)); !why.empty())
    check(false, why);
  const auto c = work.finish(stage, sender, decisions, second, log);
  // After the interrupted restore, the next start of the first instance restored completely.
  check(count(first, "hanzo-hmmd: restored ") >= 1, "the first instance never completed a restore");
  std::ostringstream json;
  json << "{\"test\":\"sigterm_faults\",\"requests_sent\":" << n << ",\"decided\":" << c.decided
            << ",\"redelivered_copies\":" << c.redelivered_copies << ",\"unmarked_duplicates\":0,\"lost\":0"
            << ",\"restore_interrupted\":" << (interrupted ? "true" : "false") << ",\"exit_during_restore\":"
            << during_restore << ",\"exit_during_rebalance\":" << during_rebalance << "}";
  return stage.pass(json.str());
}
