// Transactions on a mock cluster (exactly_once): a committed transaction commits the
// processed-through offsets; a doomed one is aborted and commits nothing. The mock does not
// store offsets sent to a transaction (tests/kafka/test_transactions.cpp), so what is checked
// is what the daemon takes as committed (the engine's board, which restores and pruning use).
#include "parts_fixture.hpp"
#include "rebalancer.hpp"
#include "transactions.hpp"

using namespace parts_test;

namespace {

struct Setup {
  explicit Setup(const std::string& group)
      : p(group, [](daemon::DaemonConfig& c) { c.guarantee = "exactly_once"; }) {
    REQUIRE(p.delivery->transactional());
    auto made = Poller::create(*p.engine, *p.delivery, {});
    REQUIRE(made);
    poller = std::move(*made);
    rebalancer = std::make_unique<Rebalancer>(*p.engine, *poller, *p.delivery, stop, [] {});
    txn = std::make_unique<Transactions>(*p.engine, *p.delivery, *poller, *rebalancer, stop, [this] { ++handed_on; },
                                         [] {});
    REQUIRE(txn->start());
  }
  // Three requests of partition 0 with their results produced in the open transaction.
  std::vector<std::uint64_t> process_three() {
    std::vector<std::uint64_t> tokens;
    for (std::int64_t offset = 0; offset < 3; ++offset) {
      auto token = p.delivery->dispatch({p.config.topics.requests, 0}, offset);
      REQUIRE(token);
      tokens.push_back(*token);
      p.delivery->sink().produce(record(p.config.topics.decisions, 0, "t", "d" + std::to_string(offset)), *token);
    }
    txn->dispatched(3);
    return tokens;
  }

  Parts p;
  std::atomic<bool> stop{false};
  std::unique_ptr<Poller> poller;
  std::unique_ptr<Rebalancer> rebalancer;
  std::unique_ptr<Transactions> txn;
  int handed_on{0};
};

}  // namespace

TEST_CASE("transactions: a commit covers exactly the acknowledged inputs", "[actors][transactions][cluster]") {
  Setup s("txn-commit");
  s.process_three();
  // Acknowledged before the end (end() waits only while acknowledgements keep coming: on a
  // loaded machine a stalled one would leave its input for the next transaction).
  REQUIRE(s.p.serve_until([&] { return s.p.delivery->in_flight() == 0; }));
  CHECK(s.txn->end(true));
  CHECK(s.handed_on == 1);  // what was polled went to the actors before the end
  CHECK(s.p.delivery->in_flight() == 0);
  CHECK(s.p.engine->committed.get(0) == 3);
  CHECK_FALSE(s.txn->failed());
  // The next transaction is open: more work commits further.
  auto token = s.p.delivery->dispatch({s.p.config.topics.requests, 0}, 3);
  REQUIRE(token);
  s.p.delivery->sink().done(*token);
  s.txn->dispatched();
  CHECK(s.txn->end(false));
  CHECK(s.p.engine->committed.get(0) == 4);
}

TEST_CASE("transactions: a doomed transaction is aborted and commits nothing", "[actors][transactions][cluster]") {
  Setup s("txn-abort");
  const auto tokens = s.process_three();
  s.p.delivery->sink().discard(tokens[1]);  // as when a record of it failed
  REQUIRE(s.p.delivery->sink().doomed());
  CHECK_FALSE(s.txn->end(true));
  CHECK_FALSE(s.txn->failed());  // abortable, not fatal: processing goes on
  CHECK_FALSE(s.p.delivery->sink().doomed());
  CHECK(s.p.engine->committed.get(0) == -1);
}
