// The write path on the deterministic coordinator: decisions go out at once, a tenant's state
// record follows once they are acknowledged (one in flight, holding only what changed), and a
// "crash" is a second Fixture restored from what the first one's sink saw: the changelog's
// chains and the answers in the decisions topic.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <set>
#include <thread>

#include "fixture.hpp"
#include "hanzo/hmm/daemon/answer_log.hpp"
#include "hanzo/hmm/daemon/changelog.hpp"
#include "hanzo/hmm/daemon/state_frame.hpp"
#include "tenant.hpp"

using namespace acttest;

namespace {

TenantItem at(std::uint64_t token, std::int64_t offset, routing::RoutingRequest r) {
  return {token, -1, std::move(r), 3, offset};
}
TenantItem at(std::uint64_t token, std::int64_t offset, routing::Feedback f) {
  return {token, -1, std::move(f), 3, offset};
}

IngestBatch batch(const std::string& tenant, std::vector<TenantItem> items) {
  IngestBatch b;
  b.tenants.push_back({tenant, std::move(items)});
  return b;
}

std::span<const std::byte> bytes_of(const std::string& s) {
  return {reinterpret_cast<const std::byte*>(s.data()), s.size()};
}

// What a restore reads back from what the sink saw: the changelog's chains and the decisions'
// answers at or past `committed` (partition 3: the tests' home partition).
std::vector<TenantState> restore_from(const RecordingSink& sink, const daemon::Topics& topics,
                                      std::int64_t committed = -1) {
  daemon::ChangelogMerger merger;
  daemon::AnswerCollector answers({{3, committed}});
  std::int64_t offset = 0;
  for (const auto& [r, t] : sink.produced) {
    if (r.topic == topics.tenant_state) REQUIRE(merger.add(*r.key, bytes_of(r.value), offset++));
    if (r.topic == topics.decisions) answers.add(*r.key, r.headers, r.value);
  }
  auto merged = merger.finish();
  REQUIRE(merged.broken.empty());
  std::vector<std::string> errors;
  std::vector<TenantState> out;
  for (auto& [id, record] : daemon::restored_records(std::move(merged.tenants), answers.take(), errors))
    out.push_back({id, std::move(record)});
  REQUIRE(errors.empty());
  return out;
}

std::vector<std::string> decisions_of(const Fixture& f, const std::string& tenant) {
  auto all = f.decisions();
  return all.count(tenant) ? all.at(tenant) : std::vector<std::string>{};
}

std::vector<kafka::Record> records_on(const Fixture& f, const std::string& topic) { return f.sink.on(topic); }

// Tenant t's requests r1 and r2 (offsets 1 and 2, tokens 2 and 3), one run each.
void two_more_runs(Fixture& f) {
  f.send(batch("t", {at(2, 1, request("r1", {0.3, 0.1, -0.2, 0.0}))}));
  f.run();
  f.send(batch("t", {at(3, 2, request("r2", {0.0, 0.2, 0.1, -0.1}))}));
  f.run();
}

}  // namespace

TEST_CASE("decisions go out at once, the state record follows their acknowledgements and acknowledges the inputs",
          "[actors][changelog]") {
  Fixture f;
  f.sink.defer_acks = true;
  f.send(batch("t", {at(1, 0, request("r0", {0.1, -0.5, 0.0, 0.2})), at(2, 1, request("r1", {0.3, 0.1, -0.2, 0.0})),
                     at(3, 0, feedback("r0", "qwen2.5-7b", 0.9))}));
  f.run();
  const auto& topics = f.config.topics;
  auto decisions = records_on(f, topics.decisions);
  REQUIRE(decisions.size() == 2);
  CHECK(records_on(f, topics.tenant_state).empty());  // its decisions are not acknowledged yet
  CHECK(f.sink.finished.empty());                     // nothing is committable
  // Each decision names its request (the answer log), in the tenant's decisions partition.
  for (std::size_t i = 0; i < 2; ++i) {
    CHECK(kafka::find_header(decisions[i].headers, daemon::kRequestPartitionHeader) == "3");
    CHECK(kafka::find_header(decisions[i].headers, daemon::kRequestOffsetHeader) == std::to_string(i));
  }
  f.sink.acknowledge_all();
  f.run();
  auto states = records_on(f, topics.tenant_state);
  REQUIRE(states.size() == 1);
  CHECK(states[0].partition == 3);  // the tenant's home partition, not the key hash
  CHECK(*states[0].key == "t");     // a chain's first record is full, keyed by the tenant
  auto first = daemon::StateFrame::decode(bytes_of(states[0].value));
  REQUIRE(first);
  CHECK(first->kind == daemon::StateFrame::Kind::full);
  f.sink.acknowledge_all();  // the first record: its inputs, then the feedback's record
  f.run();
  states = records_on(f, topics.tenant_state);
  REQUIRE(states.size() == 2);
  auto second = daemon::StateFrame::decode(bytes_of(states[1].value));
  REQUIRE(second);
  CHECK(second->kind == daemon::StateFrame::Kind::delta);
  CHECK(second->sequence == first->sequence + 1);
  CHECK(states[1].value.size() < states[0].value.size() / 3);  // only what the feedback changed
  f.sink.acknowledge_all();
  f.run();
  CHECK(f.sink.finished == std::vector<std::uint64_t>{1, 2, 3});
  const auto rec = f.record_of("t");
  CHECK(rec.partition == 3);
  CHECK(rec.requests_through == 1);
  CHECK(rec.feedback_through == 0);
  CHECK(f.decisions() == f.expected);
}

