// DecisionFloors: the decisions offset a commit's restore point names must be at or below the
// first answer to every request at or past the committed offset, across restores. Checked on a
// hand-worked case and against brute force over simulated lives of one requests partition.
#include <catch2/catch.hpp>

#include <algorithm>
#include <limits>
#include <random>
#include <vector>

#include "hanzo/hmm/daemon/answer_log.hpp"
#include "hanzo/hmm/daemon/changelog.hpp"
#include "restore_points.hpp"

using hanzo::hmm::actors::DecisionFloors;

TEST_CASE("restore points: a commit names the floors of the round that dispatched its offset", "[actors][restore]") {
  DecisionFloors f;
  f.round(0, 0, {{4, 0}});
  f.round(0, 10, {{4, 7}});
  f.round(0, 25, {{4, 19}});
  CHECK(f.at(0, 5) == DecisionFloors::Floors{{4, 0}});
  CHECK(f.at(0, 10) == DecisionFloors::Floors{{4, 7}});
  CHECK(f.at(0, 24) == DecisionFloors::Floors{{4, 7}});
  CHECK(f.at(0, 30) == DecisionFloors::Floors{{4, 19}});
  CHECK(f.at(1, 30).empty());  // a partition never dispatched: no restore point
}

TEST_CASE("restore points: after a restore, commits among requests answered before keep the restore's floors",
          "[actors][restore]") {
  // Before the restore, requests 100..180 were answered at decisions offsets 40..299; the
  // restore read from 40 and the log now ends at 300. Redelivered, they are answered again
  // (repeats, at 300 and beyond), which are not first answers: a commit at 150 must still
  // point at or below the first answer to request 150, i.e. at 40, not at 320.
  DecisionFloors f;
  f.restored(0, 100, {{4, 40}}, 180);
  f.round(0, 100, {{4, 300}});
  f.round(0, 150, {{4, 320}});
  f.round(0, 181, {{4, 350}});  // the first round of requests never answered before
  CHECK(f.at(0, 100) == DecisionFloors::Floors{{4, 40}});
  CHECK(f.at(0, 150) == DecisionFloors::Floors{{4, 40}});
  CHECK(f.at(0, 180) == DecisionFloors::Floors{{4, 40}});
  CHECK(f.at(0, 181) == DecisionFloors::Floors{{4, 350}});
}

TEST_CASE("restore points: the answer collector reports the last request answered per partition", "[actors][restore]") {
  namespace daemon = hanzo::hmm::daemon;
  auto headers = [](std::int32_t p, std::int64_t offset) {
    return hanzo::hmm::kafka::Headers{{std::string(daemon::kRequestPartitionHeader), std::to_string(p)},
                                      {std::string(daemon::kRequestOffsetHeader), std::to_string(offset)}};
  };
  daemon::AnswerCollector c({{0, 5}, {1, -1}});
  CHECK(c.add("a", headers(0, 9), "d9"));
  CHECK(c.add("b", headers(0, 7), "d7"));   // answers race: a lower request after a higher one
  CHECK(c.add("a", headers(0, 3), "d3"));   // committed: not kept, and not counted
  CHECK(c.add("b", headers(1, 2), "d2"));
  CHECK(c.add("b", headers(2, 40), "x"));   // not a partition being restored
  CHECK_FALSE(c.add("a", {}, "repeat"));    // a repeated answer carries no request headers
  CHECK(c.answered_through() == std::map<std::int32_t, std::int64_t>{{0, 9}, {1, 2}});
}

namespace {

// One requests partition answered into one decisions partition (4), over several lives: each
// life restores from the last commit, reads the answers from its floor, redelivers from the
// committed offset (requests answered before get repeats, which are not first answers), and
// dispatches rounds whose answers race within the round. After every commit, brute force: the
// named floor is at or below the first answer of every request at or past the commit.
struct Simulation {
  std::mt19937_64 rng;
  std::vector<std::int64_t> first;                  // request -> log index of its first answer (-1)
  std::vector<std::pair<std::int64_t, bool>> log;   // (request, is first answer)

  explicit Simulation(std::uint64_t seed) : rng(seed), first(400, -1) {}
  std::int64_t uniform(std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
  }

  // The lowest first answer among requests at or past `c` (the brute-force expectation).
  std::int64_t lowest_first_from(std::int64_t c) const {
    std::int64_t lo = std::numeric_limits<std::int64_t>::max();
    for (std::size_t r = static_cast<std::size_t>(c); r < first.size(); ++r)
      if (first[r] >= 0) lo = std::min(lo, first[r]);
    return lo;
  }

  void run(int lives) {
    std::int64_t committed = 0;
    DecisionFloors::Floors point;  // the last commit's restore point (empty: from the beginning)
    for (int life = 0; life < lives; ++life) {
      DecisionFloors floors;
      // The restore: answers read from the point, kept when their request is at or past the
      // committed offset; the highest such request is what the daemon calls answered_through.
      const std::int64_t from = point.count(4) ? point.at(4) : 0;
      std::int64_t through = -1;
      for (std::size_t i = static_cast<std::size_t>(from); i < log.size(); ++i)
        if (log[i].second && log[i].first >= committed) through = std::max(through, log[i].first);
      floors.restored(0, committed, point, through);

      std::int64_t next = committed;  // redelivery starts at the committed offset
      const std::int64_t end = std::min<std::int64_t>(next + uniform(20, 120), static_cast<std::int64_t>(first.size()));
      while (next < end) {
        const std::int64_t round_end = std::min(end, next + uniform(1, 12));
        floors.round(0, next, {{4, static_cast<std::int64_t>(log.size())}});
        std::vector<std::int64_t> order;
        for (std::int64_t r = next; r < round_end; ++r) order.push_back(r);
        std::shuffle(order.begin(), order.end(), rng);  // tenants' routers race within a round
        for (auto r : order) {
          const bool is_first = first[static_cast<std::size_t>(r)] < 0;
          if (is_first) first[static_cast<std::size_t>(r)] = static_cast<std::int64_t>(log.size());
          log.emplace_back(r, is_first);
        }
        next = round_end;
        if (uniform(0, 2) == 0) {  // a commit somewhere in what is done, as acknowledgements allow
          const std::int64_t c = uniform(committed, next);
          const auto named = floors.at(0, c);
          const std::int64_t at = named.count(4) ? named.at(4) : 0;
          INFO("life " << life << ", commit at " << c << ", floor " << at);
          REQUIRE(at <= lowest_first_from(c));
          committed = c;
          point = named;
        }
      }
    }
  }
};

}  // namespace

TEST_CASE("restore points: brute force over restores, redeliveries and racing answers", "[actors][restore]") {
  for (std::uint64_t seed = 1; seed <= 300; ++seed) {
    INFO("seed " << seed);
    Simulation s(seed);
    s.run(6);
  }
}
