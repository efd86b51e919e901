// The tenant actor: one per active tenant (see actors.hpp for its interface).
#pragma once
#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include "actors.hpp"
#include "engine.hpp"
#include "hanzo/hmm/daemon/tenant_record.hpp"

namespace hanzo::hmm::actors {

// A tenant's state records with Kafka, shared with their delivery callbacks. While one is in
// flight the next waits (group commit); only the acknowledgement that ends such a wait messages
// the tenant, so a tenant that is not waiting costs its delivering thread no actor message.
class WriteGate {
 public:
  void started() noexcept { state_.fetch_add(1, std::memory_order_acq_rel); }
  // Tenant: true if no record is in flight (write now); otherwise false, and the last
  // acknowledgement of those in flight will wake the tenant (finished() returns true).
  bool idle_or_wait() noexcept {
    auto s = state_.load(std::memory_order_acquire);
    for (;;) {
      if ((s & ~kWaiting) == 0) return true;
      if ((s & kWaiting) || state_.compare_exchange_weak(s, s | kWaiting, std::memory_order_acq_rel)) return false;
    }
  }
  // Delivering thread, once per started(): true if the tenant waits for this acknowledgement.
  bool finished() noexcept {
    auto s = state_.load(std::memory_order_acquire);
    for (;;) {
      const bool last = (s & ~kWaiting) == 1;
      const auto next = last ? 0 : s - 1;
      if (state_.compare_exchange_weak(s, next, std::memory_order_acq_rel)) return last && (s & kWaiting);
    }
  }
  std::uint32_t in_flight() const noexcept { return state_.load(std::memory_order_acquire) & ~kWaiting; }
 private:
  static constexpr std::uint32_t kWaiting = std::uint32_t{1} << 31;
  std::atomic<std::uint32_t> state_{0};  // records in flight, and kWaiting
};

struct tenant_state {
  static inline const char* name = "hanzo.tenant";
  std::shared_ptr<Engine> engine;
  std::string tenant;
  std::shared_ptr<mm::TenantSession> session;
  daemon::TenantRecord record;  // changelog bookkeeping; session/progress/answers filled per write
  // Answers restored from the changelog and not yet committed: what redeliveries are answered
  // from. Never written again (the records that brought them are still in the changelog).
  std::vector<daemon::TenantRecord::Answer> replay;
  std::vector<std::uint64_t> unwritten;       // feedback applied, waiting for the next state write
  // Decisions waiting for the next state write. While one is with Kafka the next waits for its
  // acknowledgement (group commit): under load a record covers several runs, at low load each
  // run is written at once.
  std::vector<std::pair<kafka::Record, std::uint64_t>> held;
  std::shared_ptr<WriteGate> writes = std::make_shared<WriteGate>();
  router_actor router;
  tenant_manager_actor manager;
  std::deque<TenantItem> backlog;             // received, not yet processed
  std::shared_ptr<RouteRun> in_flight;        // the run with the router, if any
  std::vector<caf::typed_response_promise<TenantState>> snapshot_waiters;
  bool evict_requested{false};
};

// `restore`: the tenant's state (a daemon::TenantRecord) when it comes back from dormancy or
// the changelog (corrupt bytes are reported and the tenant starts afresh rather than taking
// the daemon down).
tenant_actor::behavior_type tenant(tenant_actor::stateful_pointer<tenant_state> self, std::shared_ptr<Engine> engine,
                                   std::string tenant, std::optional<std::vector<std::byte>> restore,
                                   router_actor router, tenant_manager_actor manager);

}  // namespace hanzo::hmm::actors
