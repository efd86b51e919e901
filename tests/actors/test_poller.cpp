// The Poller on a mock cluster: input grouped by tenant in offset order, ticks apart, bad keys
// and oversized values to the DLQ, held partitions skipped, backpressure.
#include <map>

#include "hanzo/hmm/kafka/dlq.hpp"
#include "parts_fixture.hpp"

using namespace parts_test;

namespace {

struct Collected {
  std::vector<IngestBatch> tenants;
  std::vector<TickBatch> ticks;
  PollTargets targets() {
    return {[this](IngestBatch&& b) { tenants.push_back(std::move(b)); },
            [this](TickBatch&& b) { ticks.push_back(std::move(b)); }};
  }
  // tenant -> offsets, over every batch (of one topic, or of all)
  std::map<std::string, std::vector<std::int64_t>> offsets(const std::string& topic = {}) const {
    std::map<std::string, std::vector<std::int64_t>> out;
    for (const auto& b : tenants)
      for (const auto& t : b.tenants)
        for (const auto& item : t.items)
          if (topic.empty() || std::get<kafka::Message>(item.body).topic == topic) out[t.tenant].push_back(item.offset);
    return out;
  }
  std::size_t quote_items() const {
    std::size_t n = 0;
    for (const auto& b : ticks) n += b.quotes.size();
    return n;
  }
  std::size_t tick_items() const {
    std::size_t n = 0;
    for (const auto& b : ticks) n += b.items.size();
    return n;
  }
};

std::unique_ptr<Poller> started(Parts& p) {
  auto poller = Poller::create(*p.engine, *p.delivery, {});
  REQUIRE(poller);
  REQUIRE((*poller)->subscribe());
  REQUIRE((*poller)->assign_ticks());
  return std::move(*poller);
}

}  // namespace

TEST_CASE("poller: tenants' input in offset order, ticks apart, bad input to the DLQ", "[actors][poller][cluster]") {
  Parts p("poller-sort", [](daemon::DaemonConfig& c) {
    c.max_message_bytes = 100;
    c.max_tenant_id_bytes = 8;
  });
  const auto& t = p.config.topics;
  p.publish({record(t.requests, 0, "a", "{}"), record(t.requests, 0, "b", "{}"), record(t.requests, 0, "a", "{}"),
             record(t.requests, 0, "", "{}"), record(t.requests, 0, std::nullopt, "{}"),
             record(t.requests, 0, std::string("a\0b", 3), "{}"), record(t.requests, 0, "toolongkey", "{}"),
             record(t.requests, 0, "b", std::string(101, 'x')), record(t.feedback, 1, "b", "{}"),
             record(t.ticks, 0, std::nullopt, "{}")});
  auto poller = started(p);
  Collected got;
  for (const auto until = std::chrono::steady_clock::now() + 30s;
       poller->consumed() < 10 && std::chrono::steady_clock::now() < until;)
    poller->poll(100ms, got.targets());
  REQUIRE(poller->consumed() == 10);
  CHECK(poller->dispatched() == 10);
  const auto requests = got.offsets(t.requests);
  REQUIRE(requests.size() == 2);
  CHECK(requests.at("a") == std::vector<std::int64_t>{0, 2});
  CHECK(requests.at("b") == std::vector<std::int64_t>{1});
  // b's feedback (offset 0 of feedback partition 1) too; the two topics' order is Kafka's.
  CHECK(got.offsets(t.feedback).at("b") == std::vector<std::int64_t>{0});
  CHECK(got.offsets().at("b").size() == 2);
  CHECK(got.tick_items() == 1);
  CHECK(p.engine->dead_letters.load() == 5);
  REQUIRE(p.serve_until([&] { return p.delivery->in_flight() == 5; }));  // the good five wait for the actors
  const auto dlq = p.read_all(t.dlq, 5);
  REQUIRE(dlq.size() == 5);
  std::multiset<std::string> reasons;
  for (const auto& m : dlq) {
    auto reason = kafka::find_header(m.headers, "hanzo.error.reason");
    REQUIRE(reason);
    reasons.insert(std::string(reason->substr(0, reason->find(':'))));
  }
  CHECK(reasons.count("bad_key") == 4);
  CHECK(reasons.count("too_large") == 1);
}

TEST_CASE("poller: held partitions are skipped (not quotes: they hold no tenant state), and backpressure pauses "
          "above the bound",
          "[actors][poller][cluster]") {
  Parts p("poller-hold", [](daemon::DaemonConfig& c) {
    c.max_in_flight = 3;
    c.resume_in_flight = 1;
  });
  const auto& t = p.config.topics;
  auto poller = started(p);
  poller->hold(0);
  p.publish({record(t.requests, 0, "a", "{}"), record(t.requests, 0, "a", "{}"), record(t.requests, 1, "b", "{}"),
             record(t.requests, 1, "b", "{}"), record(t.requests, 1, "b", "{}"),
             record(t.quotes, 0, std::nullopt, "{}")});  // partition 0 too, and no key: quotes need none
  Collected got;
  for (const auto until = std::chrono::steady_clock::now() + 30s;
       poller->consumed() < 4 && std::chrono::steady_clock::now() < until;)
    poller->poll(100ms, got.targets());
  // Give partition 0's messages time to arrive too: they must not be dispatched.
  for (int i = 0; i < 5; ++i) poller->poll(100ms, got.targets());
  CHECK(poller->consumed() == 4);
  CHECK(got.quote_items() == 1);
  CHECK(got.tick_items() == 0);
  CHECK(p.engine->dead_letters.load() == 0);
  const auto offsets = got.offsets();
  CHECK(offsets.count("a") == 0);
  CHECK(offsets.at("b") == std::vector<std::int64_t>{0, 1, 2});
  CHECK_FALSE(poller->paused());
  poller->backpressure(3);  // three requests in flight (the quote's answer went nowhere): the bound
  CHECK(poller->paused());
  poller->backpressure(2);
  CHECK(poller->paused());  // above the low mark still
  poller->backpressure(1);
  CHECK_FALSE(poller->paused());
}
