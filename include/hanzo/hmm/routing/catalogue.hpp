// The routing candidates: compute classes (what the market prices) and the models served on them.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::routing {

struct ClassInfo {
  std::string id;            // e.g. "h100-80g"; matches the market's class list
  double memory_gb{0.0};     // per device; a model needs ceil(model memory / this) devices
};

struct Capabilities {
  bool function_calling{false};
  bool vision{false};
};

struct ModelSpec {
  std::string name;
  std::string provider;
  std::string compute_class;      // a ClassInfo::id
  double memory_gb{0.0};          // weights + KV cache at serving batch size
  double tokens_per_second{0.0};  // per-request decode speed
  double latency_ms{0.0};         // median response latency in a balanced market
  double latency_sigma{0.35};     // log-normal spread of that latency
  double quality{0.5};            // in [0, 1]
  double success_rate{0.99};      // in (0, 1]; balanced market
  Capabilities capabilities;
  std::string region;
};

struct Catalogue {
  std::vector<ClassInfo> classes;
  std::vector<ModelSpec> models;

  // Errors name the key path: "models[3].tokens_per_second: must be finite and > 0".
  Result<void> validate() const;
  std::optional<std::size_t> class_index(std::string_view id) const noexcept;
  std::optional<std::size_t> model_index(std::string_view name) const noexcept;
};

// Twelve open and hosted models over h100-80g, a100-80g, l40s-48g, l4-24g and cpu.
Catalogue default_catalogue();

}  // namespace hanzo::hmm::routing
