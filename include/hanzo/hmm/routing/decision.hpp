// The router's answer. Field names are the wire names; the wire layer serialises this struct.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "hanzo/hmm/routing/types.hpp"

namespace hanzo::hmm::routing {

enum class Status : std::uint8_t { routed, rejected };
const char* to_string(Status s) noexcept;  // "routed", "rejected"

// One feasible candidate (policy). risk and ambiguity are already weighted by the modality
// weights, so expected_free_energy = risk + ambiguity, and probability = q(pi).
struct Alternative {
  std::string model;
  std::size_t index{0};  // into the catalogue
  double probability{0.0};
  double expected_free_energy{0.0};
  double risk{0.0};
  double ambiguity{0.0};
  double habit{0.0};  // ln E(pi): habit_weight * adapter score + preferred bonus
};

struct Exclusion {
  std::string model;
  std::string reason;  // e.g. "requires vision", "tokens_per_second 12 < 50"
};

struct MeetsPreferences {
  bool latency{true};  // expected_latency_ms <= max_latency_ms (true if not given)
  bool cost{true};     // price_per_token <= max_cost_per_token (true if not given)
  bool quality{true};  // catalogue quality >= quality_threshold
};

struct Decision {
  std::string request_id;
  std::string tenant;
  Status status{Status::rejected};
  std::string model;  // empty when rejected (so are provider and compute_class)
  std::string provider;
  std::string compute_class;
  std::size_t model_index{0};
  std::string regime;  // tenant regime label
  std::array<double, kTenantRegimes> regime_posterior{};
  std::string market_regime;
  double confidence{0.0};  // q(chosen)
  double price_per_token{0.0};
  double expected_cost{0.0};  // price_per_token * (input tokens + completion_tokens)
  double expected_latency_ms{0.0};
  double expected_free_energy{0.0};
  std::vector<std::string> fallback_models;  // next best feasible, by probability
  std::vector<Alternative> alternatives;     // every feasible candidate, by probability (ties: catalogue order)
  std::vector<Exclusion> excluded;           // catalogue order
  std::string reasoning;                     // one sentence
  MeetsPreferences meets_preferences;
};

}  // namespace hanzo::hmm::routing
