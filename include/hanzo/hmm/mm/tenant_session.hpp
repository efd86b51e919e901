// One tenant's whole state as the MarketMaker (and a daemon tenant actor) holds it: the BitDelta
// adapter and regime filter (tenant layer), the tenant's outcome counts (routing layer), and a
// bounded window of recent decisions so that feedback can train the adapter on the features of
// the request it answers, once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hanzo/hmm/routing/features.hpp"
#include "hanzo/hmm/routing/outcomes.hpp"
#include "hanzo/hmm/routing/router.hpp"
#include "hanzo/hmm/tenant/state.hpp"

namespace hanzo::hmm::mm {

// What routing needs from the tenant for one request (filled by TenantSession::prepare).
struct TenantPart {
  std::array<double, routing::kTenantRegimes> regime_posterior{};
  std::string_view regime;
  std::array<float, routing::kFeatures> x{};
  std::vector<double> habit;  // K ln-habit scores
};

struct FeedbackEffect {
  bool counted{false};  // outcome counts updated
  bool learned{false};  // adapter trained (the request was in the window and not yet answered)
  bool duplicate{false};
};

class TenantSession {
 public:
  explicit TenantSession(const tenant::TenantContext& ctx) : tenant_(ctx) {}

  // Folds the request's observations into the regime filter (empty: one-step prediction; wrong
  // length: error, state unchanged) and computes features and habit scores.
  Result<void> prepare(const routing::RoutingRequest& request, TenantPart& out);
  // The tenant's current regime belief (no observation folded in): what a rejected decision
  // reports, since a request that could not be prepared leaves the filter unchanged.
  void current_regime(TenantPart& out) const;
  // Remembers a routed decision so feedback can find it.
  void remember(const routing::RoutingRequest& request, const TenantPart& part, std::size_t model_index);
  // Counts the outcome and, for a remembered request answered for the first time, trains the
  // adapter with reward(feedback, preferences). A second feedback for a request is ignored.
  Result<FeedbackEffect> feedback(const routing::Feedback& fb, const routing::Router& router);

  // "HZMM" v3: u32 length + tenant snapshot (adapter, regime filter) + u32 length + outcome
  // counts + u32 length + the decision window in ring order (so feedback after an eviction or a
  // restart still trains once). restore() also reads v2 (window oldest first) and v1 (none).
  std::vector<std::byte> snapshot();
  // The daemon's changelog checkpoint: snapshot() without its rebase, plus the adapter's
  // learning progress. restore(state) then resume(progress) gives a twin, so checkpointing
  // after every message changes nothing the tenant does (unlike snapshot()).
  struct Checkpoint {
    std::vector<std::byte> state;
    std::vector<std::byte> progress;
  };
  Checkpoint checkpoint() const;
  Result<void> resume(std::span<const std::byte> progress) { return tenant_.resume(progress); }
  static Result<TenantSession> restore(const tenant::TenantContext& ctx, const routing::Router& router,
                                       std::span<const std::byte> bytes);

  const tenant::ActiveTenant& tenant() const noexcept { return tenant_; }
  const routing::TenantOutcomes& outcomes() const noexcept { return outcomes_; }
  std::size_t memory_bytes() const noexcept;

 private:
  struct Pending {
    std::string request_id;
    std::size_t model{0};
    std::array<float, routing::kFeatures> x{};
    routing::Preferences preferences;
    bool answered{false};
  };
  std::size_t window_bytes() const noexcept;
  std::byte* encode_window(std::byte* out) const;  // writes window_bytes(); returns the end
  // `ring`: v3 (ring order with the oldest entry's index); else oldest first.
  Result<void> decode_window(std::span<const std::byte> bytes, std::size_t models, bool ring);
  TenantSession(tenant::ActiveTenant t, routing::TenantOutcomes o) : tenant_(std::move(t)), outcomes_(std::move(o)) {}

  std::size_t window_cap() const noexcept { return tenant_.context().params().feedback_window; }

  tenant::ActiveTenant tenant_;
  routing::TenantOutcomes outcomes_;
  std::vector<Pending> window_;  // ring, at most window_cap() (tenants.feedback_window)
  std::size_t next_{0};
};

}  // namespace hanzo::hmm::mm
