// Preferences -> log-preferences over the outcome bins (internal; the public entry is in router.hpp).
#pragma once

#include <array>

#include "hanzo/hmm/routing/params.hpp"
#include "hanzo/hmm/routing/router.hpp"
#include "hanzo/hmm/routing/types.hpp"

namespace hanzo::hmm::routing::detail {

// What log_preferences needs that depends only on the parameters: the bins' representative
// values on the scale the thresholds act on (ln latency, ln cost, logit quality), and ln sigma(C)
// when no threshold is given (the ramps, and the fixed success block).
struct PreferenceTables {
  std::array<double, 12> points{};
  LogPreferences absent{};
};
PreferenceTables preference_tables(const RouterParams& params) noexcept;

LogPreferences log_preferences(const Preferences& prefs, const RouterParams& params,
                               const PreferenceTables& tables) noexcept;

// Satisfaction in (0, 1) of a value against a threshold, shared by C and reward().
double latency_satisfaction(double latency_ms, double max_latency_ms, const PreferenceParams& p) noexcept;
double cost_satisfaction(double cost, double max_cost, const PreferenceParams& p) noexcept;
double quality_satisfaction(double quality, double threshold, const PreferenceParams& p) noexcept;

}  // namespace hanzo::hmm::routing::detail
