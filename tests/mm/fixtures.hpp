#pragma once

#include <algorithm>

#include "hanzo/hmm/mm/market_maker.hpp"

namespace mmtest {

using namespace hanzo::hmm;

inline mm::MarketMaker make() { return mm::MarketMaker::create(mm::default_config()).value(); }

// The Rust crate's README request: a chat turn with preferences and 4 behaviour signals.
inline routing::RoutingRequest crate_request(std::string id = "req-1") {
  routing::RoutingRequest r;
  r.request_id = std::move(id);
  r.input = "Summarise the quarterly GPU utilisation report in three bullet points.";
  r.preferences.max_latency_ms = 1500.0;
  r.preferences.quality_threshold = 0.7;
  r.observations = {0.1, -0.5, 0.0, 0.2};
  return r;
}

inline double probability_of(const routing::Decision& d, const std::string& model) {
  for (const auto& a : d.alternatives)
    if (a.model == model) return a.probability;
  return -1.0;
}

}  // namespace mmtest
