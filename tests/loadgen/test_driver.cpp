// The Kafka driver against librdkafka's mock cluster, without the daemon: an echo thread
// answers every request with a decision carrying its request_id. Every request must be decided
// exactly once; a second run on the same topics ignores the first run's decisions.
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <thread>

#include "hanzo/hmm/kafka/kafka.hpp"
#include "hanzo/hmm/loadgen/driver.hpp"
#include "hanzo/hmm/mm/config.hpp"
#include "hanzo/hmm/wire/wire.hpp"

using namespace hanzo::hmm;
using namespace std::chrono_literals;

namespace {

const loadgen::Topics kTopics = loadgen::Topics::with_prefix("lgtest");

// Consumes requests (and ticks and feedback, to check they decode) and produces one decision
// per valid request, keyed by tenant like the daemon.
class Echo {
 public:
  explicit Echo(const kafka::MockCluster& cluster) {
    auto producer = kafka::Producer::create({{"bootstrap.servers", cluster.bootstrap_servers()}});  // default linger, like the daemon
    auto consumer = kafka::Consumer::create({{"bootstrap.servers", cluster.bootstrap_servers()},
                                             {"group.id", "echo"},
                                             {"session.timeout.ms", "6000"},
                                             {"heartbeat.interval.ms", "500"},
                                             {"fetch.wait.max.ms", "5"}},
                                            {.assigned = [this](const auto&) { assigned = true; }, .revoked = {}, .committed = {}});
    REQUIRE(producer);
    REQUIRE(consumer);
    REQUIRE(consumer->subscribe({kTopics.requests, kTopics.ticks, kTopics.feedback}));
    thread_ = std::jthread([this, p = std::move(*producer), c = std::move(*consumer)](std::stop_token stop) mutable {
      loop(stop, p, c);
    });
  }

  std::atomic<bool> assigned{false};
  std::atomic<std::uint64_t> requests{0}, ticks{0}, feedback{0}, bad{0}, shocks{0};

 private:
  void loop(std::stop_token stop, kafka::Producer& producer, kafka::Consumer& consumer) {
    const auto classes = mm::default_config().classes;
    std::string out;
    while (!stop.stop_requested()) {
      auto m = consumer.poll(20ms);
      producer.poll();
      if (!m || !*m) continue;
      const kafka::Message& msg = **m;
      const std::string key = msg.key.value_or("");
      if (msg.topic == kTopics.ticks) {
        auto t = wire::decode_tick(msg.value, classes);
        ++(t ? ticks : bad);
        if (t)
          for (const auto& f : t->tick.flows) shocks += f.shock != 1.0;
        continue;
      }
      if (msg.topic == kTopics.feedback) {
        ++(wire::decode_keyed_feedback(key, msg.value) ? feedback : bad);
        continue;
      }
      auto r = wire::decode_keyed_request(key, msg.value);
      if (!r) {
        ++bad;
        continue;
      }
      routing::Decision d;
      d.request_id = r->request.request_id;
      d.tenant = r->tenant;
      d.status = routing::Status::routed;
      d.model = "llama-3.1-8b";
      d.provider = "meta";
      d.compute_class = "l4-24g";
      d.regime = "exploitation";
      d.regime_posterior = {0.1, 0.7, 0.1, 0.1};
      d.market_regime = "balanced";
      d.confidence = 0.5;
      d.price_per_token = 0.0025;
      d.expected_cost = 0.5;
      d.expected_latency_ms = 450.0;
      d.expected_free_energy = 3.0;
      d.alternatives.push_back({"llama-3.1-8b", 1, 0.5, 3.0, 1.5, 1.5, 0.0});
      d.reasoning = "echo";
      wire::encode_decision_into(out, d);
      while (true) {
        auto ok = producer.produce({kTopics.decisions, key, out, {}, -1});
        if (ok || !kafka::is_queue_full(ok.error())) break;
        producer.poll(1ms);
      }
      ++requests;
    }
    (void)producer.flush(5s);
  }

