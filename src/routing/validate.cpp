// validate() of the parameter, request, feedback and view structs. Every error names its key path.
#include <cmath>

#include "hanzo/hmm/routing/decision.hpp"
#include "hanzo/hmm/routing/params.hpp"
#include "hanzo/hmm/routing/types.hpp"
#include "maths.hpp"

namespace hanzo::hmm::routing {

using detail::finite_non_negative;
using detail::finite_positive;

namespace {

Error bad(std::string where, std::string message) {
  return make_error(Errc::invalid_value, std::move(where), std::move(message));
}

Result<void> increasing(const std::array<double, 3>& e, const std::string& key, double lo, double hi) {
  for (std::size_t i = 0; i < e.size(); ++i) {
    const std::string at = key + "[" + std::to_string(i) + "]";
    if (!std::isfinite(e[i]) || e[i] <= lo || e[i] >= hi) return bad(at, "out of range");
    if (i > 0 && e[i] <= e[i - 1]) return bad(at, "edges must be strictly increasing");
  }
  return {};
}

// A probability vector from another layer: entries in [0, 1], sum 1 within 1e-6.
// `key` is a C string so that the success path (every decision) builds no std::string.
template <std::size_t N>
Result<void> posterior(const std::array<double, N>& p, const char* key) {
  double s = 0.0;
  for (std::size_t i = 0; i < N; ++i) {
    if (!(p[i] >= 0.0 && p[i] <= 1.0))
      return make_error(Errc::invalid_probability, std::string(key) + "[" + std::to_string(i) + "]", "must be in [0, 1]");
    s += p[i];
  }
  if (std::abs(s - 1.0) > 1e-6) return make_error(Errc::not_normalised, key, "must sum to 1");
  return {};
}

Result<void> regime(const RegimeParams& r, const std::string& key) {
  if (!finite_positive(r.gamma)) return bad(key + ".gamma", "must be finite and > 0");
  const double w[] = {r.latency, r.cost, r.quality, r.success};
  for (std::size_t m = 0; m < kModalities; ++m)
    if (!finite_non_negative(w[m])) return bad(key + "." + to_string(static_cast<Modality>(m)), "must be finite and >= 0");
  if (w[0] + w[1] + w[2] + w[3] <= 0.0) return bad(key, "modality weights must not all be 0");
  return {};
}

Result<void> effect(const MarketEffect& e, const std::string& key) {
  if (!finite_positive(e.latency_stretch)) return bad(key + ".latency_stretch", "must be finite and > 0");
  if (!finite_positive(e.latency_sigma_scale)) return bad(key + ".latency_sigma_scale", "must be finite and > 0");
  if (!finite_positive(e.failure_multiplier)) return bad(key + ".failure_multiplier", "must be finite and > 0");
  return {};
}

}  // namespace

const char* to_string(Modality m) noexcept {
  switch (m) {
    case Modality::latency: return "latency";
    case Modality::cost: return "cost";
    case Modality::quality: return "quality";
    case Modality::success: return "success";
  }
  return "?";
}

const char* to_string(Status s) noexcept { return s == Status::routed ? "routed" : "rejected"; }

Result<void> RouterParams::validate() const {
  if (auto r = increasing(bins.latency_edges_ms, "bins.latency_edges_ms", 0.0, INFINITY); !r) return r;
  if (auto r = increasing(bins.cost_edges, "bins.cost_edges", 0.0, INFINITY); !r) return r;
  if (auto r = increasing(bins.quality_edges, "bins.quality_edges", 0.0, 1.0); !r) return r;
  const auto& p = preferences;
  if (!(p.floor > 0.0 && p.floor < 1.0)) return bad("preferences.floor", "must be in (0, 1)");
  if (!finite_positive(p.latency_softness)) return bad("preferences.latency_softness", "must be finite and > 0");
  if (!finite_positive(p.cost_softness)) return bad("preferences.cost_softness", "must be finite and > 0");
  if (!finite_positive(p.quality_softness)) return bad("preferences.quality_softness", "must be finite and > 0");
  if (!finite_non_negative(p.absent_slope)) return bad("preferences.absent_slope", "must be finite and >= 0");
  if (!(std::isfinite(p.failure_log_preference) && p.failure_log_preference < 0.0))
    return bad("preferences.failure_log_preference", "must be finite and < 0");
  const auto& o = outcomes;
  if (!finite_positive(o.prior_strength)) return bad("outcomes.prior_strength", "must be finite and > 0");
  if (!(std::isfinite(o.count_cap) && o.count_cap >= 1.0 && o.count_cap <= 1e6))
    return bad("outcomes.count_cap", "must be in [1, 1e6]");
  if (!finite_positive(o.cost_sigma)) return bad("outcomes.cost_sigma", "must be finite and > 0");
  if (!finite_positive(o.quality_sigma)) return bad("outcomes.quality_sigma", "must be finite and > 0");
  if (auto r = effect(o.slack, "outcomes.slack"); !r) return r;
  if (auto r = effect(o.balanced, "outcomes.balanced"); !r) return r;
  if (auto r = effect(o.congested, "outcomes.congested"); !r) return r;
  if (auto r = effect(o.shock, "outcomes.shock"); !r) return r;
  if (auto r = regime(regimes.exploration, "regimes.exploration"); !r) return r;
  if (auto r = regime(regimes.exploitation, "regimes.exploitation"); !r) return r;
  if (auto r = regime(regimes.crisis, "regimes.crisis"); !r) return r;
  if (auto r = regime(regimes.transition, "regimes.transition"); !r) return r;
  if (!(forgetting >= 0.0 && forgetting < 1.0)) return bad("forgetting", "must be in [0, 1)");
  if (!(std::isfinite(shared_cap) && shared_cap >= 1.0 && shared_cap <= 1e6))
    return bad("shared_cap", "must be in [1, 1e6]");
  if (!(shared_forgetting >= 0.0 && shared_forgetting < 1.0)) return bad("shared_forgetting", "must be in [0, 1)");
  if (!finite_non_negative(habit_weight)) return bad("habit_weight", "must be finite and >= 0");
  if (!finite_non_negative(preferred_bonus)) return bad("preferred_bonus", "must be finite and >= 0");
  if (!finite_non_negative(completion_tokens)) return bad("completion_tokens", "must be finite and >= 0");
  if (!finite_positive(chars_per_token)) return bad("chars_per_token", "must be finite and > 0");
  return {};
}

Result<void> RoutingRequest::validate() const {
  const auto& p = preferences;
  if (p.max_latency_ms && !finite_positive(*p.max_latency_ms))
    return bad("preferences.max_latency_ms", "must be finite and > 0");
  if (p.max_cost_per_token && !finite_positive(*p.max_cost_per_token))
    return bad("preferences.max_cost_per_token", "must be finite and > 0");
  if (!(p.quality_threshold >= 0.0 && p.quality_threshold <= 1.0))
    return bad("preferences.quality_threshold", "must be in [0, 1]");
  const auto& r = requirements;
  if (r.min_tokens_per_second && !finite_non_negative(*r.min_tokens_per_second))
    return bad("requirements.min_tokens_per_second", "must be finite and >= 0");
  if (r.max_memory_gb && !finite_positive(*r.max_memory_gb))
    return bad("requirements.max_memory_gb", "must be finite and > 0");
  if (r.hard_budget && !p.max_cost_per_token)
    return bad("requirements.hard_budget", "needs preferences.max_cost_per_token");
  return {};
}

Result<void> Feedback::validate() const {
  if (model.empty()) return bad("model", "must not be empty");
  if (!finite_non_negative(latency_ms)) return bad("latency_ms", "must be finite and >= 0");
  if (!finite_non_negative(tokens_per_second)) return bad("tokens_per_second", "must be finite and >= 0");
  if (!(quality >= 0.0 && quality <= 1.0)) return bad("quality", "must be in [0, 1]");
  if (!finite_non_negative(cost_per_token)) return bad("cost_per_token", "must be finite and >= 0");
  return {};
}

Result<void> MarketView::validate(std::size_t n_classes) const {
  if (classes.size() != n_classes)
    return make_error(Errc::invalid_dimension, "market.classes",
                      "has " + std::to_string(classes.size()) + " entries, the catalogue " + std::to_string(n_classes));
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const std::string at = "market.classes[" + std::to_string(i) + "]";
    if (!finite_positive(classes[i].price_per_gpu_second))
      return bad(at + ".price_per_gpu_second", "must be finite and > 0");
    if (!finite_non_negative(classes[i].risk_fee)) return bad(at + ".risk_fee", "must be finite and >= 0");
    if (!finite_non_negative(classes[i].base_fee)) return bad(at + ".base_fee", "must be finite and >= 0");
  }
  return posterior(regime_posterior, "market.regime_posterior");
}

Result<void> TenantView::validate(std::size_t n_models) const {
  if (auto r = posterior(regime_posterior, "tenant.regime_posterior"); !r) return r;
  if (!habit.empty() && habit.size() != n_models)
    return make_error(Errc::invalid_dimension, "tenant.habit",
                      "has " + std::to_string(habit.size()) + " scores, the catalogue " + std::to_string(n_models) +
                          " models");
  for (std::size_t i = 0; i < habit.size(); ++i)
    if (!std::isfinite(habit[i])) return bad("tenant.habit[" + std::to_string(i) + "]", "must be finite");
  return {};
}

}  // namespace hanzo::hmm::routing
