#include "tenant.hpp"

#include <algorithm>
#include <iostream>
#include <utility>

#include "hanzo/hmm/daemon/metrics.hpp"
#include "log.hpp"
#include "output.hpp"
#include "hanzo/hmm/wire/request.hpp"

namespace hanzo::hmm::actors {

namespace {

using self_ptr = tenant_actor::stateful_pointer<tenant_state>;

// Requests per router round trip; also bounds a changelog record to two runs of answers
// (~2.8 KB each; see maybe_write).
constexpr std::size_t kMaxRun = 128;

void pump(self_ptr self);

// Drops restored answers Kafka will not redeliver (behind the group's committed offset).
void prune_replay(tenant_state& st) {
  const auto committed = st.engine->committed.get(st.record.partition);
  if (committed >= 0 && !st.replay.empty())
    std::erase_if(st.replay, [&](const auto& a) { return a.offset >= 0 && a.offset < committed; });
}

// Encodes the state as a changelog record with the answers of `st.record.answers` (then
// cleared): `encode(record)` writes it where it is needed, without copies.
template <class Encode>
void encode_state(tenant_state& st, Encode&& encode) {
  auto cp = st.session->checkpoint();  // no rebase: checkpointing changes nothing the tenant does
  st.record.session = std::move(cp.state);
  st.record.progress = std::move(cp.progress);
  encode(std::as_const(st.record));
  st.record.session = {};
  st.record.progress = {};
  st.record.answers.clear();
}

// Writes the state to the changelog; the held decisions and the feedback applied since the
// last write become visible/committable once it is durable (Sink::produce_after).
void write_state(self_ptr self) {
  auto& st = self->state;
  ++st.record.sequence;
  kafka::Record r;
  encode_state(st, [&r](const daemon::TenantRecord& record) { record.encode_into(r.value); });
  r.topic = st.engine->config.topics.tenant_state;
  r.key = st.tenant;
  r.partition = st.record.partition;
  st.writes->started();
  // Weak: a record in flight does not keep an evicted tenant alive.
  auto durable = [addr = self->address(), writes = st.writes] {
    if (writes->finished())
      if (auto h = caf::actor_cast<tenant_actor>(addr)) caf::anon_send(h, written_atom::value);
  };
  st.engine->sink->produce_after(std::move(r), std::move(st.held), std::move(st.unwritten), std::move(durable));
  st.held.clear();
  st.unwritten.clear();
}

// Writes now unless a write is with Kafka: then its acknowledgement triggers the next one,
// which carries everything held meanwhile. A full record's worth of answers goes at once.
// Snapshots and evictions wait for nothing.
void maybe_write(self_ptr self) {
  auto& st = self->state;
  if (st.held.empty() && st.unwritten.empty()) return;
  if (st.held.size() >= kMaxRun || !st.snapshot_waiters.empty() || st.evict_requested || st.writes->idle_or_wait())
    write_state(self);
}

void finish_run(self_ptr self, RouteResult& result) {
  auto& st = self->state;
  auto run = std::move(st.in_flight);
  for (std::size_t i = 0; i < run->items.size() && i < result.decisions.size(); ++i) {
    auto& item = run->items[i];
    if (i < result.routed.size() && result.routed[i]) st.session->remember(item.request, item.part, *result.routed[i]);
    st.record.add({item.request.request_id, item.offset, result.decisions[i].value});
    st.record.requests_through = std::max(st.record.requests_through, item.offset);
    st.held.emplace_back(std::move(result.decisions[i]), item.token);
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
  Engine& e = *st.engine;
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

void answer_again(tenant_state& st, TenantItem& item) {
  Engine& e = *st.engine;
  const auto& req = std::get<routing::RoutingRequest>(item.body);
  if (const auto* a = daemon::TenantRecord::find(st.replay, req.request_id)) {
    kafka::Record r;
    r.topic = e.config.topics.decisions;
    r.key = st.tenant;
    r.value = daemon::mark_redelivered(a->decision);
    e.sink->produce(std::move(r), item.token);
    if (e.metrics) e.metrics->redelivered(daemon::Redelivery::answered);
  } else {
    // Not kept: its offset was committed, so its decision was delivered before.
    log_warning("tenant " + st.tenant + ": request " + req.request_id + " at offset " + std::to_string(item.offset) +
                " was decided before and its answer is no longer kept; not answered again");
    e.sink->done(item.token);
    if (e.metrics) e.metrics->redelivered(daemon::Redelivery::not_kept);
  }
}

void apply_feedback(tenant_state& st, TenantItem& item) {
  Engine& e = *st.engine;
  auto& fb = std::get<routing::Feedback>(item.body);
  if (item.offset >= 0 && item.offset <= st.record.feedback_through) {
    // Applied before a crash or rebalance (it is in the restored state): count it once.
    e.sink->done(item.token);
    if (e.metrics) e.metrics->redelivered(daemon::Redelivery::feedback_skipped);
    return;
  }
  if (auto r = st.session->feedback(fb, *e.router); !r)
    log_warning("tenant " + st.tenant + ": feedback " + fb.request_id + " ignored: " + r.error().to_string());
  st.record.feedback_through = std::max(st.record.feedback_through, item.offset);
  st.unwritten.push_back(item.token);
}

// Processes the backlog in order until it is empty or a run is with the router.
void pump(self_ptr self) {
  auto& st = self->state;
  while (!st.in_flight && !st.backlog.empty()) {
    if (!decode_front(st)) continue;
    TenantItem& front = st.backlog.front();
    if (front.partition >= 0) st.record.partition = front.partition;
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
    auto run = std::make_shared<RouteRun>();
    run->tenant = st.tenant;
    run->session = st.session;
    while (!st.backlog.empty() && run->items.size() < kMaxRun) {
      if (!decode_front(st)) continue;
      auto* req = std::get_if<routing::RoutingRequest>(&st.backlog.front().body);
      if (!req || redelivered(st, st.backlog.front())) break;
      RouteItem item;
      item.token = st.backlog.front().token;
      item.timestamp_ms = st.backlog.front().timestamp_ms;
      item.offset = st.backlog.front().offset;
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
        .then([self](RouteResult& result) { finish_run(self, result); },
              [self](const caf::error& err) {
                // The router is gone: answer every request of the run ourselves, so none is
                // left without a decision.
                auto& s = self->state;
                log_error("tenant " + s.tenant + ": router failed: " + self->system().render(err));
                RouteResult result;
                for (const auto& item : s.in_flight->items) {
                  result.routed.emplace_back();
                  result.decisions.push_back(
                      rejection_record(*s.engine, s.tenant, item, "internal error: router unavailable"));
                }
                finish_run(self, result);
              });
  }
  if (st.in_flight) return;
  maybe_write(self);
  if (!st.snapshot_waiters.empty()) {
    prune_replay(st);
    st.record.answers = st.replay;
    TenantState state{st.tenant, {}};
    encode_state(st, [&state](const daemon::TenantRecord& record) { state.bytes = record.encode(); });
    for (auto& rp : st.snapshot_waiters) rp.deliver(state);
    st.snapshot_waiters.clear();
  }
  if (st.evict_requested) {
    // Dormant in memory: the compact form (snapshot() rebases, progress dropped), ~1 KiB. The
    // changelog keeps the exact checkpoint of the last change.
    prune_replay(st);
    st.record.answers = std::move(st.replay);  // redeliveries may still come after its return
    st.record.session = st.session->snapshot();
    self->send(st.manager, TenantState{st.tenant, st.record.encode()});
    self->quit();
  }
}

}  // namespace

tenant_actor::behavior_type tenant(tenant_actor::stateful_pointer<tenant_state> self, std::shared_ptr<Engine> engine,
                                   std::string tenant, std::optional<std::vector<std::byte>> restore,
                                   router_actor router, tenant_manager_actor manager) {
  auto& st = self->state;
  st.engine = std::move(engine);
  st.tenant = std::move(tenant);
  st.router = std::move(router);
  st.manager = std::move(manager);
  if (restore) {
    auto record = daemon::TenantRecord::decode(*restore);
    auto s = record ? mm::TenantSession::restore(*st.engine->tenants, *st.engine->router, record->session)
                    : Result<mm::TenantSession>(record.error());
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
      [self](written_atom) { maybe_write(self); },
  };
}

}  // namespace hanzo::hmm::actors
