// A tenant's state in its two lives. The daemon keeps a DormantTenant (compact, no pointers) for
// every idle tenant and an ActiveTenant (working delta + live filter) for the few with traffic;
// conversions go both ways through the shared TenantContext.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "hanzo/hmm/tenant/bitdelta.hpp"
#include "hanzo/hmm/tenant/params.hpp"
#include "hanzo/hmm/tenant/regime.hpp"

namespace hanzo::hmm::tenant {

// Everything tenants share, held once: base weights, the regime model, learning parameters.
// Not copyable or movable: filters and adapters point into it, so it must outlive every tenant.
class TenantContext {
 public:
  static Result<std::unique_ptr<const TenantContext>> create(const TenantParams& params, BaseWeights base);
  TenantContext(const TenantContext&) = delete;
  TenantContext& operator=(const TenantContext&) = delete;

  const BaseWeights& base() const noexcept { return base_; }
  const GaussianHmm& regime_model() const noexcept { return model_; }
  const AdapterParams& adapter_params() const noexcept { return params_.adapter; }
  const TenantParams& params() const noexcept { return params_; }
  std::size_t models() const noexcept { return base_.models(); }
  std::size_t features() const noexcept { return base_.features(); }
  std::size_t signals() const noexcept { return model_.emission().dim(); }
  std::size_t regimes() const noexcept { return model_.num_states(); }

 private:
  TenantContext(TenantParams p, BaseWeights b, GaussianHmm m)
      : params_(std::move(p)), base_(std::move(b)), model_(std::move(m)) {}
  TenantParams params_;
  BaseWeights base_;
  GaussianHmm model_;
};

// What the daemon keeps for an idle tenant: the 1-bit adapter and the filter's exact state.
// Later versions add sections here (outcome counts, recent request ids) and to the snapshot.
struct DormantTenant {
  QuantizedDelta adapter;
  RegimeState regime;

  // Object plus heap (the adapter's block and the belief vector).
  std::size_t memory_bytes() const noexcept {
    return sizeof(*this) + (adapter.memory_bytes() - sizeof(adapter)) + regime.belief.capacity() * sizeof(double);
  }
};

class ActiveTenant {
 public:
  // A tenant never seen before: zero delta, belief = the regime model's initial distribution.
  explicit ActiveTenant(const TenantContext& ctx);
  // Wakes a dormant tenant (working delta rebuilt from the quantized one); errors if its sizes
  // do not fit ctx (a snapshot from a differently configured daemon).
  static Result<ActiveTenant> activate(const TenantContext& ctx, DormantTenant dormant);
  // decode_snapshot + activate.
  static Result<ActiveTenant> restore(const TenantContext& ctx, std::span<const std::byte> bytes);

  // Requantizes and rebases the working delta on the quantized one, then returns the compact
  // state. Both leave this tenant exactly as a copy restored from the result would be, so
  // evicting, checkpointing or crash-restoring never changes what the tenant does next.
  DormantTenant to_dormant();
  std::vector<std::byte> snapshot();
  // A checkpoint that changes nothing: the snapshot encoding of the current served state (no
  // rebase) plus the adapter's progress(); restore(bytes) then resume(progress) is a twin.
  std::vector<std::byte> snapshot_unchanged() const;
  std::vector<std::byte> progress() const { return adapter_.progress(); }
  Result<void> resume(std::span<const std::byte> progress) { return adapter_.resume(progress); }

  // One request's regime observations (see RegimeFilter::observe).
  Result<std::span<const double>> observe(const std::vector<double>& observations) {
    return regime_.observe(observations);
  }
  // Habit scores W_t x for the K models (the router's ln E(pi)).
  Result<void> scores(std::span<const float> x, std::span<float> out) const { return adapter_.scores(x, out); }
  Result<void> learn(std::size_t model, std::span<const float> x, double reward) {
    return adapter_.learn(model, x, reward);
  }

  const BitDeltaAdapter& adapter() const noexcept { return adapter_; }
  const RegimeFilter& regime() const noexcept { return regime_; }
  const TenantContext& context() const noexcept { return *ctx_; }

  // Bytes this tenant owns (shared context excluded).
  std::size_t memory_bytes() const noexcept {
    return sizeof(*this) + (adapter_.memory_bytes() - sizeof(adapter_)) + (regime_.memory_bytes() - sizeof(regime_));
  }

 private:
  ActiveTenant(const TenantContext& ctx, BitDeltaAdapter a) : ctx_(&ctx), adapter_(std::move(a)), regime_(ctx.regime_model()) {}
  const TenantContext* ctx_;
  BitDeltaAdapter adapter_;
  RegimeFilter regime_;
};

}  // namespace hanzo::hmm::tenant
