// The request's feature vector for the tenant layer's habit adapter, and the reward that trains it.
#pragma once

#include <array>
#include <span>

#include "hanzo/hmm/routing/params.hpp"
#include "hanzo/hmm/routing/types.hpp"

namespace hanzo::hmm::routing {

inline constexpr std::size_t kFeatures = 16;

// x in R^16, each entry O(1), constants fixed here (not configuration) so that an adapter's
// weights stay meaningful across config changes:
//  0  1 (bias)
//  1  ln(1 + input tokens) / 10            (tokens = bytes / 4)
//  2  ln(1 + context tokens) / 10
//  3  requires_function_calling            (0/1)
//  4  requires_vision                      (0/1)
//  5  max_latency_ms given                 (0/1)
//  6  tanh(ln(max_latency_ms / 1000))      (0 if not given)
//  7  max_cost_per_token given             (0/1)
//  8  tanh(ln(max_cost_per_token / 1e-5) / 2)  (0 if not given)
//  9  quality_threshold
// 10  ln(1 + min_tokens_per_second) / 5    (0 if not given)
// 11  min(#preferred_models, 4) / 4
// 12-15 tenant regime posterior (exploration, exploitation, crisis, transition)
std::array<double, kFeatures> features(const RoutingRequest& request,
                                       std::span<const double, kTenantRegimes> tenant_regime_posterior);

// r in [-1, 1] for the model that served the request:
//   failure: r = -1;
//   success: r = mean of +1 (for succeeding) and 2 s - 1 for each stated preference, where s is the
//   same logistic satisfaction that shapes C: s = logistic((ln max_latency_ms - ln latency) / softness),
//   likewise cost, and quality on the logit scale (threshold > 0 only).
// So meeting a preference exactly contributes 0, beating it clearly +1, missing it clearly -1.
double reward(const Feedback& feedback, const Preferences& preferences, const RouterParams& params = {});

}  // namespace hanzo::hmm::routing
