// Kill loop (issue 5, section 4): hanzo-hmmd as a subprocess on a mock cluster hosted here is
// killed with SIGKILL at three points of a 100,000-request stream (twice while requests are
// decided, once while feedback is applied) and restarted each time. At the end:
//  - every request_id has a decision; duplicates are only copies marked "redelivered", each
//    byte-identical to the first answer apart from the mark;
//  - every decision equals the single-threaded reference (the MarketMaker facade fed the same
//    requests), and every tenant's final state (from the changelog) equals the reference's
//    after the same requests and feedback: nothing lost, nothing applied twice.
// Usage: test_kill_loop HANZO_HMMD. Prints one JSON line of counts for the closing note.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include "fault_harness.hpp"
#include "hanzo/hmm/daemon/changelog.hpp"
#include "hanzo/hmm/daemon/tenant_record.hpp"
#include "hanzo/hmm/kafka/producer.hpp"
#include "hanzo/hmm/loadgen/generator.hpp"
#include "hanzo/hmm/mm/market_maker.hpp"
#include "hanzo/hmm/wire/decision.hpp"
#include "hanzo/hmm/wire/request.hpp"

using namespace hanzo;
using namespace hanzo::faults;
namespace kafka = hmm::kafka;

namespace {

// Produces and remembers, per partition, the offset after the last acknowledged message.
class Sender {
 public:
  explicit Sender(const std::string& bootstrap) {
    auto p = kafka::Producer::create({{"bootstrap.servers", bootstrap}, {"linger.ms", "5"}},
                                     [this](const kafka::DeliveryReport& r) {
                                       if (!r.result) fail("produce: " + r.result.error().to_string());
                                       auto& end = ends_[r.topic][r.partition];
                                       end = std::max(end, r.offset + 1);
                                     });
    if (!p) fail(p.error().to_string());
    producer_ = std::make_unique<kafka::Producer>(std::move(*p));
  }
  void send(const std::string& topic, const std::string& key, const std::string& value) {
    kafka::Record r{topic, key, value, {}, -1, false};
    for (int attempt = 0;; ++attempt) {
      auto ok = producer_->produce(r);
      if (ok) return;
      if (!kafka::is_queue_full(ok.error()) || attempt > 10000) fail(ok.error().to_string());
      producer_->poll(std::chrono::milliseconds(5));
    }
  }
  void flush() {
    if (auto ok = producer_->flush(std::chrono::seconds(60)); !ok) fail(ok.error().to_string());
    producer_->poll(std::chrono::milliseconds(0));
  }
  std::map<std::int32_t, std::int64_t> ends(const std::string& topic) { return ends_[topic]; }

 private:
  std::unique_ptr<kafka::Producer> producer_;
  std::map<std::string, std::map<std::int32_t, std::int64_t>> ends_;  // delivery callbacks: poll/flush thread
};

std::vector<std::byte> session_snapshot(const hmm::tenant::TenantContext& ctx,
                                        const hmm::routing::Router& router, std::span<const std::byte> record_bytes,
                                        const std::string& tenant) {
  auto record = hmm::daemon::TenantRecord::decode(record_bytes);
  if (!record) fail(tenant + ": " + record.error().to_string());
  auto session = hmm::mm::TenantSession::restore(ctx, router, record->session);
  if (!session) fail(tenant + ": " + session.error().to_string());
  if (!record->progress.empty())
    if (auto ok = session->resume(record->progress); !ok) fail(tenant + ": " + ok.error().to_string());
  return session->snapshot();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: test_kill_loop HANZO_HMMD\n";
    return 2;
  }
  const std::string binary = argv[1];
  const std::size_t n = static_cast<std::size_t>(100000 * scale());
  const hmm::daemon::DaemonConfig defaults;
  const auto& topics = defaults.topics;

  auto cluster = kafka::MockCluster::create(1);
  if (!cluster) fail(cluster.error().to_string());
  create_topics(*cluster, topics);
  const std::string bootstrap = cluster->bootstrap_servers();
  char tmpl[] = "/tmp/hanzo-kill-loop-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string config = write_config(dir, bootstrap);
  DaemonProcess daemon(binary, config, dir + "/daemon.log");
  auto on_failure = [&](const std::string& what) {
    std::cerr << "--- daemon log (tail) ---\n" << daemon.log_tail() << "\n---\n";
    fail(what);
  };

  hmm::loadgen::GeneratorOptions go;
  go.seed = 7;
  go.run_id = "kl";
  go.tenants = 64;
  go.tenant_skew = 1.0;
  go.feedback_ratio = 0.3;
  auto gen = hmm::loadgen::Generator::create(go, defaults.engine);
  if (!gen) fail(gen.error().to_string());

  DecisionLog decisions(bootstrap, topics.decisions);
  Sender sender(bootstrap);
  daemon.start();
  for (std::size_t i = 0; i < n; ++i) {
    const auto rec = gen->request_record(i);
    sender.send(topics.requests, rec.key, rec.value);
  }
  sender.flush();
  std::cerr << "kill loop: " << n << " requests produced" << std::endl;

  // Two kills while requests are decided.
  for (double at : {0.25, 0.6}) {
    if (!decisions.wait_decided(static_cast<std::size_t>(n * at), std::chrono::seconds(300)))
      on_failure("only " + std::to_string(decisions.decided()) + " of " + std::to_string(n) + " decided");
    daemon.kill9();
    std::cerr << "kill loop: killed at " << decisions.decided() << " decided" << std::endl;
    daemon.start();
  }
  if (!decisions.wait_decided(n, std::chrono::seconds(300)))
    on_failure("only " + std::to_string(decisions.decided()) + " of " + std::to_string(n) + " decided");

