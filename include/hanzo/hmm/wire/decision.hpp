// Wire codec for the router's answer (JSON, on Kafka keyed by tenant id); the format is
// documented in config/schemas/decision.schema.json. Every Decision field is written under its
// C++ name except the catalogue positions (model_index, Alternative::index), which mean nothing
// outside this process.
// - regime_posterior is an object keyed by the tenant regime names (kTenantRegimeNames).
// - A rejected decision writes null for what describes a chosen model: model, provider,
//   compute_class, confidence, price_per_token, expected_cost, expected_latency_ms and
//   expected_free_energy. Every key is present in every decision (a fixed layout for consumers).
// - "redelivered": true is written only for a decision sent again (e.g. after a restart).
#pragma once

#include <string>
#include <string_view>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/routing/decision.hpp"

namespace hanzo::hmm::wire {

// Replaces `out` with the decision's JSON, reusing its capacity: the daemon's hot path.
// Every number must be finite (asserted; a release build writes null, which the schema rejects).
void encode_decision_into(std::string& out, const routing::Decision& decision, bool redelivered = false);
std::string encode_decision(const routing::Decision& decision, bool redelivered = false);

struct DecisionMessage {
  routing::Decision decision;  // null fields of a rejected decision read as "" and 0
  bool redelivered{false};
};

// For tests and the load generator: strict like the other decoders (every key but
// "redelivered" is required; a routed decision must name its model).
Result<DecisionMessage> decode_decision(std::string_view json);

}  // namespace hanzo::hmm::wire
