// Routing vocabulary (the Rust crate hanzo-hmm 0.1.2's names): the request, its feedback, and the
// plain views of the market and tenant layers that the lead fills in. Routing never reads those
// layers directly, so it stays a pure function of (request, tenant view, price snapshot, catalogue).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::routing {

// ---- outcome modalities and their bins -------------------------------------------------------
// Bin counts are fixed at compile time (the per-tenant counts are persisted in this layout);
// the bin edges are configuration (RouterParams::bins).
enum class Modality : std::uint8_t { latency, cost, quality, success };
inline constexpr std::size_t kModalities = 4;
inline constexpr std::array<std::size_t, kModalities> kBins{4, 4, 4, 2};    // success: {fail, ok}
inline constexpr std::array<std::size_t, kModalities> kOffset{0, 4, 8, 12};  // into a flat bin array
inline constexpr std::size_t kOutcomeBins = 14;
const char* to_string(Modality m) noexcept;

inline constexpr std::size_t kMarketRegimes = 4;
inline constexpr std::array<const char*, kMarketRegimes> kMarketRegimeNames{"slack", "balanced", "congested",
                                                                            "shock"};
inline constexpr std::size_t kTenantRegimes = 4;
inline constexpr std::array<const char*, kTenantRegimes> kTenantRegimeNames{"exploration", "exploitation", "crisis",
                                                                            "transition"};

// ---- request ------------------------------------------------------------------------------
// Soft: these shape the log-preferences C; nothing is excluded for missing them.
struct Preferences {
  std::optional<double> max_latency_ms;
  std::optional<double> max_cost_per_token;  // credits per token
  std::vector<std::string> preferred_models;  // habit bonus, not a filter
  double quality_threshold{0.0};              // in [0, 1]; 0 = no threshold
};

// Hard: a candidate that fails one is excluded with the reason.
struct Requirements {
  std::optional<double> min_tokens_per_second;
  std::optional<double> max_memory_gb;
  bool requires_function_calling{false};
  bool requires_vision{false};
  std::optional<std::string> region;  // exact match with the model's region
  // Opt-in hard cap: exclude every model whose price per token exceeds
  // preferences.max_cost_per_token (which must then be given). Without it the budget is soft.
  bool hard_budget{false};
};

struct RoutingRequest {
  std::string request_id;
  std::string input;
  std::string context;  // conversation context; counts towards the input tokens
  Preferences preferences;
  Requirements requirements;
  std::vector<double> observations;  // tenant behaviour signals: the tenant layer's, ignored here

  // Key paths as in the wire format: "preferences.max_latency_ms: must be finite and > 0".
  Result<void> validate() const;
};

struct Feedback {
  std::string request_id;
  std::string tenant;
  std::string model;
  double latency_ms{0.0};
  double tokens_per_second{0.0};
  double quality{0.0};  // in [0, 1]
  double cost_per_token{0.0};
  bool success{true};

  Result<void> validate() const;
};

// ---- views of the other layers ------------------------------------------------------------
struct ClassPrice {
  double price_per_gpu_second{0.0};  // credits per device-second, > 0
  double risk_fee{0.0};              // f_r, fraction of the compute price, >= 0
  double base_fee{0.0};              // f_m, fraction of the compute price, >= 0
};

struct MarketView {
  std::vector<ClassPrice> classes;  // one per Catalogue::classes entry, same order
  std::array<double, kMarketRegimes> regime_posterior{0.0, 1.0, 0.0, 0.0};  // slack, balanced, congested, shock
  std::string regime;  // label; empty = name of the posterior's argmax

  Result<void> validate(std::size_t n_classes) const;
};

// Read only during the call; the views must outlive it.
struct TenantView {
  std::string_view tenant;
  std::array<double, kTenantRegimes> regime_posterior{0.0, 1.0, 0.0, 0.0};  // exploration, exploitation, crisis, transition
  std::string_view regime;        // label; empty = name of the posterior's argmax
  std::span<const double> habit;  // empty, or one ln-habit score per catalogue model

  Result<void> validate(std::size_t n_models) const;
};

}  // namespace hanzo::hmm::routing
