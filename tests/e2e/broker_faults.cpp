// Broker faults: while hanzo-hmmd works through a request stream, the
// mock cluster refuses Produce and OffsetCommit requests with retriable errors, goes down for
// eight seconds, and refuses JoinGroup requests when the daemon restarts. The daemon retries;
// its systemd watchdog pings stop while it cannot make progress and resume after; nothing is
// lost (every request decided, duplicates only marked copies, decisions and final states equal
// the reference). Usage: test_broker_faults HANZO_HMMD.
#include <unistd.h>

#include <sstream>
#include <iostream>

#include "fault_harness.hpp"

using namespace hanzo;
using namespace hanzo::faults;
using Clock = std::chrono::steady_clock;

namespace {
// librdkafka error codes and Kafka API keys used below.
constexpr int kRequestTimedOut = 7, kNotEnoughReplicas = 19, kCoordinatorNotAvailable = 15, kNotCoordinator = 16;
constexpr std::int16_t kProduce = 0, kOffsetCommit = 8, kJoinGroup = 11;
}  // namespace

int main(int argc, char** argv) {
  Stage stage(argc, argv, "broker_faults");
  const auto& defaults = stage.defaults();
  const auto& topics = stage.topics();
  const std::string& bootstrap = stage.bootstrap();
  const std::string& dir = stage.dir();
  auto* cluster = &stage.cluster();
  NotifySocket notify(dir + "/notify.sock");
  DaemonProcess daemon(argv[1], stage.config(), dir + "/daemon.log");
  daemon.set_env("NOTIFY_SOCKET", notify.path());
  daemon.set_env("WATCHDOG_USEC", "2000000");  // pings every second while healthy
  auto log = [&] { return "--- daemon log (tail) ---\n" + daemon.log_tail() + "\n---"; };
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) fail(what + "\n" + log());
  };
  Workload work(static_cast<std::size_t>(40000 * scale()), defaults);
  const std::size_t n = work.size();
  auto reach = [&](DecisionLog& d, double share) {
    if (const auto why = d.await_decided(static_cast<std::size_t>(n * share), n, std::chrono::seconds(300)); !why.empty())
      check(false, why);
  };
  DecisionLog decisions(bootstrap, topics.decisions);
  Sender sender(bootstrap);
  daemon.start();
  work.send_requests(sender, topics.requests);

  reach(decisions, 0.2);
  cluster->push_request_errors(kProduce, {kNotEnoughReplicas, kNotEnoughReplicas, kNotEnoughReplicas,
                                          kRequestTimedOut, kRequestTimedOut});
  reach(decisions, 0.35);
  cluster->push_request_errors(kOffsetCommit, {kCoordinatorNotAvailable, kCoordinatorNotAvailable, kNotCoordinator});
  reach(decisions, 0.5);

  // The broker goes away for eight seconds.
  const auto before = Clock::now();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  check(cluster->broker_down(1).has_value(), "broker_down");
  const auto down = Clock::now();
  const std::size_t decided_at_down = decisions.decided();
  std::this_thread::sleep_for(std::chrono::seconds(8));
  check(cluster->broker_up(1).has_value(), "broker_up");
  const auto up = Clock::now();
  std::cerr << "broker faults: broker down for 8 s at " << decided_at_down << " decided" << std::endl;
  check(notify.pings(before, down) > 0, "no watchdog pings before the outage");
  const std::size_t pings_down = notify.pings(down + std::chrono::seconds(4), up);
  check(pings_down == 0, std::to_string(pings_down) + " watchdog pings while the broker was down");
  reach(decisions, 1.0);
  const auto deadline = Clock::now() + std::chrono::seconds(30);
  while (notify.pings(up, Clock::now()) == 0 && Clock::now() < deadline) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  const std::size_t pings_after = notify.pings(up, Clock::now());
  check(pings_after > 0, "watchdog pings did not resume after the broker came back");

  // A restart whose group join meets a coordinator that is not ready.
  cluster->push_request_errors(kJoinGroup, {kCoordinatorNotAvailable, kCoordinatorNotAvailable, kNotCoordinator});
  daemon.kill9();
  daemon.start();
  const auto c = work.finish(stage, sender, decisions, daemon, log);
  std::ostringstream json;
  json << "{\"test\":\"broker_faults\",\"requests_sent\":" << n << ",\"decided\":" << c.decided
            << ",\"redelivered_copies\":" << c.redelivered_copies << ",\"unmarked_duplicates\":0,\"lost\":0"
            << ",\"watchdog_pings_during_outage\":" << pings_down << ",\"feedback_sent\":" << work.feedback_sent()
            << ",\"tenants_checked\":" << c.tenants << "}";
  return stage.pass(json.str());
}
