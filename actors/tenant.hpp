// The tenant actor: one per active tenant (see actors.hpp for its interface).
#pragma once
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor_clock.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors.hpp"
#include "engine.hpp"
#include "hanzo/hmm/daemon/state_frame.hpp"
#include "hanzo/hmm/daemon/tenant_record.hpp"
#include "write_gate.hpp"

namespace hanzo::hmm::actors {

struct tenant_state {
  static inline const char* name = "hanzo.tenant";
  std::shared_ptr<const Engine> engine;
  std::string tenant;
  std::shared_ptr<mm::TenantSession> session;
  daemon::TenantRecord record;  // bookkeeping (sequence, partition, offsets applied); no answers
  // Answers a restore found in the decisions topic for requests not yet committed, by offset:
  // what redeliveries are answered from.
  std::vector<daemon::TenantRecord::Answer> replay;
  daemon::StateWriter writer{1};
  GateRef gate;
  std::uint64_t decisions{0};           // produced so far, each counted on the gate
  std::vector<std::uint64_t> covered;   // inputs applied since the last state record was encoded
  // The next state record, encoded when the previous one was acknowledged and waiting for the
  // decisions it covers (write_gate.hpp).
  struct Pending {
    kafka::Record record;
    std::vector<std::uint64_t> covered;
    std::uint64_t decisions{0};
    bool full{false};
  };
  std::optional<Pending> pending;
  std::int32_t decisions_partition{-1};
  SharedPool* pool{nullptr};  // its group's pool when router.shared_base is on
  router_actor router;
  tenant_manager_actor manager;
  std::deque<TenantItem> backlog;             // received, not yet processed
  std::shared_ptr<RouteRun> in_flight;        // the run with the router, if any
  std::vector<caf::typed_response_promise<TenantState>> snapshot_waiters;
  bool evict_requested{false};
  // At most one state record per interval (daemon.state_interval_seconds; zero under
  // exactly_once): when the next is not yet due, a wake-up is scheduled for when it is.
  caf::actor_clock::duration_type state_interval{};
  caf::actor_clock::time_point last_record{caf::actor_clock::time_point::min()};  // the first is due at once
  bool wake_scheduled{false};
};

// `restore`: the tenant's state (a daemon::TenantRecord) when it comes back from dormancy or
// the changelog (corrupt bytes are reported and the tenant starts afresh rather than taking
// the daemon down).
tenant_actor::behavior_type tenant(tenant_actor::stateful_pointer<tenant_state> self, std::shared_ptr<const Engine> engine,
                                   std::string tenant, std::optional<std::vector<std::byte>> restore,
                                   router_actor router, tenant_manager_actor manager);

}  // namespace hanzo::hmm::actors
