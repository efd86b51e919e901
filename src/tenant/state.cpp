#include "hanzo/hmm/tenant/state.hpp"

#include <string>

#include "hanzo/hmm/tenant/snapshot.hpp"

namespace hanzo::hmm::tenant {

Result<std::unique_ptr<const TenantContext>> TenantContext::create(const TenantParams& params, BaseWeights base) {
  if (auto ok = params.adapter.validate(); !ok) return std::move(ok).error();
  auto model = make_regime_model(params.regime);
  if (!model) return std::move(model).error();
  return std::unique_ptr<const TenantContext>(new TenantContext(params, std::move(base), std::move(*model)));
}

ActiveTenant::ActiveTenant(const TenantContext& ctx)
    : ActiveTenant(ctx, BitDeltaAdapter(ctx.base(), ctx.adapter_params())) {}

Result<ActiveTenant> ActiveTenant::activate(const TenantContext& ctx, DormantTenant dormant) {
  auto adapter = BitDeltaAdapter::from_quantized(ctx.base(), ctx.adapter_params(), std::move(dormant.adapter));
  if (!adapter) return std::move(adapter).error();
  ActiveTenant t(ctx, std::move(*adapter));
  if (auto ok = t.regime_.restore(dormant.regime); !ok) return std::move(std::move(ok).error().within("regime"));
  return t;
}

Result<ActiveTenant> ActiveTenant::restore(const TenantContext& ctx, std::span<const std::byte> bytes) {
  auto d = decode_snapshot(bytes);
  if (!d) return std::move(d).error();
  return activate(ctx, std::move(*d));
}

DormantTenant ActiveTenant::to_dormant() {
  adapter_.rebase();
  return DormantTenant{adapter_.quantized(), regime_.state()};
}

std::vector<std::byte> ActiveTenant::snapshot_unchanged() const {
  return encode_snapshot(adapter_.quantized(), regime_.state());
}

std::vector<std::byte> ActiveTenant::snapshot() {
  adapter_.rebase();
  return encode_snapshot(adapter_.quantized(), regime_.state());
}

}  // namespace hanzo::hmm::tenant
