// The tenant manager (see actors.hpp): tenant id → tenant actor, with LRU and idle eviction.
#pragma once
#include <cstdint>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include <caf/typed_event_based_actor.hpp>

#include "actors.hpp"
#include "engine.hpp"

namespace hanzo::hmm::actors {

struct tenant_manager_state {
  static inline const char* name = "hanzo.tenant-manager";
  using Clock = std::chrono::steady_clock;
  struct Resident {
    tenant_actor actor;
    std::list<std::string>::iterator lru;  // position in `lru`
    Clock::time_point last_used;
    std::int32_t partition{-1};            // home partition (of its latest item)
  };
  std::shared_ptr<const Engine> engine;
  std::vector<router_actor> routers;
  std::unordered_map<std::string, Resident> resident;
  std::list<std::string> lru;  // most recently used first
  // Evicted or restored tenants' state (daemon::TenantRecord bytes, one allocation each). The
  // same state is in the changelog; this copy spares a read on the tenant's next message.
  std::unordered_map<std::string, std::vector<std::byte>> dormant;
  // Dormant tenants whose record still carries answers: the sweep drops the answers once
  // their offsets are committed, so a dormant tenant costs its state only.
  std::vector<std::string> dormant_with_answers;
  // Tenants whose actor is handing over its state; their new items wait here. The handle keeps
  // the actor alive meanwhile: it may still wait for Kafka to acknowledge its last decisions
  // before its last state record can go (an actor with no strong reference is destroyed).
  struct Evicting {
    tenant_actor actor;
    std::vector<TenantItem> items;
  };
  std::unordered_map<std::string, Evicting> evicting;
  std::uint64_t evictions{0};
  std::uint64_t evictions_at_last_trim{0};
  std::uint64_t spawned{0};
  bool sweeping{false};
};

// `routers` must be non-empty. With `sweep_interval` zero no idle sweep is scheduled (tests send
// sweep_atom themselves).
tenant_manager_actor::behavior_type tenant_manager(tenant_manager_actor::stateful_pointer<tenant_manager_state> self,
                                                   std::shared_ptr<const Engine> engine, std::vector<router_actor> routers,
                                                   std::chrono::milliseconds sweep_interval);

}  // namespace hanzo::hmm::actors
