#include "tenant_manager.hpp"

#include <malloc.h>

#include <functional>

#include <algorithm>

#include "hanzo/hmm/daemon/metrics.hpp"
#include "hanzo/hmm/daemon/tenant_record.hpp"
#include "log.hpp"
#include "tenant.hpp"

namespace hanzo::hmm::actors {

namespace {

using self_ptr = tenant_manager_actor::stateful_pointer<tenant_manager_state>;
using Clock = tenant_manager_state::Clock;

void report(tenant_manager_state& st) {
  if (st.engine->metrics) st.engine->metrics->tenant_actors(st.resident.size());
}

void evict(self_ptr self, std::string id) {  // by value: `id` may live in the erased LRU node
  auto& st = self->state;
  auto it = st.resident.find(id);
  if (it == st.resident.end()) return;
  self->send(it->second.actor, evict_atom::value);
  st.evicting.try_emplace(id, tenant_manager_state::Evicting{std::move(it->second.actor), {}});
  st.lru.erase(it->second.lru);
  st.resident.erase(it);
  ++st.evictions;
  if (st.engine->metrics) st.engine->metrics->tenant_evicted();
}

tenant_actor& spawn_tenant(self_ptr self, const std::string& id) {
  auto& st = self->state;
  std::optional<std::vector<std::byte>> restore;
  if (auto d = st.dormant.find(id); d != st.dormant.end()) {
    restore = std::move(d->second);
    st.dormant.erase(d);
  }
  const auto& router = st.routers[std::hash<std::string>{}(id) % st.routers.size()];
  auto actor = self->spawn<caf::monitored>(tenant, st.engine, id, std::move(restore), router,
                           caf::actor_cast<tenant_manager_actor>(self));
  st.lru.push_front(id);
  auto [it, _] = st.resident.emplace(id, tenant_manager_state::Resident{actor, st.lru.begin(), Clock::now()});
  ++st.spawned;
  // Over the cap: the least recently used other tenant goes dormant.
  while (st.resident.size() > st.engine->config.max_resident_tenants && st.lru.size() > 1)
    evict(self, st.lru.back());
  return it->second.actor;
}

void deliver(self_ptr self, TenantBatch& batch, tenant_manager_state::Clock::time_point now) {
  auto& st = self->state;
  if (auto ev = st.evicting.find(batch.tenant); ev != st.evicting.end()) {
    for (auto& item : batch.items) ev->second.items.push_back(std::move(item));
    return;
  }
  auto it = st.resident.find(batch.tenant);
  if (it == st.resident.end()) {
    spawn_tenant(self, batch.tenant);
    it = st.resident.find(batch.tenant);
  } else {
    st.lru.splice(st.lru.begin(), st.lru, it->second.lru);
  }
  it->second.last_used = now;
  for (const auto& item : batch.items)
    if (item.partition >= 0) it->second.partition = item.partition;
  self->send(it->second.actor, std::move(batch));
}

// Stores a dormant state; remembers it for the sweep if it still carries answers.
void make_dormant(tenant_manager_state& st, const std::string& id, std::vector<std::byte> bytes) {
  const auto head = daemon::TenantRecord::peek(bytes);
  if (head && head->answers > 0) st.dormant_with_answers.push_back(id);
  st.dormant.insert_or_assign(id, std::move(bytes));
}

// Drops answers whose offsets are committed from dormant records (memory only: the changelog
// copy is rewritten by the tenant's next state change).
void prune_dormant(tenant_manager_state& st) {
  std::erase_if(st.dormant_with_answers, [&](const std::string& id) {
    auto d = st.dormant.find(id);
    if (d == st.dormant.end()) return true;
    auto record = daemon::TenantRecord::decode(d->second);
    if (!record) return true;
    const auto before = record->answers.size();
    record->prune(st.engine->committed.get(record->partition));
    if (record->answers.size() != before) d->second = record->encode();
    return record->answers.empty();
  });
}

std::uint64_t drop_partitions(tenant_manager_state& st, const std::vector<std::int32_t>& partitions) {
  auto listed = [&](std::int32_t p) { return std::find(partitions.begin(), partitions.end(), p) != partitions.end(); };
  std::uint64_t dropped = 0;
  for (auto it = st.resident.begin(); it != st.resident.end();) {
    if (!listed(it->second.partition)) {
      ++it;
      continue;
    }
    caf::anon_send_exit(it->second.actor, caf::exit_reason::user_shutdown);
    st.lru.erase(it->second.lru);
    it = st.resident.erase(it);
    ++dropped;
  }
  for (auto it = st.dormant.begin(); it != st.dormant.end();) {
    const auto head = daemon::TenantRecord::peek(it->second);
    if (head && listed(head->partition)) {
      it = st.dormant.erase(it);
      ++dropped;
    } else {
      ++it;
    }
  }
  return dropped;
}

}  // namespace

tenant_manager_actor::behavior_type tenant_manager(self_ptr self, std::shared_ptr<const Engine> engine,
                                                   std::vector<router_actor> routers,
                                                   std::chrono::milliseconds sweep_interval) {
  self->state.engine = std::move(engine);
  self->state.routers = std::move(routers);
  if (sweep_interval.count() > 0) self->delayed_send(self, sweep_interval, sweep_atom::value);
  // Tenant actors are not linked (one failing must not take the manager down), so the manager
  // passes its own exit on to them: nothing outlives the actor system's shutdown.
  // A tenant actor that failed (not one that quit after an eviction) is forgotten, so its next
  // message starts it again from its last dormant state, if any.
  self->set_down_handler([self](caf::down_msg& msg) {
    if (!msg.reason) return;
    auto& st = self->state;
    for (auto it = st.resident.begin(); it != st.resident.end(); ++it)
      if (it->second.actor.address() == msg.source) {
        log_error("tenant " + it->first + " failed: " + self->system().render(msg.reason));
        st.lru.erase(it->second.lru);
        st.resident.erase(it);
        return;
      }
    for (auto it = st.evicting.begin(); it != st.evicting.end(); ++it)
      if (it->second.actor.address() == msg.source) {
        // It failed while handing over: what waited for it goes to a new actor (from its last
        // dormant state, if any), so no item is left unanswered.
        log_error("tenant " + it->first + " failed during its eviction: " + self->system().render(msg.reason));
        TenantBatch batch{it->first, std::move(it->second.items)};
        st.evicting.erase(it);
        if (!batch.items.empty()) deliver(self, batch, tenant_manager_state::Clock::now());
        return;
      }
  });
  self->set_exit_handler([self](caf::exit_msg& msg) {
    for (auto& [id, r] : self->state.resident) self->send_exit(r.actor, msg.reason);
    for (auto& [id, e] : self->state.evicting) self->send_exit(e.actor, msg.reason);
    self->quit(msg.reason);
  });
  return {
      [self](IngestBatch& batch) {
        const auto now = tenant_manager_state::Clock::now();
        for (auto& t : batch.tenants) deliver(self, t, now);
        report(self->state);
      },
      [self](TenantState& state) {
        auto& st = self->state;
        auto pending = st.evicting.find(state.tenant);
        if (pending == st.evicting.end()) {
          log_error("tenant manager: state of " + state.tenant + " arrived without an eviction");
          return;
        }
        std::vector<TenantItem> items = std::move(pending->second.items);
        st.evicting.erase(pending);
        make_dormant(st, state.tenant, std::move(state.bytes));
        if (!items.empty()) {
          // Items arrived during the handover: bring the tenant back with its state.
          TenantBatch batch{state.tenant, std::move(items)};
          deliver(self, batch, tenant_manager_state::Clock::now());
        }
        report(st);
      },
      [self](RestoredStates& restored) {
        auto& st = self->state;
        for (auto& s : restored.states)
          if (!st.resident.count(s.tenant) && !st.evicting.count(s.tenant))
            make_dormant(st, s.tenant, std::move(s.bytes));
      },
      [self](drop_atom, const std::vector<std::int32_t>& partitions) {
        auto& st = self->state;
        const auto n = drop_partitions(st, partitions);
        report(st);
        log_info("dropped " + std::to_string(n) + " tenants of revoked partitions");
      },
      [self, sweep_interval](sweep_atom) {
        auto& st = self->state;
        prune_dormant(st);
        const auto idle = std::chrono::duration_cast<tenant_manager_state::Clock::duration>(
            std::chrono::duration<double>(st.engine->config.tenant_idle_seconds));
        const auto now = tenant_manager_state::Clock::now();
        while (!st.lru.empty()) {
          const auto& id = st.lru.back();
          if (now - st.resident.at(id).last_used < idle) break;
          evict(self, id);
        }
        report(st);
        // Evictions free actor state in many small blocks that glibc keeps mapped; hand whole
        // free pages back so resident memory tracks what the dormant tenants really take.
        if (st.evictions != st.evictions_at_last_trim) {
          st.evictions_at_last_trim = st.evictions;
          malloc_trim(0);
        }
        if (sweep_interval.count() > 0) self->delayed_send(self, sweep_interval, sweep_atom::value);
      },
      [self](snapshot_atom, const std::string& id) -> caf::result<TenantState> {
        auto& st = self->state;
        if (auto it = st.resident.find(id); it != st.resident.end())
          return self->delegate(it->second.actor, snapshot_atom::value);
        if (auto d = st.dormant.find(id); d != st.dormant.end()) return TenantState{id, d->second};
        if (st.evicting.count(id)) return caf::make_error(caf::sec::request_timeout, "tenant is being evicted: retry");
        return caf::make_error(caf::sec::invalid_argument, "unknown tenant " + id);
      },
      [self](status_atom) -> ManagerStatus {
        auto& st = self->state;
        return {st.resident.size(), st.dormant.size(), st.evictions, st.spawned};
      },
  };
}

}  // namespace hanzo::hmm::actors
