// When a tenant's state record may go to the changelog, shared between the tenant actor and
// the delivery callbacks (no CAF). A record may be produced once (a) the tenant's previous
// record is acknowledged (one in flight: a delta patches the record before it, so they must
// land in order, and a record's inputs are acknowledged only when everything before it is
// durable) and (b) every decision the record covers is acknowledged: a durable state then
// always has its answers in the decisions topic, where a redelivered request finds them.
// Decisions are produced at once; only the state record waits.
//
// Only the acknowledgement that ends a wait calls wake(), so a tenant that is not waiting costs
// the delivering thread no actor message. Reference-counted by hand: records in flight keep it
// alive after the tenant actor is gone (their delivery reports still arrive).
#pragma once
#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <utility>

namespace hanzo::hmm::actors {

class WriteGate {
 public:
  explicit WriteGate(std::function<void()> wake) : wake_(std::move(wake)) {}

  // Tenant: true if a record covering the first `decisions` decisions may be produced now.
  // Otherwise false, and wake() runs (once) when it may. ready_or_wait(0) waits only for the
  // record in flight.
  bool ready_or_wait(std::uint64_t decisions) {
    std::lock_guard lock(mutex_);
    if (!state_in_flight_ && acked_ >= decisions) {
      waiting_ = false;
      return true;
    }
    need_ = decisions;
    waiting_ = true;
    return false;
  }
  void state_started() {
    std::lock_guard lock(mutex_);
    state_in_flight_ = true;
  }
  bool state_in_flight() const {
    std::lock_guard lock(mutex_);
    return state_in_flight_;
  }

  // Delivering thread.
  void decision_acked() { settle([this] { ++acked_; }); }
  void state_acked() { settle([this] { state_in_flight_ = false; }); }

  // Intrusive count: one for the tenant, one per record in flight.
  void retain() noexcept { refs_.fetch_add(1, std::memory_order_relaxed); }
  static void release(WriteGate* g) noexcept {
    if (g->refs_.fetch_sub(1, std::memory_order_acq_rel) == 1) delete g;
  }

 private:
  template <class Change>
  void settle(Change change) {
    bool wake = false;
    {
      std::lock_guard lock(mutex_);
      change();
      if (waiting_ && !state_in_flight_ && acked_ >= need_) {
        waiting_ = false;
        wake = true;
      }
    }
    if (wake && wake_) wake_();
  }

  std::function<void()> wake_;
  mutable std::mutex mutex_;
  std::uint64_t acked_{0};  // decisions acknowledged
  std::uint64_t need_{0};
  bool state_in_flight_{false};
  bool waiting_{false};
  std::atomic<std::uint32_t> refs_{1};
};

// The tenant's reference.
class GateRef {
 public:
  GateRef() = default;
  explicit GateRef(WriteGate* g) noexcept : g_(g) {}
  GateRef(GateRef&& o) noexcept : g_(std::exchange(o.g_, nullptr)) {}
  GateRef& operator=(GateRef&& o) noexcept {
    if (this != &o) reset(), g_ = std::exchange(o.g_, nullptr);
    return *this;
  }
  ~GateRef() { reset(); }
  WriteGate* operator->() const noexcept { return g_; }
  WriteGate& operator*() const noexcept { return *g_; }
  WriteGate* get() const noexcept { return g_; }
  explicit operator bool() const noexcept { return g_ != nullptr; }
  void reset() noexcept {
    if (g_) WriteGate::release(std::exchange(g_, nullptr));
  }

 private:
  WriteGate* g_{nullptr};
};

}  // namespace hanzo::hmm::actors
