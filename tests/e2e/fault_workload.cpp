// The fault tests' workload (what is sent, and the check of what came out against a replay
// of the same input through the MarketMaker facade) and a stage's command line. Processes,
// the notify socket and the decision log are in fault_harness.cpp.
#include <algorithm>
#include <filesystem>
#include <iostream>

#include "fault_harness.hpp"
#include "hanzo/hmm/daemon/answer_log.hpp"
#include "hanzo/hmm/daemon/changelog.hpp"
#include "hanzo/hmm/daemon/tenant_record.hpp"
#include "hanzo/hmm/kafka/consumer.hpp"
#include "hanzo/hmm/mm/market_maker.hpp"
#include "hanzo/hmm/wire/decision.hpp"
#include "hanzo/hmm/wire/request.hpp"

namespace hanzo::faults {

namespace kafka = hmm::kafka;

Sender::Sender(const std::string& bootstrap) {
  auto p = kafka::Producer::create({{"bootstrap.servers", bootstrap}, {"linger.ms", "5"}},
                                   [this](const kafka::DeliveryReport& r) {
                                     if (!r.result) fail("produce: " + r.result.error().to_string());
                                     auto& end = ends_[r.topic][r.partition];
                                     end = std::max(end, r.offset + 1);
                                     auto& last = last_[r.topic][keys_.at(r.token)];
                                     last = std::max(last, r.offset);
                                   });
  if (!p) fail(p.error().to_string());
  producer_ = std::make_unique<kafka::Producer>(std::move(*p));
}

// A tenant's requests partition, chosen once (its feedback goes there too) so that the tenants'
// answers spread evenly over the decisions partitions: left to the key's hash, 64 tenants put
// about five tenants' answers on the busiest of the 64, past the mock's 5 MiB a partition, and a
// restore that starts behind a commit held back by the injected faults found them deleted.
std::int32_t Sender::partition_of(const std::string& key) {
  if (auto it = partition_.find(key); it != partition_.end()) return it->second;
  std::int32_t best = -1, best_q = -1;
  for (std::int32_t p = 0; p < kRequestPartitions; ++p) {
    const auto q = hmm::daemon::answer_partition(p, kRequestPartitions, kDecisionPartitions, key);
    if (best < 0 || std::pair{answers_[q], tenants_[p]} < std::pair{answers_[best_q], tenants_[best]}) {
      best = p;
      best_q = q;
    }
  }
  ++answers_[best_q];
  ++tenants_[best];
  return partition_[key] = best;
}

void Sender::send(const std::string& topic, const std::string& key, const std::string& value) {
  const kafka::Record r{topic, key, value, {}, partition_of(key), false};
  auto [it, fresh] = key_index_.try_emplace(key, keys_.size());
  if (fresh) keys_.push_back(key);
  for (int attempt = 0;; ++attempt) {
    auto ok = producer_->produce(r, it->second);
    if (ok) return;
    if (!kafka::is_queue_full(ok.error()) || attempt > 10000) fail(ok.error().to_string());
    producer_->poll(std::chrono::milliseconds(5));
  }
}

void Sender::flush() {
  if (auto ok = producer_->flush(std::chrono::seconds(60)); !ok) fail(ok.error().to_string());
  producer_->poll(std::chrono::milliseconds(0));
}

std::map<std::string, std::int64_t> Sender::last_offsets(const std::string& topic) const {
  auto it = last_.find(topic);
  return it == last_.end() ? std::map<std::string, std::int64_t>{} : it->second;
}

std::map<std::int32_t, std::int64_t> Sender::ends(const std::string& topic) const {
  auto it = ends_.find(topic);
  return it == ends_.end() ? std::map<std::int32_t, std::int64_t>{} : it->second;
}

Workload::Workload(std::size_t requests, const hmm::daemon::DaemonConfig& config) : n_(requests), config_(config) {
  options_.seed = 7;
  options_.run_id = "kl";
  options_.tenants = 64;
  options_.tenant_skew = 1.0;
  options_.feedback_ratio = 0.3;
  auto gen = hmm::loadgen::Generator::create(options_, config_.engine);
  if (!gen) fail(gen.error().to_string());
  gen_.emplace(std::move(*gen));
}

void Workload::send_requests(Sender& sender, const std::string& topic, std::size_t from, std::size_t to) const {
  for (std::size_t i = from; i < std::min(to, n_); ++i) {
    const auto rec = gen_->request_record(i);
    sender.send(topic, rec.key, rec.value);
  }
  sender.flush();
}

namespace {
const std::string& first_answer(const DecisionLog::Entry& e) { return e.original.empty() ? e.marked.front() : e.original; }
}  // namespace

void Workload::send_feedback(Sender& sender, const std::string& topic, const DecisionLog& decisions,
                             const std::function<void()>& midway) {
  const auto seen = decisions.snapshot();
  bool called = false;
  for (std::size_t i = 0; i < n_; ++i) {
    if (!called && i >= n_ / 2) {
      sender.flush();
      if (midway) midway();
      called = true;
    }
    auto d = hmm::wire::decode_decision(first_answer(seen.at(gen_->request_id(i))));
    if (!d) fail(d.error().to_string());
    if (!gen_->feedback_due(d->decision)) continue;
    auto fb = gen_->feedback_record(d->decision);
    if (!fb) continue;
    auto decoded = hmm::wire::decode_keyed_feedback(fb->key, fb->value);
    if (!decoded) fail(decoded.error().to_string());
    feedback_.emplace_back(fb->key, *decoded);
    sender.send(topic, fb->key, fb->value);
  }
  sender.flush();
}

Workload::Counts Workload::finish(const Stage& stage, Sender& sender, const DecisionLog& decisions,
                                  DaemonProcess& last, const std::function<std::string()>& context,
                                  const std::function<void()>& midway) {
  send_feedback(sender, stage.topics().feedback, decisions, midway);
  if (!stage.all_committed(sender)) fail("the group's committed offsets never reached the end of the input\n" + context());
  const int status = last.terminate();
  if (status != 0) fail("exit status " + std::to_string(status) + " after SIGTERM\n" + context());
  return verify(decisions, stage.bootstrap(), context, &sender);
}

namespace {

std::int64_t le64(const std::vector<std::byte>& b, std::size_t at) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v |= std::to_integer<std::uint64_t>(b.at(at + i)) << (8 * i);
  return static_cast<std::int64_t>(v);
}

}  // namespace