TEST_CASE("group commit: changes made while a state record is with Kafka share the next record", "[actors][changelog]") {
  Fixture f;
  f.sink.defer_acks = true;
  const auto& topics = f.config.topics;
  f.send(batch("t", {at(1, 0, request("r0", {0.1, -0.5, 0.0, 0.2}))}));
  f.run();
  f.sink.acknowledge_all();  // r0's decision: its record goes
  f.run();
  CHECK(records_on(f, topics.tenant_state).size() == 1);
  // Two more runs while that record is in flight: decided and visible at once, but not recorded.
  two_more_runs(f);
  CHECK(records_on(f, topics.decisions).size() == 3);
  CHECK(records_on(f, topics.tenant_state).size() == 1);
  f.sink.acknowledge_all();  // the record and both decisions: one record for the two runs
  f.run();
  CHECK(records_on(f, topics.tenant_state).size() == 2);
  f.sink.acknowledge_all();
  f.run();
  CHECK(records_on(f, topics.tenant_state).size() == 2);  // nothing more to write
  CHECK(f.sink.finished == std::vector<std::uint64_t>{1, 2, 3});
  CHECK(f.decisions() == f.expected);
  CHECK(f.record_of("t").requests_through == 2);
}

TEST_CASE("after a crash, redelivered requests are answered again from the decisions topic, and nothing is applied twice",
          "[actors][changelog]") {
  // The run that does not crash: r0, r1, feedback on r0, then r2.
  Fixture once;
  once.send(batch("t", {at(1, 0, request("r0", {0.1, -0.5, 0.0, 0.2})), at(2, 1, request("r1", {0.3, 0.1, -0.2, 0.0})),
                        at(3, 0, feedback("r0", "qwen2.5-7b", 0.9))}));
  once.run();
  const auto before = restore_from(once.sink, once.config.topics);
  once.send(batch("t", {at(4, 2, request("r2", {0.2, 0.2, 0.2, 0.2}))}));
  once.run();
  const auto first = decisions_of(once, "t");
  REQUIRE(first.size() == 3);

  // The crash: a new instance restores, then Kafka redelivers everything after the last
  // committed offsets (nothing was committed), plus r2 for the first time.
  Fixture again;
  caf::anon_send(again.manager, RestoredStates{before});
  again.send(batch("t", {at(1, 0, request("r0", {0.1, -0.5, 0.0, 0.2})), at(2, 1, request("r1", {0.3, 0.1, -0.2, 0.0})),
                         at(3, 0, feedback("r0", "qwen2.5-7b", 0.9)), at(4, 2, request("r2", {0.2, 0.2, 0.2, 0.2}))}));
  again.run();
  const auto second = decisions_of(again, "t");
  REQUIRE(second.size() == 3);
  CHECK(second[0] == daemon::mark_redelivered(first[0]));
  CHECK(second[1] == daemon::mark_redelivered(first[1]));
  CHECK(second[0].find("\"redelivered\":true") != std::string::npos);
  CHECK(second[2] == first[2]);  // decided for the first time, from the same state
  // The feedback was not counted again and r0/r1 were not folded again: same state.
  CHECK(again.state_of("t") == once.state_of("t"));
  CHECK(again.record_of("t").requests_through == 2);
  // Every redelivered message is acknowledged: by its repeated answer, by done(), or by r2's state record.
  std::vector<std::uint64_t> tokens = again.sink.finished;
  for (const auto& [r, t] : again.sink.produced)
    if (t != 0) tokens.push_back(t);
  std::sort(tokens.begin(), tokens.end());
  CHECK(tokens == std::vector<std::uint64_t>{1, 2, 3, 4});
}

