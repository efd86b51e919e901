// The shared base of router.shared_base in the daemon: outcome counts pooled over the tenants of
// one group (tenant ids equal up to the last daemon.shared_pool_separator: "chat-17" and
// "chat-3" share "chat"), fed by every member's feedback and added to each member's own counts
// when it is routed. No CAF: tenant actors write a pool on feedback, router actors read it.
//
// A pool is a learned prior, not state: it is not in the changelog, so after a restart or a
// rebalance it learns again from the feedback that follows (a tenant's own counts are restored).
// Its order of updates across tenants follows the actors' scheduling, so with pools on a decision
// depends on what other tenants reported just before; redelivered requests still get their first
// answer byte-identical (from the answer log).
#pragma once
#include <cstddef>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "hanzo/hmm/routing/outcomes.hpp"

namespace hanzo::hmm::actors {

struct SharedPool {
  explicit SharedPool(std::size_t models) : outcomes(models) {}
  std::shared_mutex mutex;  // readers: routers deciding; writer: a member's feedback
  routing::SharedOutcomes outcomes;
};

class SharedPools {
 public:
  using Pool = SharedPool;
  // Past this many groups every new one shares the fleet-wide pool (tenant ids are unbounded).
  static constexpr std::size_t kMaxPools = 1024;

  // Off (of() returns nullptr) unless `enabled`.
  SharedPools(bool enabled, std::size_t models, std::string separator);

  // The pool of `tenant`'s group, created on first use; stable for the pools' lifetime.
  Pool* of(std::string_view tenant);
  // The group name: the id up to the last separator (the whole id if it has none; "" = fleet).
  static std::string_view group_of(std::string_view tenant, std::string_view separator) noexcept;
  std::size_t size() const;

 private:
  bool enabled_;
  std::size_t models_;
  std::string separator_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, std::unique_ptr<Pool>> pools_;
};

}  // namespace hanzo::hmm::actors