// Independent of the daemon's record decoder and of the reference: the offsets a tenant's state
// says it applied, read from the documented header ("HZTR", version, sequence u64, partition
// u32, requests_through i64, feedback_through i64, little-endian), against the offsets the
// broker gave the tenant's last request and last feedback when they were produced.
void Workload::check_applied_through(const std::string& tenant, const std::vector<std::byte>& state,
                                     const Sender& sender, const std::function<void(bool, const std::string&)>& check) const {
  check(state.size() >= 33 && std::to_integer<char>(state[0]) == 'H' && std::to_integer<char>(state[3]) == 'R',
        tenant + ": not a tenant record");
  const auto requests = sender.last_offsets(config_.topics.requests);
  const auto feedback = sender.last_offsets(config_.topics.feedback);
  const auto want_requests = requests.count(tenant) ? requests.at(tenant) : -1;
  const auto want_feedback = feedback.count(tenant) ? feedback.at(tenant) : -1;
  check(le64(state, 17) == want_requests, tenant + ": requests applied through offset " +
                                              std::to_string(le64(state, 17)) + ", its last request is at " +
                                              std::to_string(want_requests));
  check(le64(state, 25) == want_feedback, tenant + ": feedback applied through offset " +
                                              std::to_string(le64(state, 25)) + ", its last feedback is at " +
                                              std::to_string(want_feedback));
}

