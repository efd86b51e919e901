// Kill loop: hanzo-hmmd as a subprocess on a mock cluster hosted here is
// killed with SIGKILL at three points of a 100,000-request stream (twice while requests are
// decided, once while feedback is applied) and restarted each time. At the end:
//  - every request_id has a decision; duplicates are only copies marked "redelivered", each
//    byte-identical to the first answer apart from the mark;
//  - every decision equals the single-threaded reference (the MarketMaker facade fed the same
//    requests), and every tenant's final state (from the changelog) equals the reference's
//    after the same requests and feedback: nothing lost, nothing applied twice.
// Usage: test_kill_loop HANZO_HMMD. Prints one JSON line of counts for the closing note.
#include <unistd.h>

#include <sstream>
#include <iostream>

#include "fault_harness.hpp"

using namespace hanzo;
using namespace hanzo::faults;

int main(int argc, char** argv) {
  Stage stage(argc, argv, "kill_loop");
  const auto& defaults = stage.defaults();
  const auto& topics = stage.topics();
  const std::string& bootstrap = stage.bootstrap();
  const std::string& dir = stage.dir();
  DaemonProcess daemon(argv[1], stage.config(), dir + "/daemon.log");
  auto log = [&] { return "--- daemon log (tail) ---\n" + daemon.log_tail() + "\n---"; };
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) fail(what + "\n" + log());
  };

  Workload work(static_cast<std::size_t>(100000 * scale()), defaults);
  const std::size_t n = work.size();
  DecisionLog decisions(bootstrap, topics.decisions);
  Sender sender(bootstrap);
  daemon.start();
  work.send_requests(sender, topics.requests);
  std::cerr << "kill loop: " << n << " requests produced" << std::endl;

  // Two kills while requests are decided...
  for (double at : {0.25, 0.6}) {
    if (const auto why = decisions.await_decided(static_cast<std::size_t>(n * at), n, std::chrono::seconds(300)); !why.empty())
      check(false, why);
    daemon.kill9();
    std::cerr << "kill loop: killed at " << decisions.decided() << " decided" << std::endl;
    daemon.start();
  }
  if (const auto why = decisions.await_decided(n, n, std::chrono::seconds(300)); !why.empty())
    check(false, why);
  // ...and one halfway through the feedback (the first half is being applied).
  const auto c = work.finish(stage, sender, decisions, daemon, log, [&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    daemon.kill9();
    std::cerr << "kill loop: killed during feedback" << std::endl;
    daemon.start();
  });
  std::ostringstream json;
  json << "{\"test\":\"kill_loop\",\"requests_sent\":" << n << ",\"decided\":" << c.decided
            << ",\"redelivered_copies\":" << c.redelivered_copies
            << ",\"decided_only_as_redelivered\":" << c.decided_only_as_redelivered
            << ",\"unmarked_duplicates\":0,\"lost\":0,\"feedback_sent\":" << work.feedback_sent()
            << ",\"kills\":3,\"starts\":" << daemon.starts() << ",\"tenants_checked\":" << c.tenants
            << ",\"changelog_records\":" << c.changelog_records << ",\"changelog_bytes\":" << c.changelog_bytes << "}"
           ;
  return stage.pass(json.str());
}