TEST_CASE("a request answered before the crash whose state record was lost is applied as answered, not decided again",
          "[actors][changelog]") {
  Fixture once;
  once.sink.defer_acks = true;
  once.send(batch("t", {at(1, 0, request("r0", {0.1, -0.5, 0.0, 0.2})), at(2, 1, request("r1", {0.3, 0.1, -0.2, 0.0}))}));
  once.run();
  // The decisions are out; the crash comes before the state record was written.
  const auto restored = restore_from(once.sink, once.config.topics);
  REQUIRE(restored.size() == 1);
  const auto first = decisions_of(once, "t");
  REQUIRE(first.size() == 2);
  once.sink.acknowledge_all();
  once.run();

  Fixture again;
  caf::anon_send(again.manager, RestoredStates{restored});
  again.send(batch("t", {at(1, 0, request("r0", {0.1, -0.5, 0.0, 0.2})), at(2, 1, request("r1", {0.3, 0.1, -0.2, 0.0})),
                         at(3, 2, request("r2", {0.2, 0.2, 0.2, 0.2}))}));
  once.send(batch("t", {at(3, 2, request("r2", {0.2, 0.2, 0.2, 0.2}))}));
  once.run();
  once.sink.acknowledge_all();
  once.run();
  again.run();
  const auto second = decisions_of(again, "t");
  REQUIRE(second.size() == 3);
  CHECK(second[0] == daemon::mark_redelivered(first[0]));
  CHECK(second[1] == daemon::mark_redelivered(first[1]));
  CHECK(second[2] == decisions_of(once, "t")[2]);  // the state it was decided from is the same
  CHECK(again.state_of("t") == once.state_of("t"));
  // All three inputs wait for (and get) a state record: they changed the state.
  CHECK(again.sink.finished == std::vector<std::uint64_t>{1, 2, 3});
}

TEST_CASE("a restore keeps only answers at or past the committed offset, and a redelivery without one is acknowledged without output",
          "[actors][changelog]") {
  Fixture once;
  once.send(batch("t", {at(1, 0, request("r0")), at(2, 1, request("r1"))}));
  once.run();
  once.send(batch("t", {at(3, 2, request("r2"))}));
  once.run();
  // The group had committed offset 0 (next to read: 1) on partition 3 when the crash came.
  const auto restored = restore_from(once.sink, once.config.topics, 1);
  REQUIRE(restored.size() == 1);
  auto rec = daemon::TenantRecord::decode(restored[0].bytes);
  REQUIRE(rec);
  REQUIRE(rec->answers.size() == 2);
  CHECK(rec->answers[0].offset == 1);
  CHECK(rec->answers[1].offset == 2);
  CHECK(rec->answers[0].decision == decisions_of(once, "t")[1]);
  CHECK_FALSE(rec->answers[0].model.empty());
  CHECK(rec->requests_through == 2);

  Fixture again;
  caf::anon_send(again.manager, RestoredStates{restored});
  // Offset 0 again (an operator's reset, say): applied before, its answer is gone.
  again.send(batch("t", {at(9, 0, request("r0")), at(10, 1, request("r1"))}));
  again.run();
  CHECK(again.sink.finished == std::vector<std::uint64_t>{9});
  const auto d = decisions_of(again, "t");
  REQUIRE(d.size() == 1);
  CHECK(d[0] == daemon::mark_redelivered(decisions_of(once, "t")[1]));
  CHECK(again.state_of("t") == once.state_of("t"));
}

TEST_CASE("dropping a partition forgets its tenants and restored states become dormant", "[actors][changelog]") {
  Fixture f;
  IngestBatch b;
  b.tenants.push_back({"a", {at(1, 0, request("a0"))}});
  TenantItem other{2, -1, request("b0"), 5, 0};
  b.tenants.push_back({"b", {std::move(other)}});
  f.send(std::move(b));
  f.run();
  CHECK(f.status().resident == 2);
  caf::anon_send(f.manager, drop_atom::value, std::vector<std::int32_t>{3});
  f.run();
  const auto s = f.status();
  CHECK(s.resident == 1);
  CHECK(s.dormant == 0);
  // A restored state is dormant until its tenant's next message.
  caf::anon_send(f.manager, RestoredStates{restore_from(f.sink, f.config.topics)});
  f.run();
  CHECK(f.status().dormant == 1);  // "a" (b is resident and keeps its in-memory state)
}

TEST_CASE("write gate: a record waits for the record before it and for its decisions, one wake per wait",
          "[actors][changelog]") {
  int wakes = 0;
  auto* g = new WriteGate([&] { ++wakes; });
  GateRef ref(g);
  CHECK(g->ready_or_wait(0));  // nothing in flight: write now
  g->state_started();
  CHECK_FALSE(g->ready_or_wait(0));  // a record in flight: wait
  g->decision_acked();               // not what it waits for
  CHECK(wakes == 0);
  g->state_acked();
  CHECK(wakes == 1);
  CHECK(g->ready_or_wait(0));
  // Covering three decisions, one acknowledged so far (above): wait for two more.
  CHECK_FALSE(g->ready_or_wait(3));
  CHECK_FALSE(g->ready_or_wait(3));  // asking again changes nothing
  g->decision_acked();
  CHECK(wakes == 1);
  g->decision_acked();
  CHECK(wakes == 2);
  g->decision_acked();  // nobody waits: no message
  CHECK(wakes == 2);
  CHECK(g->ready_or_wait(3));
  // Records in flight keep the gate alive after the tenant lets go.
  g->retain();
  ref.reset();
  g->state_started();
  g->state_acked();  // no one waits: no wake, and the gate is still there (ASan would say)
  CHECK(wakes == 2);
  WriteGate::release(g);
}

