// OffsetTracker and Backpressure: the commit position only ever covers acknowledged offsets,
// whatever order the acks arrive in; checked case by case and against a brute-force model.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>

#include "hanzo/hmm/kafka/offset_tracker.hpp"

using namespace hanzo::hmm::kafka;

TEST_CASE("partition offsets: nothing dispatched means nothing to commit", "[kafka][offsets]") {
  PartitionOffsets p;
  CHECK_FALSE(p.committable());
  CHECK_FALSE(p.take_commit());
  CHECK(p.in_flight() == 0);
  CHECK_FALSE(p.acknowledged(0));
}

TEST_CASE("partition offsets: in-order acks advance one by one", "[kafka][offsets]") {
  PartitionOffsets p;
  for (std::int64_t o = 0; o < 5; ++o) REQUIRE(p.dispatched(o));
  CHECK(p.committable() == 0);
  CHECK(p.in_flight() == 5);
  for (std::int64_t o = 0; o < 5; ++o) {
    REQUIRE(p.acknowledged(o));
    CHECK(p.committable() == o + 1);
  }
  CHECK(p.in_flight() == 0);
}

TEST_CASE("partition offsets: out-of-order acks hold the position at the oldest unacked", "[kafka][offsets]") {
  PartitionOffsets p;
  for (std::int64_t o = 10; o < 15; ++o) REQUIRE(p.dispatched(o));
  REQUIRE(p.acknowledged(13));
  REQUIRE(p.acknowledged(11));
  CHECK(p.committable() == 10);  // 10 still in flight: committing 11+ could lose it
  REQUIRE(p.acknowledged(10));
  CHECK(p.committable() == 12);  // 10, 11 done; 12 in flight
  REQUIRE(p.acknowledged(14));
  CHECK(p.committable() == 12);
  REQUIRE(p.acknowledged(12));
  CHECK(p.committable() == 15);
  CHECK(p.in_flight() == 0);
}

TEST_CASE("partition offsets: gaps in dispatched offsets do not block", "[kafka][offsets]") {
  // Compaction and transaction markers leave offsets that are never delivered.
  PartitionOffsets p;
  REQUIRE(p.dispatched(3));
  REQUIRE(p.dispatched(7));
  REQUIRE(p.dispatched(8));
  REQUIRE(p.acknowledged(7));
  CHECK(p.committable() == 3);
  REQUIRE(p.acknowledged(3));
  CHECK(p.committable() == 8);
  REQUIRE(p.acknowledged(8));
  CHECK(p.committable() == 9);
}

TEST_CASE("partition offsets: duplicate or unknown or non-increasing offsets", "[kafka][offsets]") {
  PartitionOffsets p;
  REQUIRE(p.dispatched(5));
  CHECK_FALSE(p.dispatched(5));
  CHECK_FALSE(p.dispatched(4));
  CHECK_FALSE(p.dispatched(-1));
  CHECK_FALSE(p.acknowledged(6));  // never dispatched
  CHECK_FALSE(p.acknowledged(4));
  REQUIRE(p.acknowledged(5));
  CHECK_FALSE(p.acknowledged(5));  // second ack of the same offset is ignored
  CHECK(p.in_flight() == 0);
  CHECK(p.committable() == 6);
}

TEST_CASE("partition offsets: take_commit reports each advance once", "[kafka][offsets]") {
  PartitionOffsets p;
  REQUIRE(p.dispatched(0));
  REQUIRE(p.dispatched(1));
  CHECK(p.take_commit() == 0);  // nothing acked yet, but 0 is a valid (no-op) position
  CHECK_FALSE(p.take_commit());
  REQUIRE(p.acknowledged(1));
  CHECK_FALSE(p.take_commit());  // still held at 0
  REQUIRE(p.acknowledged(0));
  CHECK(p.take_commit() == 2);
  CHECK_FALSE(p.take_commit());
}

