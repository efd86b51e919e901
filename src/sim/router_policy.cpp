// The router as a policy: per-tenant sessions, per-segment shared pools, and the ablation list.
#include "hanzo/hmm/mm/market_maker.hpp"
#include "hanzo/hmm/mm/tenant_session.hpp"
#include "hanzo/hmm/routing/router.hpp"
#include "hanzo/hmm/sim/policy.hpp"

namespace hanzo::hmm::sim {

namespace {

class RouterPolicy final : public Policy {
 public:
  RouterPolicy(std::string name, mm::Components parts, const World& world)
      : Policy(std::move(name)), parts_(std::move(parts)) {
    const std::size_t k = parts_.router->catalogue().models.size();
    for (std::size_t t = 0; t < world.spec().tenants; ++t) {
      names_.push_back(world.tenant_name(t));
      sessions_.emplace_back(*parts_.tenants);
    }
    pools_.assign(world.spec().segments.size(), routing::SharedOutcomes(k));
  }

  Result<std::size_t> choose(const Step& s) override {
    if (!snapshot_ || version_ != s.world.market_version()) {
      auto snap = parts_.router->prepare(mm::market_view(s.world.market().snapshot(), s.world.market()));
      if (!snap) return std::move(snap).error();
      snapshot_ = std::make_unique<routing::MarketSnapshot>(std::move(*snap));
      version_ = s.world.market_version();
    }
    const Request& r = s.request;
    mm::TenantSession& session = sessions_[r.tenant];
    if (auto ok = session.prepare(r.request, part_); !ok) return std::move(ok).error();
    const routing::TenantView view{names_[r.tenant], part_.regime_posterior, part_.regime, part_.habit};
    const routing::SharedOutcomes* pool = parts_.config.router.shared_base ? &pools_[r.segment] : nullptr;
    if (auto ok = parts_.router->decide_into(decision_, r.request, view, session.outcomes(), *snapshot_, pool); !ok)
      return std::move(ok).error();
    if (decision_.status != routing::Status::routed)
      return make_error(Errc::invalid_value, "router", "rejected " + r.request.request_id + ": " + decision_.reasoning);
    session.remember(r.request, part_, decision_.model_index);
    return decision_.model_index;
  }

  Result<void> observe(const Step& s, std::size_t model, const Outcome& o) override {
    const auto fb = s.world.feedback(s.request, model, o);
    if (auto ok = sessions_[s.request.tenant].feedback(fb, *parts_.router); !ok) return std::move(ok).error();
    if (parts_.config.router.shared_base)
      if (auto ok = parts_.router->observe_shared(fb, pools_[s.request.segment]); !ok) return ok;
    return {};
  }

 private:
  mm::Components parts_;
  std::vector<std::string> names_;
  std::vector<mm::TenantSession> sessions_;
  std::vector<routing::SharedOutcomes> pools_;
  std::unique_ptr<routing::MarketSnapshot> snapshot_;
  std::uint64_t version_{0};
  mm::TenantPart part_;
  routing::Decision decision_;
};

}  // namespace

Result<std::unique_ptr<Policy>> make_router(const World& world, std::string name, routing::RouterParams params) {
  mm::MarketMakerConfig config = world.spec().config;
  config.router = params;
  auto parts = mm::build_components(std::move(config));
  if (!parts) return std::move(parts).error();
  return std::unique_ptr<Policy>(std::make_unique<RouterPolicy>(std::move(name), std::move(*parts), world));
}

std::vector<std::pair<std::string, routing::RouterParams>> ablation_variants(const routing::RouterParams& full) {
  std::vector<std::pair<std::string, routing::RouterParams>> v;
  auto p = full;
  p.sample = false;
  v.emplace_back("router-no-sampling", p);
  p = full;
  p.forgetting = 0.0;
  p.shared_forgetting = 0.0;
  v.emplace_back("router-no-forgetting", p);
  p = full;
  p.shared_base = false;
  v.emplace_back("router-no-shared-base", p);
  p = full;
  p.habit_weight = 1.0;
  v.emplace_back("router-habit", p);
  p = full;
  p.sample = false;
  p.forgetting = 0.0;
  p.shared_forgetting = 0.0;
  p.shared_base = false;
  p.habit_weight = 1.0;
  v.emplace_back("router-before", p);
  return v;
}

}  // namespace hanzo::hmm::sim
