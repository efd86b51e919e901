// Building and sending results (decisions, rejections) through the Sink. No CAF.
#pragma once
#include <chrono>
#include <string>
#include <string_view>

#include "engine.hpp"
#include "hanzo/hmm/daemon/metrics.hpp"
#include "hanzo/hmm/routing/decision.hpp"

namespace hanzo::hmm::actors {

struct RouteItem;

// A syntax error carries its line and column; anything else the decoders refuse is a schema
// violation (wrong key, type, range).
daemon::DlqReason classify(const Error& e) noexcept;
// Sends `msg` unchanged to the DLQ with "<reason>: <detail>" and counts it.
void dead_letter(const Engine& e, const kafka::Message& msg, std::uint64_t token, daemon::DlqReason reason,
                 std::string_view detail);

// Where a decision goes and what it answers (answer_log.hpp): the request's partition and
// offset travel as headers so a restore finds the answer again.
struct Placement {
  std::int32_t decisions_partition{-1};  // -1: the partitioner's choice
  std::int32_t request_partition{-1};    // -1: not from Kafka (no headers)
  std::int64_t request_offset{-1};
};

// Observes the processing metric for a decision handed to the producer now, of a request the
// poll loop took at `polled` (nothing if unknown: default-constructed).
void processed(const Engine& e, std::chrono::steady_clock::time_point polled) noexcept;

// `decision` as a record for the decisions topic keyed by tenant; counts it.
kafka::Record decision_record(const Engine& e, const routing::Decision& decision, std::int64_t timestamp_ms,
                              const Placement& where);
// The same into `r`, whose buffers are reused (a router writes every decision into one record).
void decision_record_into(kafka::Record& r, const Engine& e, const routing::Decision& decision,
                          std::int64_t timestamp_ms, const Placement& where);
// A "rejected" decision for `item` with `reason` (the request cannot be served).
kafka::Record rejection_record(const Engine& e, std::string_view tenant, const RouteItem& item, std::string_view reason,
                               const Placement& where);

}  // namespace hanzo::hmm::actors
