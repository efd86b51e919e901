// processing.guarantee = "exactly_once" on the mock cluster. The
// mock in librdkafka 2.0.2 accepts the transactional API without its semantics (aborted records
// stay visible, offsets sent to a transaction are not committed), so this checks the API flow
// and the error handling, not isolation: while hanzo-hmmd works through a request stream,
// transaction requests fail with an abortable error (the daemon aborts, rewinds and restores
// its tenants), with retriable errors (retried, nothing aborted), and with a fencing error (the
// daemon exits 75 on its own, as systemd's Restart=on-failure expects, and a restart carries
// on). At the end every request has a decision, duplicates are only marked copies identical to
// the first answer, decisions and tenant states equal the reference, and SIGTERM exits 0.
// Feedback is left out: its completion shows only in committed offsets, which the mock does not
// keep for transactions. Usage: test_exactly_once HANZO_HMMD.
#include <fstream>
#include <iostream>
#include <sstream>

#include "fault_harness.hpp"

using namespace hanzo;
using namespace hanzo::faults;

namespace {
// Kafka API keys and error codes used below (see tests/kafka/test_transactions.cpp for what
// librdkafka 2.0.2 makes of each on the mock).
constexpr std::int16_t kAddPartitionsToTxn = 24, kEndTxn = 26;
constexpr int kTopicAuthorizationFailed = 29, kConcurrentTransactions = 51, kProducerFenced = 90;

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}
}  // namespace

int main(int argc, char** argv) {
  Stage stage(argc, argv, "exactly_once", "\"transactional.id\" = \"hanzo-hmmd-eos-test\"\n");
  {
    std::ofstream out(stage.config(), std::ios::app);
    out << "[processing]\nguarantee = \"exactly_once\"\ntransaction_max_seconds = 0.05\n";
    if (!out) fail("cannot append to " + stage.config());
  }
  const auto& topics = stage.topics();
  auto* cluster = &stage.cluster();
  DaemonProcess daemon(argv[1], stage.config(), stage.dir() + "/daemon.log");
  auto log = [&] { return "--- daemon log (tail) ---\n" + daemon.log_tail() + "\n---"; };
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) fail(what + "\n" + log());
  };
  Workload work(static_cast<std::size_t>(10000 * scale()), stage.defaults());
  const std::size_t n = work.size();
  DecisionLog decisions(stage.bootstrap(), topics.decisions);
  auto reach = [&](double share) {
    if (const auto why = decisions.await_decided(static_cast<std::size_t>(n * share), n, std::chrono::seconds(300)); !why.empty())
      check(false, why);
  };
  Sender sender(stage.bootstrap());
  daemon.start();
  work.send_requests(sender, topics.requests);

  reach(0.25);
  cluster->push_request_errors(kAddPartitionsToTxn, {kTopicAuthorizationFailed});
  reach(0.45);
  cluster->push_request_errors(kEndTxn, {kConcurrentTransactions, kConcurrentTransactions});
  reach(0.6);
  cluster->push_request_errors(kEndTxn, {kProducerFenced});
  const auto status = daemon.wait_exit(std::chrono::seconds(120));
  check(status.has_value(), "still running 120 s after the fencing error");
  check(*status == 75, "exit status " + std::to_string(*status) + " after being fenced (expected 75)");
  const std::string first_run = daemon.log_tail(std::string::npos);
  daemon.start();  // as systemd would
  reach(1.0);
  const int stopped = daemon.terminate();
  check(stopped == 0, "exit status " + std::to_string(stopped) + " after SIGTERM");

  const std::string all = daemon.log_tail(std::string::npos);
  const std::size_t aborts = count(first_run, "aborted (");
  check(aborts >= 1, "no transaction was aborted after the AddPartitionsToTxn error");
  check(count(first_run, "exit 75") >= 1, "the fencing error was not reported");
  check(count(all, "exactly_once: transactions initialised") == 2, "transactions not initialised once per start");
  const auto c = work.verify(decisions, stage.bootstrap(), log, &sender);
  std::ostringstream json;
  json << "{\"test\":\"exactly_once\",\"requests_sent\":" << n << ",\"decided\":" << c.decided
       << ",\"redelivered_copies\":" << c.redelivered_copies << ",\"unmarked_duplicates\":0,\"lost\":0"
       << ",\"aborted_transactions\":" << aborts << ",\"fenced_exit_status\":" << *status
       << ",\"tenants_checked\":" << c.tenants << "}";
  return stage.pass(json.str());
}
