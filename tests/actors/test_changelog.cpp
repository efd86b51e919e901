// Changelog first, restore, redelivery (issue 5): on the deterministic coordinator, a "crash"
// is a second Fixture that starts from the first one's changelog records.
#include <atomic>
#include <condition_variable>
#include <thread>

#include "fixture.hpp"
#include "hanzo/hmm/daemon/changelog.hpp"
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

// What a restore reads back from the changelog the sink saw (read_changelog's merge).
std::vector<TenantState> changelog(const RecordingSink& sink, const std::string& topic,
                                   std::map<std::int32_t, std::int64_t> committed = {}) {
  daemon::ChangelogMerger merger(std::move(committed));
  for (const auto& [r, t] : sink.produced)
    if (r.topic == topic)
      REQUIRE(merger.add(*r.key, std::span(reinterpret_cast<const std::byte*>(r.value.data()), r.value.size())));
  std::vector<TenantState> out;
  for (auto& [tenant, bytes] : merger.finish()) out.push_back({tenant, std::move(bytes)});
  return out;
}

std::vector<std::string> decisions_of(const Fixture& f, const std::string& tenant) {
  auto all = f.decisions();
  return all.count(tenant) ? all.at(tenant) : std::vector<std::string>{};
}

}  // namespace

TEST_CASE("every decision follows a durable changelog record that holds its answer", "[actors][changelog]") {
  Fixture f;
  f.send(batch("t", {at(1, 0, request("r0", {0.1, -0.5, 0.0, 0.2})), at(2, 1, request("r1", {0.3, 0.1, -0.2, 0.0})),
                     at(3, 0, feedback("r0", "qwen2.5-7b", 0.9))}));
  f.run();
  std::set<std::string> durable;  // request ids in some state record produced so far
  std::size_t decisions = 0, states = 0;
  std::vector<daemon::TenantRecord> records;
  for (const auto& [r, token] : f.sink.produced) {
    if (r.topic == f.config.topics.tenant_state) {
      ++states;
      CHECK(r.partition == 3);  // the tenant's home partition, not the key hash
      auto rec = daemon::TenantRecord::decode(std::span(reinterpret_cast<const std::byte*>(r.value.data()), r.value.size()));
      REQUIRE(rec);
      for (const auto& a : rec->answers) durable.insert(a.request_id);
      records.push_back(*rec);
    } else if (r.topic == f.config.topics.decisions) {
      ++decisions;
      const auto id = r.value.substr(r.value.find("\"request_id\":\"") + 14, 2);
      CHECK(durable.count(id));
    }
  }
  CHECK(decisions == 2);
  CHECK(states == 2);  // one for the run of two requests, one for the feedback
  // Each record carries only its own new answers: the run's two, then none.
  REQUIRE(records.size() == 2);
  REQUIRE(records[0].answers.size() == 2);
  CHECK(records[0].answers[0].decision == decisions_of(f, "t")[0]);
  CHECK(records[0].answers[1].offset == 1);
  CHECK(records[1].answers.empty());
  CHECK(records[1].sequence == records[0].sequence + 1);
  const auto rec = f.record_of("t");
  CHECK(rec.partition == 3);
  CHECK(rec.requests_through == 1);
  CHECK(rec.feedback_through == 0);
  CHECK(f.sink.finished == std::vector<std::uint64_t>{3});  // the feedback, once its state is durable
}

TEST_CASE("group commit: runs finished while a state record is with Kafka share the next record", "[actors][changelog]") {
  Fixture f;
  f.sink.defer_acks = true;
  auto answers_in = [&](std::size_t k) {
    std::vector<std::string> ids;
    std::size_t seen = 0;
    for (const auto& [r, token] : f.sink.produced)
      if (r.topic == f.config.topics.tenant_state && seen++ == k) {
        auto rec = daemon::TenantRecord::decode(std::span(reinterpret_cast<const std::byte*>(r.value.data()), r.value.size()));
        REQUIRE(rec);
        for (const auto& a : rec->answers) ids.push_back(a.request_id);
      }
    return ids;
  };
  auto count = [&](const std::string& topic) {
    return std::count_if(f.sink.produced.begin(), f.sink.produced.end(), [&](const auto& p) { return p.first.topic == topic; });
  };
  const auto& state_topic = f.config.topics.tenant_state;
  const auto& decision_topic = f.config.topics.decisions;
  // Three runs (one batch each); the first record is not acknowledged yet.
  f.send(batch("t", {at(1, 0, request("r0", {0.1, -0.5, 0.0, 0.2}))}));
  f.run();
  f.send(batch("t", {at(2, 1, request("r1", {0.3, 0.1, -0.2, 0.0}))}));
  f.run();
  f.send(batch("t", {at(3, 2, request("r2", {0.0, 0.2, 0.1, -0.1}))}));
  f.run();
  CHECK(count(state_topic) == 1);
  CHECK(count(decision_topic) == 0);  // nothing visible before its record is durable
  CHECK(answers_in(0) == std::vector<std::string>{"r0"});
  // Its acknowledgement releases r0 and writes one record for the two held runs.
  f.sink.acknowledge_oldest();
  f.run();
  CHECK(count(decision_topic) == 1);
  REQUIRE(count(state_topic) == 2);
  CHECK(answers_in(1) == std::vector<std::string>{"r1", "r2"});
  f.sink.acknowledge_oldest();
  f.run();
  CHECK(count(state_topic) == 2);  // nothing more to write
  CHECK(f.decisions() == f.expected);
  const auto rec = f.record_of("t");
  CHECK(rec.requests_through == 2);
}