TEST_CASE("partition offsets: reset forgets a seeked-back partition", "[kafka][offsets]") {
  PartitionOffsets p;
  REQUIRE(p.dispatched(10));
  p.reset();
  CHECK(p.in_flight() == 0);
  REQUIRE(p.dispatched(4));  // redelivery from an earlier offset is allowed after reset
  CHECK(p.committable() == 4);
}

TEST_CASE("offset tracker: partitions are independent", "[kafka][offsets]") {
  OffsetTracker t;
  const TopicPartition a{"req", 0}, b{"req", 1}, c{"feedback", 0};
  for (std::int64_t o = 0; o < 3; ++o) {
    REQUIRE(t.dispatched(a, o));
    REQUIRE(t.dispatched(b, 100 + o));
    REQUIRE(t.dispatched(c, o));
  }
  CHECK(t.in_flight() == 9);
  REQUIRE(t.acknowledged(b, 100));
  REQUIRE(t.acknowledged(b, 101));
  REQUIRE(t.acknowledged(c, 2));
  CHECK_FALSE(t.acknowledged({"other", 0}, 0));
  CHECK(t.in_flight() == 6);
  CHECK(t.in_flight(b) == 1);
  CHECK(t.committable(a) == 0);
  CHECK(t.committable(b) == 102);
  CHECK(t.committable(c) == 0);
  CHECK_FALSE(t.committable({"other", 0}));

  auto commits = t.take_commits();
  CHECK(commits.size() == 3);  // first positions of all three
  CHECK(t.take_commits().empty());
  REQUIRE(t.acknowledged(a, 0));
  commits = t.take_commits();
  REQUIRE(commits.size() == 1);
  CHECK(commits[0] == TopicPartitionOffset{"req", 0, 1});

  t.remove(b);  // revoked: its in-flight work no longer counts
  CHECK(t.in_flight() == 4);
  CHECK_FALSE(t.committable(b));
  t.clear();
  CHECK(t.in_flight() == 0);
}

TEST_CASE("offset tracker: property test against a brute-force model", "[kafka][offsets][property]") {
  // Model: the set of dispatched offsets and the set of acked ones; the safe position is the
  // smallest dispatched-but-unacked offset, else one past the largest dispatched.
  std::mt19937_64 rng(20261126);
  for (int round = 0; round < 300; ++round) {
    OffsetTracker t;
    const int partitions = 1 + static_cast<int>(rng() % 3);
    std::vector<std::set<std::int64_t>> dispatched(partitions), acked(partitions);
    std::vector<std::int64_t> next(partitions, static_cast<std::int64_t>(rng() % 50));
    std::vector<std::int64_t> last_commit(partitions, -1);
    for (int step = 0; step < 200; ++step) {
      const int p = static_cast<int>(rng() % partitions);
      const TopicPartition tp{"t", p};
      if (rng() % 2 == 0) {
        next[p] += 1 + static_cast<std::int64_t>(rng() % 3);  // gaps of up to 2
        REQUIRE(t.dispatched(tp, next[p]));
        dispatched[p].insert(next[p]);
      } else if (!dispatched[p].empty()) {
        // Pick any dispatched offset, acked or not: duplicates must be refused.
        auto it = dispatched[p].begin();
        std::advance(it, static_cast<long>(rng() % dispatched[p].size()));
        const bool fresh = acked[p].insert(*it).second;
        REQUIRE(t.acknowledged(tp, *it) == fresh);
      }
      std::size_t total = 0;
      for (int q = 0; q < partitions; ++q) {
        std::optional<std::int64_t> expect;
        for (auto o : dispatched[q])
          if (!acked[q].count(o)) {
            expect = o;
            break;
          }
        if (!expect && !dispatched[q].empty()) expect = *dispatched[q].rbegin() + 1;
        REQUIRE(t.committable({"t", q}) == expect);
        const std::size_t inflight = dispatched[q].size() - acked[q].size();
        REQUIRE(t.in_flight({"t", q}) == inflight);
        total += inflight;
      }
      REQUIRE(t.in_flight() == total);
      if (step % 17 == 0)
        for (const auto& c : t.take_commits()) {
          // Commits only move forward, and every offset below them is acknowledged.
          REQUIRE(c.offset > last_commit[c.partition]);
          last_commit[c.partition] = c.offset;
          for (auto o : dispatched[c.partition])
            if (o < c.offset) REQUIRE(acked[c.partition].count(o));
        }
    }
  }
}

