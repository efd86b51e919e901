// Wire codecs of the market: ticks in, price snapshots out (JSON, on Kafka unkeyed). The formats
// are documented in config/schemas/tick.schema.json and price-snapshot.schema.json.
// Classes travel as their ids ("h100-80g"), regimes as their state names; the caller passes the
// class list and the regime state names (MarketConfig::classes, MarketConfig::regime.states)
// to map them to the indices of market::Tick and market::Snapshot.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/market/params.hpp"
#include "hanzo/hmm/market/tick.hpp"

namespace hanzo::hmm::wire {

struct TickMessage {
  market::Tick tick;
  std::optional<std::int64_t> timestamp_ms;  // producer's clock, ms since the epoch, >= 0
  std::optional<std::uint64_t> sequence;     // producer's counter, for gap detection
};

// Flow fields default to 0 (shock to 1); amounts must be finite and >= 0, shock finite and > 0
// (its upper bound is market configuration: Market::tick checks it). A class listed twice or
// an unknown class id is an error naming "flows[k].class".
Result<TickMessage> decode_tick(std::string_view json, std::span<const market::ComputeClass> classes);
// Omits flow fields at their defaults. Precondition: every flow's cls indexes `classes`.
std::string encode_tick(const TickMessage& message, std::span<const market::ComputeClass> classes);

// Precondition: the snapshot is the market's (classes.size() entries, one posterior entry per
// regime state, cut classes in range). Numbers must be finite (asserted; null in release).
void encode_snapshot_into(std::string& out, const market::Snapshot& snapshot,
                          std::span<const market::ComputeClass> classes, std::span<const std::string> regime_states);
std::string encode_snapshot(const market::Snapshot& snapshot, std::span<const market::ComputeClass> classes,
                            std::span<const std::string> regime_states);

// Every class exactly once (any order), every regime state in the posterior, "regime" one of them.
Result<market::Snapshot> decode_snapshot(std::string_view json, std::span<const market::ComputeClass> classes,
                                         std::span<const std::string> regime_states);

}  // namespace hanzo::hmm::wire
