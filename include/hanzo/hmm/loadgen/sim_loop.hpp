// The simulator's world played against a running hanzo-hmmd on Kafka, closed loop per tenant, so
// the daemon's own learning path (feedback topic, tenant actors, changelog) is what gets measured.
//
// Every request of the world's stream (sim::World::request: request_id "r<t>", keyed by the
// tenant's name) goes to the requests topic; the daemon's decision is read from the decisions topic
// (matched by request_id), the outcome drawn from the world's truth with the same common random
// numbers as the in-process run (sim::World::outcome), and, unless disabled, sent as feedback.
// Closed loop per tenant: a tenant's next request is produced only once its previous decision is
// in and that decision's feedback is acknowledged by the broker and, given the daemon's metrics
// URL, consumed by the daemon (its hanzo_hmmd_messages_consumed_total for the feedback topic has
// reached the feedback produced): only then does the daemon apply the feedback before the next
// request of the same tenant, as the in-process router does. Tenants run concurrently (each has
// at most one request in flight). The world's supply shock is a barrier: every request before
// it is decided (and fed back) first, then the tick goes to the ticks topic, and the requests from
// the shock on wait until the daemon's price snapshot for it is on the prices topic.
//
// The daemon must be fresh (no earlier decisions on its decisions topic, market as configured):
// the decisions and prices topics are read from the beginning.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/kafka/types.hpp"
#include "hanzo/hmm/loadgen/driver.hpp"
#include "hanzo/hmm/sim/world.hpp"

namespace hanzo::hmm::loadgen {

struct SimLoopOptions {
  std::string bootstrap;
  Topics topics = Topics::with_prefix("hanzo.hmm");
  std::string prices_topic{"hanzo.hmm.prices"};
  bool feedback{true};     // false: the same loop without feedback (what learning buys)
  std::string metrics_url;  // http://HOST:PORT/metrics of the daemon; empty: broker acks only
  double timeout_s{60.0};  // longest wait without any progress (a decision, an ack, the snapshot)
  kafka::Config kafka;     // extra librdkafka properties for both clients

  Result<void> validate() const;  // errors name the option
};

struct SimLoopResult {
  std::vector<std::size_t> choices;  // catalogue index of the daemon's model, per request t
  std::uint64_t requests_sent{0};
  std::uint64_t decisions{0};   // first decision per request
  std::uint64_t duplicates{0};  // further decisions for an already decided request
  std::uint64_t foreign{0};     // decisions for request ids not of this stream
  std::uint64_t feedback_sent{0};  // acknowledged by the broker
  std::uint64_t confirmations{0};  // times the daemon's metrics showed all feedback consumed
  std::uint64_t ticks_sent{0};
  std::uint64_t max_in_flight{0};  // most requests awaiting a decision at once
  // Largest relative difference between a class price of the daemon's snapshot after the shock
  // and the world's market after the same tick (0 when both markets agree; -1: no shock sent).
  double shock_price_mismatch{-1.0};
  double elapsed_s{0.0};
};

// Plays `spec`'s world through the daemon. A rejected decision is an error (it names the request
// and the daemon's reason), as it is for the in-process router: every request must be routed.
Result<SimLoopResult> play_world(const sim::WorldSpec& spec, const SimLoopOptions& options);

}  // namespace hanzo::hmm::loadgen
