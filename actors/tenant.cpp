#include "tenant.hpp"

#include <algorithm>
#include <mutex>
#include <shared_mutex>
#include <utility>

#include "hanzo/hmm/daemon/answer_log.hpp"
#include "hanzo/hmm/daemon/metrics.hpp"
#include "hanzo/hmm/wire/request.hpp"
#include "log.hpp"
#include "output.hpp"

namespace hanzo::hmm::actors {

namespace {

using self_ptr = tenant_actor::stateful_pointer<tenant_state>;

constexpr std::size_t kMaxRun = 128;  // requests per router round trip

void pump(self_ptr self);

// Drops restored answers Kafka will not redeliver (behind the group's committed offset).
void prune_replay(tenant_state& st) {
  const auto committed = st.engine->committed.get(st.record.partition);
  if (committed >= 0 && !st.replay.empty())
    std::erase_if(st.replay, [&](const auto& a) { return a.offset < committed; });
}

// The whole state as a TenantRecord (with `answers`), e.g. for the manager or a snapshot.
std::vector<std::byte> state_bytes(tenant_state& st, std::vector<daemon::TenantRecord::Answer> answers, bool compact) {
  daemon::TenantRecord r = st.record;
  r.answers = std::move(answers);
  if (compact) {
    r.session = st.session->snapshot();  // rebases: what a restore from it continues from
  } else {
    auto cp = st.session->checkpoint();
    r.session = std::move(cp.state);
    r.progress = std::move(cp.progress);
  }
  return r.encode();
}

void encode_pending(tenant_state& st) {
  ++st.record.sequence;
  tenant_state::Pending p;
  p.record.topic = st.engine->config.topics.tenant_state;
  p.record.partition = st.record.partition;
  std::string key;
  p.full = st.writer.next(st.tenant, st.record.partition, st.record.sequence, state_bytes(st, {}, false), false, key,
                          p.record.value);
  p.record.key = std::move(key);
  p.covered = std::move(st.covered);
  st.covered.clear();
  p.decisions = st.decisions;
  st.pending = std::move(p);
}

// Whether the next state record may be encoded now: once per state interval, at once when the
// tenant is leaving or asked for a snapshot. Otherwise a wake-up comes when it is due.
bool record_due(self_ptr self) {
  auto& st = self->state;
  if (st.state_interval == caf::actor_clock::duration_type::zero() || st.evict_requested ||
      !st.snapshot_waiters.empty())
    return true;
  const auto now = self->clock().now();  // the actor system's clock: tests advance it
  const auto due = st.last_record + st.state_interval;
  if (now >= due) {
    st.wake_scheduled = false;  // fired, or overtaken (a spare wake-up only pumps)
    return true;
  }
  if (!st.wake_scheduled) {
    st.wake_scheduled = true;
    self->delayed_send(self, due - now, written_atom::value);
  }
  return false;
}

// Encodes the next state record once the previous one is acknowledged, and produces it once
// the decisions it covers are (write_gate.hpp); the gate wakes the tenant when it waits.
void maybe_write(self_ptr self) {
  auto& st = self->state;
  for (;;) {
    if (!st.pending) {
      if (st.covered.empty() || !record_due(self) || !st.gate->ready_or_wait(0)) return;
      st.last_record = self->clock().now();
      encode_pending(st);
    }
    if (!st.gate->ready_or_wait(st.pending->decisions)) return;
    st.gate->state_started();
    auto p = std::move(*st.pending);
    st.pending.reset();
    st.engine->sink->produce_state(std::move(p.record), std::move(p.covered), *st.gate, p.full);
  }
}

void emit_decision(tenant_state& st, kafka::Record r) {
  ++st.decisions;
  st.engine->sink->produce_decision(std::move(r), *st.gate);
}

void finish_run(self_ptr self, const RouteResult& result) {
  auto& st = self->state;
  auto run = std::move(st.in_flight);
  st.decisions += run->items.size();  // the router produced one per item
  for (std::size_t i = 0; i < run->items.size(); ++i) {
    auto& item = run->items[i];
    if (i < result.routed.size() && result.routed[i]) st.session->remember(item.request, item.part, *result.routed[i]);
    st.record.requests_through = std::max(st.record.requests_through, item.offset);
    st.covered.push_back(item.token);
  }
  maybe_write(self);
  pump(self);
}

// Decodes the front item if it came raw from Kafka. False: it was not valid and went to the
// DLQ (and left the backlog).
bool decode_front(tenant_state& st) {
  TenantItem& item = st.backlog.front();
  auto* raw = std::get_if<kafka::Message>(&item.body);
  if (!raw) return true;
  const Engine& e = *st.engine;
  const std::string_view key = raw->key ? std::string_view(*raw->key) : std::string_view(st.tenant);
  if (raw->topic == e.config.topics.feedback) {
    auto fb = wire::decode_keyed_feedback(key, raw->value, e.limits);
    if (fb) {
      item.body = std::move(*fb);
      return true;
    }
    dead_letter(e, *raw, item.token, classify(fb.error()), fb.error().to_string());
  } else {
    auto req = wire::decode_keyed_request(key, raw->value, e.limits);
    if (req) {
      item.body = std::move(req->request);
      return true;
    }
    dead_letter(e, *raw, item.token, classify(req.error()), req.error().to_string());
  }
  st.backlog.pop_front();
  return false;
}

// A request at or below the applied offset was decided before a crash or a rebalance: its
// state effects are in the restored state, so it is answered again, never applied again.
bool redelivered(const tenant_state& st, const TenantItem& item) {
  return item.offset >= 0 && item.offset <= st.record.requests_through;
}

// A request past the applied offset whose decision is in the decisions topic: it was decided
// and answered, but the state record covering it did not become durable before a crash.
const daemon::TenantRecord::Answer* answered_before(const tenant_state& st, const TenantItem& item) {
  return item.offset >= 0 && !st.replay.empty() ? daemon::TenantRecord::find(st.replay, item.offset) : nullptr;
}

// A repeated answer: the first one's bytes with the mark, and no request headers (the answer
// log keeps the first answer only).
kafka::Record repeat(const tenant_state& st, const daemon::TenantRecord::Answer& a) {
  kafka::Record r;
  r.topic = st.engine->config.topics.decisions;
  r.key = st.tenant;
  r.partition = st.decisions_partition;
  r.value = daemon::mark_redelivered(a.decision);
  return r;
}

void answer_again(tenant_state& st, TenantItem& item) {
  const Engine& e = *st.engine;
  if (const auto* a = answered_before(st, item)) {
    e.sink->produce(repeat(st, *a), item.token);
    processed(e, item.polled);
    if (e.metrics) e.metrics->redelivered(daemon::Redelivery::answered);
  } else {
    // Not kept: its offset was committed, so its decision was delivered before.
    log_warning("tenant " + st.tenant + ": the request at offset " + std::to_string(item.offset) +
                " was decided before and its answer is no longer kept; not answered again");
    e.sink->done(item.token);
    if (e.metrics) e.metrics->redelivered(daemon::Redelivery::not_kept);
  }
}

// Applies a request answered before the crash as it was answered: the same state effects
// (regime filter, remembered model), the first answer repeated, no new decision.
void adopt(tenant_state& st, TenantItem& item, const daemon::TenantRecord::Answer& a) {
  const Engine& e = *st.engine;
  const auto& req = std::get<routing::RoutingRequest>(item.body);
  mm::TenantPart part;
  if (st.session->prepare(req, part) && !a.model.empty())
    if (auto model = e.router->catalogue().model_index(a.model)) st.session->remember(req, part, *model);
  emit_decision(st, repeat(st, a));
  processed(e, item.polled);
  st.record.requests_through = std::max(st.record.requests_through, item.offset);
  st.covered.push_back(item.token);
  if (e.metrics) e.metrics->redelivered(daemon::Redelivery::answered);
}

void apply_feedback(tenant_state& st, TenantItem& item) {
  const Engine& e = *st.engine;
  auto& fb = std::get<routing::Feedback>(item.body);
  if (item.offset >= 0 && item.offset <= st.record.feedback_through) {
    // Applied before a crash or rebalance (it is in the restored state): count it once.
    e.sink->done(item.token);
    if (e.metrics) e.metrics->redelivered(daemon::Redelivery::feedback_skipped);
    return;
  }
  if (auto r = st.session->feedback(fb, *e.router); !r) {
    log_warning("tenant " + st.tenant + ": feedback " + fb.request_id + " ignored: " + r.error().to_string());
  } else if (st.pool && r->counted) {  // a duplicate is learnt once, in the pool too
    std::unique_lock lock(st.pool->mutex);
    (void)e.router->observe_shared(fb, st.pool->outcomes);  // the tenant's own observe accepted it
  }
  st.record.feedback_through = std::max(st.record.feedback_through, item.offset);
  st.covered.push_back(item.token);
}

void route_failed(self_ptr self, const caf::error& err) {
  // The router is gone: answer every request of the run here, so none is left without a decision.
  auto& s = self->state;
  log_error("tenant " + s.tenant + ": router failed: " + self->system().render(err));
  RouteResult result;
  for (const auto& item : s.in_flight->items) {
    result.routed.emplace_back();
    s.engine->sink->produce_decision(
        rejection_record(*s.engine, s.tenant, item, "internal error: router unavailable",
                         {s.decisions_partition, s.in_flight->partition, item.offset}),
        *s.gate);
    processed(*s.engine, item.polled);
  }
  finish_run(self, result);
}

void place(tenant_state& st, std::int32_t partition) {
  if (partition < 0 || partition == st.record.partition) return;
  st.record.partition = partition;
  const auto& layout = st.engine->layout;
  st.decisions_partition = daemon::answer_partition(partition, layout.requests.load(std::memory_order_relaxed),
                                                    layout.decisions.load(std::memory_order_relaxed), st.tenant);
}

// Processes the backlog in order until it is empty or a run is with the router.
void pump(self_ptr self) {
  auto& st = self->state;
  while (!st.in_flight && !st.backlog.empty()) {
    if (!decode_front(st)) continue;
    TenantItem& front = st.backlog.front();
    place(st, front.partition);
    if (std::holds_alternative<routing::Feedback>(front.body)) {
      apply_feedback(st, front);
      st.backlog.pop_front();
      continue;
    }
    if (redelivered(st, front)) {
      answer_again(st, front);
      st.backlog.pop_front();
      continue;
    }
    if (const auto* a = answered_before(st, front)) {
      adopt(st, front, *a);
      st.backlog.pop_front();
      continue;
    }
    auto run = std::make_shared<RouteRun>();
    run->tenant = st.tenant;
    run->session = st.session;
    run->partition = st.record.partition;
    run->decisions_partition = st.decisions_partition;
    run->gate = st.gate.get();
    run->pool = st.pool;
    while (!st.backlog.empty() && run->items.size() < kMaxRun) {
      if (!decode_front(st)) continue;
      TenantItem& next = st.backlog.front();
      auto* req = std::get_if<routing::RoutingRequest>(&next.body);
      if (!req || redelivered(st, next) || answered_before(st, next)) break;
      RouteItem item;
      item.token = next.token;
      item.timestamp_ms = next.timestamp_ms;
      item.polled = next.polled;
      item.offset = next.offset;
      item.request = std::move(*req);
      if (auto ok = st.session->prepare(item.request, item.part); !ok) {
        item.rejection = ok.error().to_string();
        st.session->current_regime(item.part);
      }
      run->items.push_back(std::move(item));
      st.backlog.pop_front();
    }
    st.in_flight = run;
    self->request(st.router, caf::infinite, RouteRunMsg{run})
        .then([self](const RouteResult& result) { finish_run(self, result); },
              [self](const caf::error& err) { route_failed(self, err); });
  }
  if (st.in_flight) return;
  maybe_write(self);
  if (!st.snapshot_waiters.empty()) {
    prune_replay(st);
    TenantState state{st.tenant, state_bytes(st, st.replay, false)};
    for (auto& rp : st.snapshot_waiters) rp.deliver(state);
    st.snapshot_waiters.clear();
  }
  // Gone dormant only once every input it applied is in a state record on its way to Kafka.
  if (st.evict_requested && !st.pending && st.covered.empty()) {
    prune_replay(st);
    // Dormant in memory: the compact form, ~1 KiB; redeliveries may still come after its return.
    self->send(st.manager, TenantState{st.tenant, state_bytes(st, std::move(st.replay), true)});
    self->quit();
  }
}

}  // namespace

tenant_actor::behavior_type tenant(tenant_actor::stateful_pointer<tenant_state> self, std::shared_ptr<const Engine> engine,
                                   std::string tenant, std::optional<std::vector<std::byte>> restore,
                                   router_actor router, tenant_manager_actor manager) {
  auto& st = self->state;
  st.engine = std::move(engine);
  st.tenant = std::move(tenant);
  st.pool = st.engine->pools->of(st.tenant);
  st.router = std::move(router);
  st.manager = std::move(manager);
  st.writer = daemon::StateWriter(static_cast<std::uint32_t>(st.engine->config.changelog_full_every));
  if (!st.engine->config.exactly_once())
    st.state_interval = std::chrono::duration_cast<caf::actor_clock::duration_type>(
        std::chrono::duration<double>(st.engine->config.state_interval_seconds));
  // Weak: a record in flight does not keep an evicted tenant alive.
  st.gate = GateRef(new WriteGate([addr = self->address()] {
    if (auto h = caf::actor_cast<tenant_actor>(addr)) caf::anon_send(h, written_atom::value);
  }));
  if (restore) {
    auto record = daemon::TenantRecord::decode(*restore);
    // No session: a tenant whose first state record never became durable, restored with the
    // answers it gave (adopted as its requests come again).
    auto s = !record                  ? Result<mm::TenantSession>(record.error())
             : record->session.empty() ? Result<mm::TenantSession>(mm::TenantSession(*st.engine->tenants))
                                       : mm::TenantSession::restore(*st.engine->tenants, *st.engine->router, record->session);
    if (s && !record->progress.empty()) {
      if (auto ok = s->resume(record->progress); !ok) s = std::move(ok).error();
    }
    if (s) {
      st.session = std::make_shared<mm::TenantSession>(std::move(*s));
      st.record = std::move(*record);
      st.replay = std::move(st.record.answers);
      st.record.answers = {};
      st.record.session = {};
      st.record.progress = {};
      const auto partition = std::exchange(st.record.partition, -1);
      place(st, partition);
    } else {
      log_error("tenant " + st.tenant + ": stored state unreadable, starting afresh: " + s.error().to_string());
    }
  }
  if (!st.session) st.session = std::make_shared<mm::TenantSession>(*st.engine->tenants);
  // Nothing here throws by design (errors are values); should something (bad_alloc) escape,
  // this tenant stops and the manager, which monitors it, forgets it: the daemon goes on.
  self->set_exception_handler([self](std::exception_ptr& e) -> caf::error {
    log_error("tenant " + self->state.tenant + ": " + describe(e));
    return caf::make_error(caf::sec::runtime_error);
  });
  return {
      [self](TenantBatch& batch) {
        for (auto& item : batch.items) self->state.backlog.push_back(std::move(item));
        pump(self);
      },
      [self](snapshot_atom) -> caf::typed_response_promise<TenantState> {
        auto rp = self->make_response_promise<TenantState>();
        self->state.snapshot_waiters.push_back(rp);
        pump(self);
        return rp;
      },
      [self](evict_atom) {
        self->state.evict_requested = true;
        pump(self);
      },
      [self](written_atom) { pump(self); },
  };
}

}  // namespace hanzo::hmm::actors