  // Feedback on the routed decisions (the reference learns the same, in the same order per
  // tenant: one partition per tenant keeps it).
  // The third kill comes halfway through the feedback: the first half is produced (and being
  // applied) when the daemon dies; the second half goes to the restarted one.
  auto seen = decisions.snapshot();
  std::vector<std::pair<std::string, hmm::routing::Feedback>> feedback;
  bool killed = false;
  for (std::size_t i = 0; i < n; ++i) {
    if (!killed && i >= n / 2) {
      sender.flush();
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      daemon.kill9();
      killed = true;
      std::cerr << "kill loop: killed during feedback (" << feedback.size() << " sent so far)" << std::endl;
      daemon.start();
    }
    const auto& e = seen.at(gen->request_id(i));
    const std::string& bytes = e.original.empty() ? e.marked.front() : e.original;
    auto d = hmm::wire::decode_decision(bytes);
    if (!d) on_failure(d.error().to_string());
    if (!gen->feedback_due(d->decision)) continue;
    auto fb = gen->feedback_record(d->decision);
    if (!fb) continue;
    auto decoded = hmm::wire::decode_keyed_feedback(fb->key, fb->value);
    if (!decoded) on_failure(decoded.error().to_string());
    feedback.emplace_back(fb->key, *decoded);
    sender.send(topics.feedback, fb->key, fb->value);
  }
  sender.flush();
  if (!wait_committed(bootstrap, "hanzo-hmmd", topics.feedback, sender.ends(topics.feedback), std::chrono::seconds(300)) ||
      !wait_committed(bootstrap, "hanzo-hmmd", topics.requests, sender.ends(topics.requests), std::chrono::seconds(60)))
    on_failure("the group's committed offsets never reached the end of the input");
  const int status = daemon.terminate();
  if (status != 0) on_failure("daemon exit status " + std::to_string(status) + " after SIGTERM");

  // 1. Decisions: every id, originals at most once, marked copies identical apart from the mark.
  seen = decisions.snapshot();
  std::size_t marked = 0, only_marked = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto id = gen->request_id(i);
    auto it = seen.find(id);
    if (it == seen.end()) on_failure("request " + id + " has no decision");
    const auto& e = it->second;
    if (e.originals > 1) on_failure(id + ": " + std::to_string(e.originals) + " unmarked decisions");
    marked += e.marked.size();
    if (e.originals == 0) ++only_marked;
    const std::string first = e.original.empty() ? e.marked.front() : e.original;
    for (const auto& m : e.marked) {
      if (!e.original.empty() && m != hmm::daemon::mark_redelivered(e.original))
        on_failure(id + ": a redelivered copy differs from the first answer:\n" + m + "\n" + e.original);
      if (m != e.marked.front()) on_failure(id + ": redelivered copies differ");
    }
  }
  if (seen.size() != n) on_failure(std::to_string(seen.size() - n) + " decisions for request ids never sent");

  // 2. The reference: the facade, single-threaded, same requests then the same feedback.
  auto reference = hmm::mm::MarketMaker::create(defaults.engine);
  if (!reference) fail(reference.error().to_string());
  for (std::size_t i = 0; i < n; ++i) {
    const auto msg = gen->request(i);
    auto d = reference->route_request(msg.tenant, msg.request);
    if (!d) on_failure(d.error().to_string());
    const auto& e = seen.at(msg.request.request_id);
    const std::string expected = hmm::wire::encode_decision(*d);
    const std::string got = e.original.empty() ? e.marked.front() : e.original;
    if (got != expected && got != hmm::daemon::mark_redelivered(expected))
      on_failure(msg.request.request_id + ": decision differs from the reference:\n" + got + "\n" + expected);
  }
  for (const auto& [tenant, fb] : feedback)
    if (auto ok = reference->feedback(tenant, fb); !ok) on_failure(ok.error().to_string());

  // 3. Final tenant states from the changelog against the reference's.
  std::vector<std::int32_t> parts{0, 1, 2, 3, 4, 5, 6, 7};
  auto restored = hmm::daemon::read_changelog({{"bootstrap.servers", bootstrap}}, topics.tenant_state, parts, {},
                                              nullptr, std::chrono::seconds(60));
  if (!restored) on_failure(restored.error().to_string());
  std::size_t tenants = 0;
  for (const auto& [tenant, bytes] : restored->states) {
    auto expected = reference->snapshot_tenant(tenant);
    if (!expected) on_failure("tenant " + tenant + " in the changelog but unknown to the reference");
    const auto got = session_snapshot(reference->tenant_context(), reference->router(), bytes, tenant);
    if (got != *expected) on_failure("tenant " + tenant + ": final state differs from the reference replay");
    ++tenants;
  }
  if (tenants != go.tenants) on_failure(std::to_string(tenants) + " tenants in the changelog, expected 64");

  std::cout << "{\"test\":\"kill_loop\",\"requests_sent\":" << n << ",\"decided\":" << seen.size()
            << ",\"redelivered_copies\":" << marked << ",\"decided_only_as_redelivered\":" << only_marked
            << ",\"unmarked_duplicates\":0,\"lost\":0,\"feedback_sent\":" << feedback.size()
            << ",\"kills\":3,\"starts\":" << daemon.starts() << ",\"tenants_checked\":" << tenants
            << ",\"changelog_records\":" << restored->records << ",\"changelog_bytes\":" << restored->bytes << "}"
            << std::endl;
  std::filesystem::remove_all(dir);
  std::cout << "PASS" << std::endl;
  return 0;
}
