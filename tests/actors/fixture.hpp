// Actor tests on CAF's deterministic test coordinator: messages run only when the test says
// sched.run(), on the test's thread, so every interleaving is reproducible. The reference for
// every result is the single-threaded MarketMaker facade fed the same input.
#pragma once
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scheduler/test_coordinator.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "actors.hpp"
#include "engine.hpp"
#include "hanzo/hmm/daemon/tenant_record.hpp"
#include "hanzo/hmm/kafka/dlq.hpp"
#include "hanzo/hmm/mm/market_maker.hpp"
#include "hanzo/hmm/wire/decision.hpp"
#include "market.hpp"
#include "router.hpp"
#include "tenant_manager.hpp"

namespace acttest {

using namespace hanzo::hmm;
using namespace hanzo::hmm::actors;

// Captures every result; records per topic in production order. Kafka acknowledges at once,
// or, with defer_acks, when the test says (acknowledge_all).
class RecordingSink final : public Sink {
 public:
  ~RecordingSink() override {
    for (auto& d : deferred) WriteGate::release(d.gate);  // never acknowledged: let go
  }
  void produce(kafka::Record record, std::uint64_t token) override {
    std::lock_guard lock(mutex);
    produced.push_back({std::move(record), token});
  }
  void done(std::uint64_t token) override {
    std::lock_guard lock(mutex);
    finished.push_back(token);
  }
  void produce_decision(const kafka::Record& record, WriteGate& gate) override {
    {
      std::lock_guard lock(mutex);
      produced.push_back({record, 0});
      if (defer_acks) {
        gate.retain();
        deferred.push_back({&gate, {}, false});
        return;
      }
    }
    gate.decision_acked();
  }
  void produce_state(kafka::Record state, std::vector<std::uint64_t> covered, WriteGate& gate, bool) override {
    {
      std::lock_guard lock(mutex);
      produced.push_back({std::move(state), 0});
      if (defer_acks) {
        gate.retain();
        deferred.push_back({&gate, std::move(covered), true});
        return;
      }
      finished.insert(finished.end(), covered.begin(), covered.end());
    }
    gate.state_acked();
  }
  // With defer_acks: Kafka acknowledges everything produced so far, in order.
  void acknowledge_all() {
    std::vector<Deferred> now;
    {
      std::lock_guard lock(mutex);
      now.swap(deferred);
    }
    for (auto& d : now) {
      if (d.state) {
        std::lock_guard lock(mutex);
        finished.insert(finished.end(), d.covered.begin(), d.covered.end());
      }
      if (d.state)
        d.gate->state_acked();
      else
        d.gate->decision_acked();
      WriteGate::release(d.gate);
    }
  }
  std::vector<kafka::Record> on(const std::string& topic) const {
    std::vector<kafka::Record> out;
    for (const auto& [r, t] : produced)
      if (r.topic == topic) out.push_back(r);
    return out;
  }
  std::mutex mutex;
  std::vector<std::pair<kafka::Record, std::uint64_t>> produced;
  std::vector<std::uint64_t> finished;
  struct Deferred {
    WriteGate* gate;
    std::vector<std::uint64_t> covered;
    bool state;
  };
  bool defer_acks{false};
  std::vector<Deferred> deferred;
};

struct testing_config : caf::actor_system_config {
  testing_config() {
    set("scheduler.policy", caf::atom("testing"));
    set("logger.console-verbosity", caf::atom("quiet"));
    set("logger.file-verbosity", caf::atom("quiet"));
  }
};

// One state record per round (no state interval): what most tests here are about.
inline daemon::DaemonConfig per_round() {
  daemon::DaemonConfig c;
  c.state_interval_seconds = 0;
  return c;
}

struct Fixture {
  explicit Fixture(daemon::DaemonConfig cfg = per_round()) : config(std::move(cfg)) {
    engine = Engine::create(config, &sink, nullptr).value();
    reference = std::make_unique<mm::MarketMaker>(mm::MarketMaker::create(config.engine).value());
    routers.push_back(sys.spawn(router, engine));
    routers.push_back(sys.spawn(router, engine));
    manager = sys.spawn(tenant_manager, engine, routers, std::chrono::milliseconds(0));
    run();
  }
  ~Fixture() {
    caf::anon_send_exit(manager, caf::exit_reason::user_shutdown);
    for (auto& r : routers) caf::anon_send_exit(r, caf::exit_reason::user_shutdown);
    run();
  }
  void run() { sched.run(); }