TEST_CASE("after a crash, redelivered requests are answered again, marked, and nothing is applied twice",
          "[actors][changelog]") {
  // The run that does not crash: r0, r1, feedback on r0, then r2.
  Fixture once;
  once.send(batch("t", {at(1, 0, request("r0", {0.1, -0.5, 0.0, 0.2})), at(2, 1, request("r1", {0.3, 0.1, -0.2, 0.0})),
                        at(3, 0, feedback("r0", "qwen2.5-7b", 0.9))}));
  once.run();
  const auto before = changelog(once.sink, once.config.topics.tenant_state);
  once.send(batch("t", {at(4, 2, request("r2", {0.2, 0.2, 0.2, 0.2}))}));
  once.run();
  const auto first = decisions_of(once, "t");
  REQUIRE(first.size() == 3);

  // The crash: a new instance restores the changelog, then Kafka redelivers everything after
  // the last committed offsets (nothing was committed), plus r2 for the first time.
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
  // Every redelivered message still gets its result: all four tokens.
  std::vector<std::uint64_t> tokens = again.sink.finished;
  for (const auto& [r, t] : again.sink.produced)
    if (r.topic != again.config.topics.tenant_state) tokens.push_back(t);
  std::sort(tokens.begin(), tokens.end());
  CHECK(tokens == std::vector<std::uint64_t>{1, 2, 3, 4});
}

TEST_CASE("a restore keeps only answers at or past the committed offset, and a redelivery without one is acknowledged without output",
          "[actors][changelog]") {
  Fixture once;
  once.send(batch("t", {at(1, 0, request("r0")), at(2, 1, request("r1"))}));
  once.run();
  once.send(batch("t", {at(3, 2, request("r2"))}));
  once.run();
  // The group had committed offset 0 (next to read: 1) on partition 3 when the crash came.
  const auto restored = changelog(once.sink, once.config.topics.tenant_state, {{3, 1}});
  REQUIRE(restored.size() == 1);
  auto rec = daemon::TenantRecord::decode(restored[0].bytes);
  REQUIRE(rec);
  REQUIRE(rec->answers.size() == 2);
  CHECK(rec->answers[0].request_id == "r1");
  CHECK(rec->answers[1].request_id == "r2");
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
  caf::scoped_actor self{f.sys};
  std::uint64_t dropped = 99;
  auto h = self->request(f.manager, caf::infinite, drop_atom::value, std::vector<std::int32_t>{3});
  f.run();
  h.receive([&](std::uint64_t n) { dropped = n; }, [&](const caf::error& e) { FAIL(f.sys.render(e)); });
  CHECK(dropped == 1);
  f.run();
  const auto s = f.status();
  CHECK(s.resident == 1);
  CHECK(s.dormant == 0);
  // A restored state is dormant until its tenant's next message.
  caf::anon_send(f.manager, RestoredStates{changelog(f.sink, f.config.topics.tenant_state)});
  f.run();
  CHECK(f.status().dormant == 1);  // "a" (b is resident and keeps its in-memory state)
}

TEST_CASE("write gate: only the acknowledgement that ends a wait wakes the tenant", "[actors][changelog]") {
  WriteGate g;
  CHECK(g.idle_or_wait());  // nothing in flight: write now
  g.started();
  CHECK_FALSE(g.finished());  // nobody waited: no message
  CHECK(g.in_flight() == 0);

  g.started();
  g.started();
  CHECK_FALSE(g.idle_or_wait());  // two in flight: wait
  CHECK_FALSE(g.idle_or_wait());  // still waiting (asking again changes nothing)
  CHECK(g.in_flight() == 2);
  CHECK_FALSE(g.finished());      // one left
  CHECK(g.finished());            // the last one wakes the waiting tenant
  CHECK(g.in_flight() == 0);
  CHECK(g.idle_or_wait());        // and the wait is over
}

TEST_CASE("write gate: no wake-up is lost between the tenant and the delivering thread", "[actors][changelog]") {
  // The tenant writes when idle and otherwise waits for a wake-up; the delivering thread
  // acknowledges. Every wait must end: a lost wake-up leaves the tenant stuck (timeout below).
  WriteGate g;
  std::mutex m;
  std::condition_variable cv;
  std::size_t pending = 0, woken = 0;
  std::atomic<bool> done{false};
  std::thread acks([&] {
    while (!done.load()) {
      std::unique_lock lock(m);
      cv.wait_for(lock, std::chrono::milliseconds(1), [&] { return pending > 0 || done.load(); });
      while (pending > 0) {
        --pending;
        lock.unlock();
        if (g.finished()) {
          std::lock_guard l(m);
          ++woken;
          cv.notify_all();
        }
        lock.lock();
      }
    }
  });
  constexpr int kWrites = 20000;
  int written = 0, waits = 0;
  bool stuck = false;
  while (written < kWrites && !stuck) {
    if (g.idle_or_wait()) {
      g.started();
      ++written;
      std::lock_guard lock(m);
      ++pending;
      cv.notify_all();
    } else {
      ++waits;
      std::unique_lock lock(m);
      stuck = !cv.wait_for(lock, std::chrono::seconds(10), [&] { return woken >= static_cast<std::size_t>(waits); });
    }
  }
  done = true;
  cv.notify_all();
  acks.join();
  CHECK_FALSE(stuck);
  CHECK(written == kWrites);
  CHECK(woken == static_cast<std::size_t>(waits));  // one wake-up per wait, none spurious
  CHECK(waits > 0);
}
