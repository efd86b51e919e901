// Tunable parameters of the tenant layer, one struct per config section. The config layer maps
// `[tenants.adapter]` and `[tenants.regime]` onto these; validate() names the offending key path
// ("tenants.adapter.requantize_every: must be >= 1") so a config error points at the file's key.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::tenant {

// BitDelta learning. Feedback (model k, features x, reward r in [-1, 1]) moves the working delta:
//   delta[k][j] = clamp(delta[k][j] + learning_rate * r * x[j], -clip, +clip),
// so positive feedback raises model k's habit score for requests that look like x.
struct AdapterParams {
  // Step per unit reward and unit feature; with standardised features, ~20 consistent rewards
  // move a row by about one feature-scale.
  double learning_rate{0.05};
  // Bound on each working-delta entry. Since alpha_k = mean |delta[k][:]| <= clip, one tenant's
  // habit can shift a score by at most clip * ||x||_1 from the shared base.
  double clip{1.0};
  // Working delta -> served 1-bit form after this many updates (and on every snapshot).
  std::uint32_t requantize_every{8};

  Result<void> validate() const;
};

// The four tenant regimes, in state order of the regime HMM.
enum class Regime : std::uint8_t { exploration = 0, exploitation = 1, crisis = 2, transition = 3 };
inline constexpr std::size_t kNumRegimes = 4;
inline constexpr std::array<std::string_view, kNumRegimes> kRegimeNames{"exploration", "exploitation", "crisis",
                                                                         "transition"};
inline std::string_view to_string(Regime r) noexcept { return kRegimeNames[static_cast<std::size_t>(r)]; }

// Default observation signals (D = 4), each standardised against the tenant's own history
// (z-score: 0 = usual, +1 = one standard deviation above usual) by the layer that builds requests:
inline constexpr std::size_t kDefaultSignals = 4;
enum class Signal : std::uint8_t {
  request_rate = 0,     // change in request rate (log ratio recent / baseline)
  model_diversity = 1,  // entropy of the models asked for
  error_rate = 2,       // failed or retried requests
  cost_pressure = 3,    // spend against budget
};

// Gaussian regime HMM over the D signals. Defaults (see params.cpp for the numbers and why):
// exploration = many models, slightly more traffic; exploitation = few models, low errors and
// cost; crisis = errors, retry-driven rate spike, cost pressure; transition = broad catch-all
// between the others. Regimes are sticky (self-transition 0.65..0.94).
struct RegimeParams {
  std::vector<double> initial;                  // kNumRegimes
  std::vector<std::vector<double>> transitions;  // kNumRegimes x kNumRegimes, rows sum to 1
  std::vector<std::vector<double>> means;        // kNumRegimes x D
  std::vector<std::vector<double>> variances;    // kNumRegimes x D, > 0

  RegimeParams();  // the defaults above
  std::size_t dim() const noexcept { return means.empty() ? 0 : means[0].size(); }
  Result<void> validate() const;
};

struct TenantParams {
  // Routed decisions a tenant remembers (request id, features, preferences) so that feedback
  // for one of them trains the adapter, once. Feedback for an older decision still counts the
  // outcome but does not train. Each entry is about 100 bytes of every changelog record the
  // daemon writes for the tenant (one per request it decides), so the window is what the
  // changelog's volume scales with: 16 covers feedback that arrives within the next 16 requests
  // of the same tenant (about a second at 16 requests/s per tenant).
  static constexpr std::size_t kMaxFeedbackWindow = 4096;
  std::size_t feedback_window{16};
  AdapterParams adapter;
  RegimeParams regime;
  Result<void> validate() const;
};

}  // namespace hanzo::hmm::tenant
