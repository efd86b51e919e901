// The Rebalancer on a mock cluster: a partition is held back until its tenants are restored;
// a restore cut short or missing what it needs keeps it held; forget drops the tenants.
#include "hanzo/hmm/daemon/state_frame.hpp"
#include "hanzo/hmm/daemon/tenant_record.hpp"
#include "parts_fixture.hpp"
#include "rebalancer.hpp"

using namespace parts_test;

namespace {

struct Setup {
  explicit Setup(const std::string& group) : p(group) {
    auto made = Poller::create(*p.engine, *p.delivery, {});
    REQUIRE(made);
    poller = std::move(*made);
    rebalancer = std::make_unique<Rebalancer>(*p.engine, *poller, *p.delivery, stop, [this] { ++kept_alive; });
    rebalancer->set_targets({[this](RestoredStates&& s) {
                               for (auto& st : s.states) restored.push_back(std::move(st));
                             },
                             [this](std::vector<std::int32_t> parts) { dropped.push_back(std::move(parts)); }});
  }
  // A full state record of `tenant` on tenant-state partition `partition`, as a tenant writes it.
  kafka::Record state_record(const std::string& tenant, std::int32_t partition) {
    daemon::TenantRecord rec;
    rec.sequence = 1;
    rec.partition = partition;
    rec.requests_through = 4;
    rec.session = {std::byte{1}, std::byte{2}, std::byte{3}};
    daemon::StateWriter writer(64);
    kafka::Record r;
    r.topic = p.config.topics.tenant_state;
    r.partition = partition;
    std::string key;
    REQUIRE(writer.next(tenant, partition, rec.sequence, rec.encode(), false, key, r.value));
    r.key = key;
    return r;
  }
  // Whether a message on requests partition `partition` is dispatched now.
  bool dispatches(std::int32_t partition) {
    p.publish({record(p.config.topics.requests, partition, "probe", "{}")});
    const auto before = poller->consumed();
    PollTargets ignore{[](IngestBatch&&) {}, [](TickBatch&&) {}};
    for (int i = 0; i < 30 && poller->consumed() == before; ++i) poller->poll(100ms, ignore);
    return poller->consumed() > before;
  }

  Parts p;
  std::atomic<bool> stop{false};
  std::unique_ptr<Poller> poller;
  std::unique_ptr<Rebalancer> rebalancer;
  int kept_alive{0};
  std::vector<TenantState> restored;
  std::vector<std::vector<std::int32_t>> dropped;
};

}  // namespace

TEST_CASE("rebalancer: a partition's tenants are restored before its messages are dispatched", "[actors][rebalancer][cluster]") {
  Setup s("rebalancer-restore");
  const auto& t = s.p.config.topics;
  s.p.publish({s.state_record("t1", 0), s.state_record("t2", 0), s.state_record("t3", 1)});
  auto consumer = s.poller->consumer().assign({{t.requests, 0, kafka::Consumer::kOffsetBeginning}});
  REQUIRE(consumer);
  s.rebalancer->restore({{t.requests, 0}, {t.feedback, 0}});
  // Partition 0's two tenants, not partition 1's.
  REQUIRE(s.restored.size() == 2);
  std::vector<std::string> ids{s.restored[0].tenant, s.restored[1].tenant};
  std::sort(ids.begin(), ids.end());
  CHECK(ids == std::vector<std::string>{"t1", "t2"});
  const auto back = daemon::TenantRecord::decode(s.restored[0].bytes);
  REQUIRE(back);
  CHECK(back->requests_through == 4);
  CHECK(s.dispatches(0));

  s.rebalancer->forget({{t.requests, 0}, {t.feedback, 0}});
  REQUIRE(s.dropped.size() == 1);
  CHECK(s.dropped[0] == std::vector<std::int32_t>{0});
}

TEST_CASE("rebalancer: a restore cut short or missing records keeps the partition held", "[actors][rebalancer][cluster]") {
  Setup s("rebalancer-held");
  const auto& t = s.p.config.topics;
  auto junk = s.state_record("t1", 0);
  junk.value = "not a state record";
  s.p.publish({s.state_record("t0", 0), junk});
  REQUIRE(s.poller->consumer().assign({{t.requests, 0, kafka::Consumer::kOffsetBeginning}}));

  // SIGTERM during the restore: a slow broker makes the read outlast the first progress check.
  REQUIRE(s.p.cluster->set_rtt(1, 300ms));
  s.stop = true;
  s.rebalancer->restore({{t.requests, 0}});
  CHECK(s.restored.empty());
  CHECK(s.kept_alive > 0);
  REQUIRE(s.p.cluster->set_rtt(1, 0ms));
  CHECK_FALSE(s.dispatches(0));

  // An unreadable record of t1: restoring t1 from nothing would be silent loss, so nothing is
  // restored and the partition stays held (t0 too: the partition is one unit).
  s.stop = false;
  s.rebalancer->restore({{t.requests, 0}});
  CHECK(s.restored.empty());
  CHECK_FALSE(s.dispatches(0));
}