  std::jthread thread_;  // last: stopped and joined before the counters go
};

loadgen::DriverOptions driver_options(const kafka::MockCluster& cluster, const std::string& run_id) {
  loadgen::DriverOptions o;
  o.bootstrap = cluster.bootstrap_servers();
  o.topics = kTopics;
  o.generator.run_id = run_id;
  o.generator.seed = 3;
  o.generator.tenants = 50;
  o.generator.feedback_ratio = 0.5;
  o.duration_s = 1.0;
  o.drain_s = 30.0;  // a bound, not an expectation: the run ends as soon as all are decided
  o.tick_rate = 20.0;
  o.join_timeout_s = 60.0;
  return o;
}

// Waits (bounded) until `done()`.
template <class Fn>
bool eventually(Fn done) {
  const auto until = std::chrono::steady_clock::now() + 30s;
  while (!done())
    if (std::chrono::steady_clock::now() > until) return false;
    else std::this_thread::sleep_for(10ms);
  return true;
}

}  // namespace

TEST_CASE("loadgen driver: every request decided once by an echo on the mock cluster", "[loadgen][kafka]") {
  auto cluster = kafka::MockCluster::create().value();
  for (const auto& t : {kTopics.requests, kTopics.decisions, kTopics.feedback}) REQUIRE(cluster.create_topic(t, 4));
  REQUIRE(cluster.create_topic(kTopics.ticks, 1));
  Echo echo(cluster);
  REQUIRE(eventually([&] { return echo.assigned.load(); }));  // so latencies measure the echo, not its join

  // Open loop.
  auto o = driver_options(cluster, "lg-echo-a");
  o.rate = 2000.0;
  std::vector<loadgen::Progress> progress;
  std::mutex mu;
  o.on_progress = [&](const loadgen::Progress& p) {
    std::lock_guard lock(mu);
    progress.push_back(p);
  };
  auto first = loadgen::run(o);
  REQUIRE(first);
  const auto& r = *first;
  INFO(loadgen::to_text(r));
  CHECK(r.mode == "rate");
  CHECK(r.requests_sent > 0);
  CHECK(r.decisions_received == r.requests_sent);
  CHECK(r.missing == 0);
  CHECK(r.duplicates == 0);
  CHECK(r.invalid == 0);
  CHECK(r.send_errors == 0);
  CHECK(r.routed == r.decisions_received);
  CHECK(r.latency.count == r.decisions_received);
  CHECK(r.latency.max_ms >= r.latency.p99_ms);
  CHECK(r.latency.p99_ms >= r.latency.p50_ms);
  CHECK(r.ticks_sent > 0);
  CHECK(r.feedback_sent > 0);
  auto sample = wire::decode_decision(r.sample_decision);
  REQUIRE(sample);
  CHECK(sample->decision.request_id.rfind("lg-echo-a-", 0) == 0);
  CHECK(loadgen::report_from_json(loadgen::to_json(r)).has_value());
  // What the loadgen sent reached the other side intact (bounded wait for the echo to read it).
  CHECK(eventually([&] { return echo.ticks >= r.ticks_sent && echo.feedback >= r.feedback_sent; }));
  CHECK(echo.ticks == r.ticks_sent);
  CHECK(echo.feedback == r.feedback_sent);
  CHECK(echo.bad == 0);
  CHECK(echo.shocks <= 1);  // the shock tick sits at half the run, if the run got that far

  // Closed loop on the same topics: the first run's decisions are someone else's now.
  auto o2 = driver_options(cluster, "lg-echo-b");
  o2.window = 100;
  auto second = loadgen::run(o2);
  REQUIRE(second);
  INFO(loadgen::to_text(*second));
  CHECK(second->mode == "max");
  CHECK(second->window == 100);
  CHECK(second->requests_sent > 0);
  CHECK(second->missing == 0);
  CHECK(second->duplicates == 0);
  CHECK(second->decisions_received == second->requests_sent);
  CHECK(second->foreign == r.decisions_received + 1);  // and the first run's warm-up request
}

TEST_CASE("loadgen driver: bad options and an unreachable broker are errors", "[loadgen][kafka]") {
  loadgen::DriverOptions o;
  CHECK(loadgen::run(o).error().where == "bootstrap");
  o.bootstrap = "127.0.0.1:1";
  o.rate = -5.0;
  CHECK(loadgen::run(o).error().where == "rate");
  o.rate.reset();
  o.window = 0;
  CHECK(loadgen::run(o).error().where == "window");

  // Nobody listens there: the consumer never gets its partitions.
  o.window = 10;
  o.join_timeout_s = 1.0;
  auto r = loadgen::run(o);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().to_string(), Catch::Contains("hanzo.hmm.decisions"));
}
