// What a load-generator run found, as text for people and JSON for scripts (the benchmark and
// the demo read the JSON; from_json reads it back).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/loadgen/latency.hpp"

namespace hanzo::hmm::loadgen {

struct Report {
  // The run's settings.
  std::string run_id;
  std::string mode;          // "rate" (open loop) or "max" (closed loop, `window` outstanding)
  double target_rate{0.0};   // requests/s in "rate" mode, 0 in "max" mode
  std::uint64_t window{0};   // outstanding requests allowed in "max" mode, 0 in "rate" mode
  std::uint64_t tenants{0};
  std::uint64_t seed{0};
  double duration_s{0.0};    // the sending phase asked for

  // What happened.
  double send_s{0.0};        // sending phase, first request to last
  double elapsed_s{0.0};     // first request to last decision received
  std::uint64_t requests_sent{0};
  std::uint64_t decisions_received{0};  // distinct requests of this run that got a decision
  std::uint64_t missing{0};             // sent, no decision by the end of the drain
  std::uint64_t duplicates{0};          // decisions beyond the first for one request
  std::uint64_t routed{0}, rejected{0};  // over decisions_received
  std::uint64_t foreign{0};             // decisions of other runs or clients, ignored
  std::uint64_t invalid{0};             // decisions that did not decode (sampled, see driver.hpp)
  std::uint64_t ticks_sent{0};
  std::uint64_t feedback_sent{0};
  std::uint64_t send_errors{0};         // requests, ticks or feedback Kafka did not accept
  std::string first_error;              // the first such error, or empty
  double requests_per_s{0.0};           // requests_sent / send_s
  double decisions_per_s{0.0};          // decisions_received / elapsed_s
  LatencySummary latency;               // request produced → decision received, steady clock
  std::string sample_decision;          // the first decision of this run, as received (JSON)

  friend bool operator==(const Report&, const Report&) = default;
};

// Several aligned lines, ending in a newline.
std::string to_text(const Report& report);
// One JSON object on one line (no newline); sample_decision is embedded as an object when it
// is JSON, else as a string.
std::string to_json(const Report& report);
// Reads to_json's output back. sample_decision comes back re-serialised (same JSON value, maybe
// other number spellings).
Result<Report> report_from_json(std::string_view json);

}  // namespace hanzo::hmm::loadgen
