#include "tenant.hpp"

#include <iostream>

#include "hanzo/hmm/daemon/metrics.hpp"
#include "log.hpp"
#include "output.hpp"
#include "hanzo/hmm/wire/request.hpp"

namespace hanzo::hmm::actors {

namespace {

using self_ptr = tenant_actor::stateful_pointer<tenant_state>;

constexpr std::size_t kMaxRun = 256;  // requests per router round trip

void pump(self_ptr self);

void finish_run(self_ptr self, const std::vector<std::optional<std::size_t>>& routed) {
  auto& st = self->state;
  auto run = std::move(st.in_flight);
  for (std::size_t i = 0; i < run->items.size() && i < routed.size(); ++i)
    if (routed[i]) st.session->remember(run->items[i].request, run->items[i].part, *routed[i]);
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

// Processes the backlog in order until it is empty or a run is with the router.
void pump(self_ptr self) {
  auto& st = self->state;
  Engine& e = *st.engine;
  while (!st.in_flight && !st.backlog.empty()) {
    if (!decode_front(st)) continue;
    if (auto* fb = std::get_if<routing::Feedback>(&st.backlog.front().body)) {
      if (auto r = st.session->feedback(*fb, *e.router); !r)
        log_warning("tenant " + st.tenant + ": feedback " + fb->request_id + " ignored: " + r.error().to_string());
      e.sink->done(st.backlog.front().token);
      st.backlog.pop_front();
      continue;
    }
    auto run = std::make_shared<RouteRun>();
    run->tenant = st.tenant;
    run->session = st.session;
    while (!st.backlog.empty() && run->items.size() < kMaxRun) {
      if (!decode_front(st)) continue;
      auto* req = std::get_if<routing::RoutingRequest>(&st.backlog.front().body);
      if (!req) break;
      RouteItem item;
      item.token = st.backlog.front().token;
      item.timestamp_ms = st.backlog.front().timestamp_ms;
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
        .then([self](const RouteResult& result) { finish_run(self, result.routed); },
              [self](const caf::error& err) {
                // The router is gone: answer every request of the run ourselves, so none is
                // left without a decision.
                auto& s = self->state;
                log_error("tenant " + s.tenant + ": router failed: " + self->system().render(err));
                for (const auto& item : s.in_flight->items)
                  produce_rejection(*s.engine, s.tenant, item, "internal error: router unavailable");
                finish_run(self, {});
              });
  }
  if (st.in_flight) return;
  if (!st.snapshot_waiters.empty()) {
    TenantState state{st.tenant, st.session->snapshot()};
    for (auto& rp : st.snapshot_waiters) rp.deliver(state);
    st.snapshot_waiters.clear();
  }
  if (st.evict_requested) {
    self->send(st.manager, TenantState{st.tenant, st.session->snapshot()});
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
    auto s = mm::TenantSession::restore(*st.engine->tenants, *st.engine->router, *restore);
    if (s)
      st.session = std::make_shared<mm::TenantSession>(std::move(*s));
    else
      log_error("tenant " + st.tenant + ": stored state unreadable, starting afresh: " + s.error().to_string());
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
  };
}

}  // namespace hanzo::hmm::actors