Workload::Counts Workload::verify(const DecisionLog& decisions, const std::string& bootstrap,
                                  const std::function<std::string()>& context, const Sender* sender) const {
  auto check = [&](bool ok, const std::string& what) {
    if (!ok) fail(what + "\n" + context());
  };
  Counts c;
  // 1. Decisions: every id, originals at most once, marked copies identical apart from the mark.
  const auto seen = decisions.snapshot();
  for (std::size_t i = 0; i < n_; ++i) {
    const auto id = gen_->request_id(i);
    auto it = seen.find(id);
    check(it != seen.end(), "request " + id + " has no decision");
    const auto& e = it->second;
    check(e.originals <= 1, id + ": " + std::to_string(e.originals) + " unmarked decisions");
    c.redelivered_copies += e.marked.size();
    if (e.originals == 0) ++c.decided_only_as_redelivered;
    for (const auto& m : e.marked) {
      check(e.original.empty() || m == hmm::daemon::mark_redelivered(e.original),
            id + ": a redelivered copy differs from the first answer:\n" + m + "\n" + e.original);
      check(m == e.marked.front(), id + ": redelivered copies differ");
    }
  }
  check(seen.size() == n_, std::to_string(seen.size()) + " request ids decided, " + std::to_string(n_) + " sent");
  c.decided = seen.size();

  // 2. The reference: the facade, single-threaded, same requests then the same feedback.
  auto reference = hmm::mm::MarketMaker::create(config_.engine);
  if (!reference) fail(reference.error().to_string());
  for (std::size_t i = 0; i < n_; ++i) {
    const auto msg = gen_->request(i);
    auto d = reference->route_request(msg.tenant, msg.request);
    check(static_cast<bool>(d), d ? "" : d.error().to_string());
    const std::string expected = hmm::wire::encode_decision(*d);
    const std::string& got = first_answer(seen.at(msg.request.request_id));
    check(got == expected || got == hmm::daemon::mark_redelivered(expected),
          msg.request.request_id + ": decision differs from the reference:\n" + got + "\n" + expected);
  }
  for (const auto& [tenant, fb] : feedback_) check(static_cast<bool>(reference->feedback(tenant, fb)), "reference feedback");

  // 3. Final tenant states from the changelog against the reference's: every chain complete.
  std::map<std::int32_t, std::int64_t> parts;
  for (std::int32_t p = 0; p < 8; ++p) parts[p] = kafka::Consumer::kOffsetBeginning;
  auto restored = hmm::daemon::read_changelog({{"bootstrap.servers", bootstrap}}, config_.topics.tenant_state, parts,
                                              nullptr, std::chrono::seconds(60));
  check(static_cast<bool>(restored), restored ? "" : restored.error().to_string());
  for (const auto& b : restored->broken) check(false, "tenant " + b.id + ": changelog chain broken: " + b.reason);
  for (const auto& t : restored->tenants) {
    const auto& tenant = t.id;
    auto expected = reference->snapshot_tenant(tenant);
    check(static_cast<bool>(expected), "tenant " + tenant + " in the changelog but unknown to the reference");
    auto record = hmm::daemon::TenantRecord::decode(t.state);
    check(static_cast<bool>(record), tenant + ": undecodable record");
    auto session = hmm::mm::TenantSession::restore(reference->tenant_context(), reference->router(), record->session);
    check(static_cast<bool>(session), tenant + ": unrestorable session");
    if (!record->progress.empty()) check(static_cast<bool>(session->resume(record->progress)), tenant + ": progress");
    check(session->snapshot() == *expected, "tenant " + tenant + ": final state differs from the reference replay");
    if (sender) check_applied_through(tenant, t.state, *sender, check);
    ++c.tenants;
  }
  check(c.tenants == options_.tenants, std::to_string(c.tenants) + " tenants in the changelog, expected " +
                                           std::to_string(options_.tenants));
  c.changelog_records = restored->read.records;
  c.changelog_bytes = restored->read.bytes;
  return c;
}

}  // namespace hanzo::faults

namespace hanzo::faults {

Stage::Stage(int argc, char** argv, const std::string& name, const std::string& extra_kafka) {
  if (argc < 2) {
    std::cerr << "usage: test_" << name << " HANZO_HMMD\n";
    std::exit(2);
  }
  binary_ = argv[1];
  auto cluster = kafka::MockCluster::create(1);
  if (!cluster) fail(cluster.error().to_string());
  cluster_.emplace(std::move(*cluster));
  create_topics(*cluster_, defaults_.topics);
  bootstrap_ = cluster_->bootstrap_servers();
  std::string tmpl = "/tmp/hanzo-" + name + "-XXXXXX";
  if (!mkdtemp(tmpl.data())) fail("mkdtemp");
  dir_ = tmpl;
  config_ = write_config(dir_, bootstrap_, extra_kafka);
}

bool Stage::all_committed(const Sender& sender, std::chrono::seconds timeout) const {
  return wait_committed(bootstrap_, "hanzo-hmmd", topics().feedback, sender.ends(topics().feedback), timeout) &&
         wait_committed(bootstrap_, "hanzo-hmmd", topics().requests, sender.ends(topics().requests), 60s);
}

int Stage::pass(const std::string& json) const {
  std::cout << json << std::endl;
  std::filesystem::remove_all(dir_);
  std::cout << "PASS" << std::endl;
  return 0;
}

}  // namespace hanzo::faults