TEST_CASE("backpressure: bounds are validated", "[kafka][backpressure]") {
  CHECK_FALSE(Backpressure::make(10, 10));
  CHECK_FALSE(Backpressure::make(5, 10));
  CHECK(Backpressure::make(1, 0));
}

TEST_CASE("backpressure: pause at high and resume at low without flapping between", "[kafka][backpressure]") {
  using A = Backpressure::Action;
  auto bp = Backpressure::make(100, 20).value();
  CHECK(bp.update(0) == A::none);
  CHECK(bp.update(99) == A::none);
  CHECK(bp.update(100) == A::pause);
  CHECK(bp.paused);
  CHECK(bp.update(150) == A::none);  // edge-triggered: pause once
  CHECK(bp.update(99) == A::none);   // below high but above low: stay paused
  CHECK(bp.update(21) == A::none);
  CHECK(bp.update(20) == A::resume);
  CHECK_FALSE(bp.paused);
  CHECK(bp.update(50) == A::none);   // above low, below high: stay running
  CHECK(bp.update(0) == A::none);
  CHECK(bp.update(1000) == A::pause);
}

TEST_CASE("backpressure: matches a model over random in-flight walks", "[kafka][backpressure][property]") {
  std::mt19937 rng(7);
  auto bp = Backpressure::make(64, 16).value();
  bool model_paused = false;
  long count = 0;
  for (int i = 0; i < 100000; ++i) {
    count = std::clamp(count + static_cast<long>(rng() % 21) - 10, 0L, 200L);
    const auto action = bp.update(static_cast<std::size_t>(count));
    const bool was = model_paused;
    if (!model_paused && count >= 64) model_paused = true;
    else if (model_paused && count <= 16) model_paused = false;
    REQUIRE(bp.paused == model_paused);
    REQUIRE((action == Backpressure::Action::pause) == (!was && model_paused));
    REQUIRE((action == Backpressure::Action::resume) == (was && !model_paused));
  }
}

TEST_CASE("offset tracker: a failed commit is offered again, unless a later one covers it", "[kafka][offsets]") {
  OffsetTracker t;
  const TopicPartition a{"req", 0}, b{"req", 1};
  for (std::int64_t o = 0; o < 3; ++o) {
    REQUIRE(t.dispatched(a, o));
    REQUIRE(t.dispatched(b, o));
  }
  REQUIRE(t.acknowledged(a, 0));
  REQUIRE(t.acknowledged(b, 0));
  auto first = t.take_commits();
  REQUIRE(first.size() == 2);
  CHECK(t.take_commits().empty());  // nothing new
  t.commit_failed(first);           // e.g. COORDINATOR_NOT_AVAILABLE
  auto again = t.take_commits();
  CHECK(again == first);  // the same positions, offered again
  // Partition 1 moves on before the failure of its older commit is reported: the newer one
  // (already taken) covers it, so only partition 0 comes back.
  REQUIRE(t.acknowledged(b, 1));
  auto newer = t.take_commits();
  REQUIRE(newer == std::vector<TopicPartitionOffset>{{"req", 1, 2}});
  t.commit_failed(again);
  CHECK(t.take_commits() == std::vector<TopicPartitionOffset>{{"req", 0, 1}});
  t.commit_failed({{"other", 0, 5}});  // unknown partitions are ignored
  CHECK(t.take_commits().empty());
}