TEST_CASE("write gate: no wake-up is lost between the tenant and the delivering thread", "[actors][changelog]") {
  // The tenant produces decisions and, now and then, a state record covering them; it waits
  // when the gate says so. The delivering thread acknowledges everything in order. Every wait
  // must end: a lost wake-up leaves the tenant stuck (timeout below).
  std::mutex m;
  std::condition_variable cv;
  std::size_t woken = 0;
  std::deque<bool> queue;  // true: a state record
  GateRef gate(new WriteGate([&] {
    std::lock_guard l(m);
    ++woken;
    cv.notify_all();
  }));
  std::atomic<bool> done{false};
  std::thread acks([&] {
    std::unique_lock lock(m);
    while (!done.load() || !queue.empty()) {
      cv.wait_for(lock, std::chrono::milliseconds(1), [&] { return !queue.empty() || done.load(); });
      while (!queue.empty()) {
        const bool state = queue.front();
        queue.pop_front();
        lock.unlock();
        if (state)
          gate->state_acked();
        else
          gate->decision_acked();
        lock.lock();
      }
    }
  });
  constexpr int kRecords = 5000;
  std::uint64_t decisions = 0;
  int written = 0, waits = 0;
  bool stuck = false;
  while (written < kRecords && !stuck) {
    for (int i = 0; i < 3; ++i) {
      ++decisions;
      std::lock_guard lock(m);
      queue.push_back(false);
      cv.notify_all();
    }
    while (!gate->ready_or_wait(decisions)) {
      ++waits;
      std::unique_lock lock(m);
      stuck = !cv.wait_for(lock, std::chrono::seconds(10), [&] { return woken >= static_cast<std::size_t>(waits); });
      if (stuck) break;
    }
    if (stuck) break;
    gate->state_started();
    ++written;
    std::lock_guard lock(m);
    queue.push_back(true);
    cv.notify_all();
  }
  done = true;
  cv.notify_all();
  acks.join();
  CHECK_FALSE(stuck);
  CHECK(written == kRecords);
  CHECK(woken == static_cast<std::size_t>(waits));  // one wake-up per wait, none spurious
}

TEST_CASE("state interval: a busy tenant writes one state record per interval, a snapshot at once",
          "[actors][changelog]") {
  auto cfg = per_round();
  cfg.state_interval_seconds = 0.2;
  Fixture f(cfg);
  const auto& topics = f.config.topics;
  f.send(batch("t", {at(1, 0, request("r0", {0.1, -0.5, 0.0, 0.2}))}));
  f.run();
  CHECK(records_on(f, topics.tenant_state).size() == 1);  // the first is due at once
  CHECK(f.sink.finished == std::vector<std::uint64_t>{1});
  two_more_runs(f);
  // Decided and answered at once; recorded (so committable) only when the interval is up.
  CHECK(records_on(f, topics.decisions).size() == 3);
  CHECK(records_on(f, topics.tenant_state).size() == 1);
  CHECK(f.sink.finished == std::vector<std::uint64_t>{1});
  f.sched.advance_time(std::chrono::milliseconds(100));
  f.run();
  CHECK(records_on(f, topics.tenant_state).size() == 1);
  f.sched.advance_time(std::chrono::milliseconds(100));  // 0.2 s after the first record
  f.run();
  CHECK(records_on(f, topics.tenant_state).size() == 2);  // one record for both runs
  CHECK(f.sink.finished == std::vector<std::uint64_t>{1, 2, 3});
  // Within the next interval a snapshot request does not wait for it.
  f.send(batch("t", {at(4, 3, request("r3", {0.2, 0.0, 0.1, 0.0}))}));
  f.run();
  CHECK(records_on(f, topics.tenant_state).size() == 2);
  CHECK(f.record_of("t").requests_through == 3);
  CHECK(records_on(f, topics.tenant_state).size() == 3);
  CHECK(f.sink.finished == std::vector<std::uint64_t>{1, 2, 3, 4});
  CHECK(f.decisions() == f.expected);
  f.sched.advance_time(std::chrono::milliseconds(300));  // the wake-up still scheduled only pumps
  f.run();
  CHECK(records_on(f, topics.tenant_state).size() == 3);
}