  // Sends a batch to the manager and mirrors it on the reference facade.
  void send(IngestBatch batch) {
    for (const auto& t : batch.tenants)
      for (const auto& item : t.items) mirror(t.tenant, item);
    caf::anon_send(manager, std::move(batch));
  }
  void mirror(const std::string& tenant, const TenantItem& item) {
    if (const auto* r = std::get_if<routing::RoutingRequest>(&item.body)) {
      auto d = reference->route_request(tenant, *r).value();
      expected[tenant].push_back(wire::encode_decision(d));
    } else {
      (void)reference->feedback(tenant, std::get<routing::Feedback>(item.body));
    }
  }
  // Decisions produced per tenant, in production order.
  std::map<std::string, std::vector<std::string>> decisions() const {
    std::map<std::string, std::vector<std::string>> out;
    for (const auto& [r, t] : sink.produced)
      if (r.topic == config.topics.decisions) out[*r.key].push_back(r.value);
    return out;
  }
  ManagerStatus status() {
    caf::scoped_actor self{sys};
    ManagerStatus s;
    auto handle = self->request(manager, caf::infinite, status_atom::value);
    run();
    handle.receive([&](const ManagerStatus& st) { s = st; }, [&](const caf::error& e) { FAIL(sys.render(e)); });
    return s;
  }
  // A tenant's changelog record as the manager holds it (resident: asks the actor).
  daemon::TenantRecord record_of(const std::string& tenant) {
    caf::scoped_actor self{sys};
    std::vector<std::byte> bytes;
    auto handle = self->request(manager, caf::infinite, snapshot_atom::value, tenant);
    run();
    handle.receive([&](const TenantState& st) { bytes = st.bytes; }, [&](const caf::error& e) { FAIL(sys.render(e)); });
    auto record = daemon::TenantRecord::decode(bytes);
    REQUIRE(record);
    return *record;
  }
  // Its TenantSession snapshot, comparable with the reference facade's snapshot_tenant: the
  // record restored (state + adapter progress), then snapshotted like the facade does.
  std::vector<std::byte> state_of(const std::string& tenant) {
    const auto record = record_of(tenant);
    auto session = mm::TenantSession::restore(*engine->tenants, *engine->router, record.session);
    REQUIRE(session);
    if (!record.progress.empty()) REQUIRE(session->resume(record.progress));
    return session->snapshot();
  }

  daemon::DaemonConfig config;
  RecordingSink sink;
  std::shared_ptr<const Engine> engine;
  std::unique_ptr<mm::MarketMaker> reference;
  testing_config caf_cfg;
  caf::actor_system sys{caf_cfg};
  caf::scheduler::test_coordinator& sched = dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());
  std::vector<router_actor> routers;
  tenant_manager_actor manager;
  std::map<std::string, std::vector<std::string>> expected;
};

inline routing::RoutingRequest request(std::string id, std::vector<double> observations = {}) {
  routing::RoutingRequest r;
  r.request_id = std::move(id);
  r.input = "Summarise the quarterly GPU utilisation report in three bullet points.";
  r.preferences.max_latency_ms = 1500.0;
  r.observations = std::move(observations);
  return r;
}

inline routing::Feedback feedback(std::string id, std::string model, double quality, bool success = true) {
  routing::Feedback f;
  f.request_id = std::move(id);
  f.model = std::move(model);
  f.latency_ms = 420.0;
  f.tokens_per_second = 80.0;
  f.quality = quality;
  f.cost_per_token = 1e-6;
  f.success = success;
  return f;
}

}  // namespace acttest
