// Rebalance: two hanzo-hmmd instances in one consumer group. The second
// joins mid-stream (partitions move from the first: it drains, commits and drops their tenants;
// the second restores them from the changelog), then stops (SIGTERM: the first takes everything
// back), then the first is killed with SIGKILL and restarted. Tenants move with their state:
// every request decided, duplicates only marked copies, decisions and final states equal the
// single-threaded reference. Usage: test_rebalance HANZO_HMMD.
#include <unistd.h>

#include <sstream>
#include <iostream>
#include <cstdlib>

#include "fault_harness.hpp"

using namespace hanzo;
using namespace hanzo::faults;

namespace {
// N of the last "consumed N, dead-lettered" line (the instance's final count; 0 if absent).
std::size_t consumed(const std::string& log) {
  const auto at = log.rfind("consumed ");
  if (at == std::string::npos || log.find(", dead-lettered", at) == std::string::npos) return 0;
  return std::strtoull(log.c_str() + at + 9, nullptr, 10);
}
}  // namespace

int main(int argc, char** argv) {
  Stage stage(argc, argv, "rebalance");
  const auto& defaults = stage.defaults();
  const auto& topics = stage.topics();
  const std::string& bootstrap = stage.bootstrap();
  const std::string& dir = stage.dir();
  const std::string& config = stage.config();
  DaemonProcess first(argv[1], config, dir + "/first.log");
  DaemonProcess second(argv[1], config, dir + "/second.log");
  auto log = [&] {
    return "--- first (tail) ---\n" + first.log_tail() + "\n--- second (tail) ---\n" + second.log_tail() + "\n---";
  };
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) fail(what + "\n" + log());
  };
  auto reach = [&](DecisionLog& d, double share, std::size_t n) {
    if (const auto why = d.await_decided(static_cast<std::size_t>(n * share), n, std::chrono::seconds(300)); !why.empty())
      check(false, why);
  };

  Workload work(static_cast<std::size_t>(60000 * scale()), defaults);
  const std::size_t n = work.size();
  DecisionLog decisions(bootstrap, topics.decisions);
  Sender sender(bootstrap);
  first.start();
  work.send_requests(sender, topics.requests, 0, n / 2);

  reach(decisions, 0.2, n);
  second.start();  // joins the group: half the partitions move to it with their tenants
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (second.log_tail(std::string::npos).find("hanzo-hmmd: restored ") == std::string::npos)
    if (std::chrono::steady_clock::now() > deadline) check(false, "the second instance was never assigned");
    else std::this_thread::sleep_for(std::chrono::milliseconds(20));
  std::cerr << "rebalance: second instance assigned at " << decisions.decided() << " decided" << std::endl;
  work.send_requests(sender, topics.requests, n / 2, n);  // work for both
  reach(decisions, 0.6, n);
  check(second.terminate() == 0, "the second instance did not stop cleanly on SIGTERM");
  const std::size_t second_consumed = consumed(second.log_tail(std::string::npos));
  std::cerr << "rebalance: second instance stopped at " << decisions.decided() << " decided, having consumed "
            << second_consumed << std::endl;
  check(second_consumed > 0, "the second instance never got any partition");
  reach(decisions, 0.8, n);
  first.kill9();
  std::cerr << "rebalance: first instance killed at " << decisions.decided() << " decided" << std::endl;
  first.start();
  reach(decisions, 1.0, n);
  const auto c = work.finish(stage, sender, decisions, first, log);
  std::ostringstream json;
  json << "{\"test\":\"rebalance\",\"requests_sent\":" << n << ",\"decided\":" << c.decided
            << ",\"redelivered_copies\":" << c.redelivered_copies << ",\"unmarked_duplicates\":0,\"lost\":0"
            << ",\"second_instance_consumed\":" << second_consumed << ",\"feedback_sent\":" << work.feedback_sent()
            << ",\"tenants_checked\":" << c.tenants << "}";
  return stage.pass(json.str());
}
