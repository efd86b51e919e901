// The habit adapter's feature vector and the reward that trains it (see features.hpp).
#include "hanzo/hmm/routing/features.hpp"

#include <algorithm>
#include <cmath>

#include "preferences.hpp"

namespace hanzo::hmm::routing {

std::array<double, kFeatures> features(const RoutingRequest& r, std::span<const double, kTenantRegimes> regime) {
  constexpr double kCharsPerToken = 4.0;
  const auto& p = r.preferences;
  const auto& q = r.requirements;
  std::array<double, kFeatures> x{};
  x[0] = 1.0;
  x[1] = std::log1p(static_cast<double>(r.input.size()) / kCharsPerToken) / 10.0;
  x[2] = std::log1p(static_cast<double>(r.context.size()) / kCharsPerToken) / 10.0;
  x[3] = q.requires_function_calling ? 1.0 : 0.0;
  x[4] = q.requires_vision ? 1.0 : 0.0;
  if (p.max_latency_ms && *p.max_latency_ms > 0.0) {
    x[5] = 1.0;
    x[6] = std::tanh(std::log(*p.max_latency_ms / 1000.0));
  }
  if (p.max_cost_per_token && *p.max_cost_per_token > 0.0) {
    x[7] = 1.0;
    x[8] = std::tanh(std::log(*p.max_cost_per_token / 1e-5) / 2.0);
  }
  x[9] = std::clamp(p.quality_threshold, 0.0, 1.0);
  if (q.min_tokens_per_second && *q.min_tokens_per_second >= 0.0) x[10] = std::log1p(*q.min_tokens_per_second) / 5.0;
  x[11] = static_cast<double>(std::min<std::size_t>(p.preferred_models.size(), 4)) / 4.0;
  for (std::size_t i = 0; i < kTenantRegimes; ++i) x[12 + i] = regime[i];
  return x;
}

double reward(const Feedback& f, const Preferences& p, const RouterParams& params) {
  if (!f.success) return -1.0;
  const auto& pp = params.preferences;
  double sum = 1.0;  // the success itself
  double n = 1.0;
  if (p.max_latency_ms) {
    sum += 2.0 * detail::latency_satisfaction(f.latency_ms, *p.max_latency_ms, pp) - 1.0;
    n += 1.0;
  }
  if (p.max_cost_per_token) {
    sum += 2.0 * detail::cost_satisfaction(f.cost_per_token, *p.max_cost_per_token, pp) - 1.0;
    n += 1.0;
  }
  if (p.quality_threshold > 0.0) {
    sum += 2.0 * detail::quality_satisfaction(f.quality, p.quality_threshold, pp) - 1.0;
    n += 1.0;
  }
  return std::clamp(sum / n, -1.0, 1.0);
}

}  // namespace hanzo::hmm::routing
