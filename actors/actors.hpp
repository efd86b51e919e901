// Every actor of hanzo-hmmd and every message between them, in one place (CAF 0.17.6).
//
// Data flow (docs/architecture.md): the ingest thread polls Kafka, checks keys and sizes, sends
// bad input to the DLQ and good input on: ticks to the market actor, requests and feedback
// (grouped by tenant) to the tenant manager, which forwards them to the tenant's actor (spawned
// on first use, restored from its dormant state if it was evicted). A tenant actor decodes and
// prepares its requests (regime filter, features, habit) and hands runs of them to its router
// actor, which reads the latest prices from the price board, decides, and produces each
// decision at once; the reply tells the tenant what to remember for feedback. The tenant then
// writes a state record (only what changed) once those decisions are acknowledged; its
// acknowledgement makes the inputs it covers committable. Results leave through the Sink
// (engine.hpp).
//
// Only the actors' .cpp files and the daemon wiring include this header (CAF is slow to compile).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>

#include "messages.hpp"

// The messages never leave the process (hanzo-hmmd scales out through Kafka consumer groups, not
// CAF remoting), so they need no serialization: whitelisting them keeps the maths types free of
// CAF inspect() boilerplate.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hanzo::hmm::actors::TenantBatch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hanzo::hmm::actors::IngestBatch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hanzo::hmm::actors::TickBatch)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hanzo::hmm::actors::RouteRunMsg)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hanzo::hmm::actors::RouteResult)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hanzo::hmm::actors::TenantState)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hanzo::hmm::actors::RestoredStates)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hanzo::hmm::actors::ManagerStatus)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(hanzo::hmm::market::Snapshot)

namespace hanzo::hmm::actors {

using evict_atom = caf::atom_constant<caf::atom("evict")>;
using snapshot_atom = caf::atom_constant<caf::atom("snapshot")>;
using status_atom = caf::atom_constant<caf::atom("status")>;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;
using prices_atom = caf::atom_constant<caf::atom("prices")>;
using drop_atom = caf::atom_constant<caf::atom("drop")>;
using written_atom = caf::atom_constant<caf::atom("written")>;

// ---- actor interfaces ---------------------------------------------------------------------

// One per active tenant: holds its TenantSession (BitDelta adapter, regime filter, outcome
// counts, recent decisions). Handles its items strictly in order: while a run is with the
// router, later items wait in a backlog.
using tenant_actor = caf::typed_actor<
    // Requests and feedback, in offset order.
    caf::reacts_to<TenantBatch>,
    // The state as bytes, once everything received before is processed.
    caf::replies_to<snapshot_atom>::with<TenantState>,
    // Finish pending work, send the state to the manager (TenantState), quit.
    caf::reacts_to<evict_atom>,
    // Its state record may go now (from a delivery callback, only when it waited: WriteGate).
    caf::reacts_to<written_atom>>;

// Spawns, finds and evicts tenant actors; keeps evicted tenants' state (dormant, ~1 KiB each)
// and restores it on the tenant's next message. Bounded: at most max_resident_tenants actors,
// and none idle longer than tenant_idle_seconds. Every state change is already in the
// changelog (tenant actors write it), so dropping a partition's tenants loses nothing.
using tenant_manager_actor = caf::typed_actor<
    // A poll round's items, grouped by tenant.
    caf::reacts_to<IngestBatch>,
    // On assignment, before the partitions' first items: their tenants' changelog states,
    // which become dormant (a resident tenant keeps its newer in-memory state).
    caf::reacts_to<RestoredStates>,
    // On revoke, once their in-flight work is acknowledged: forget every tenant (resident or
    // dormant) whose home partition is listed.
    caf::reacts_to<drop_atom, std::vector<std::int32_t>>,
    // From an evicting tenant actor: its final state.
    caf::reacts_to<TenantState>,
    // Timer: evict idle tenants.
    caf::reacts_to<sweep_atom>,
    // A tenant's state (resident or dormant); an error if unknown.
    caf::replies_to<snapshot_atom, std::string>::with<TenantState>,
    // Counts for metrics and tests.
    caf::replies_to<status_atom>::with<ManagerStatus>>;

// Combines a tenant's prepared requests with the latest prices into decisions, produces them
// (in order) and tells the tenant which model each routed request got.
using router_actor = caf::typed_actor<caf::replies_to<RouteRunMsg>::with<RouteResult>>;

// Owns the Hamiltonian market and its regime filter: applies ticks, publishes each snapshot to
// the price board (for routers) and to the prices topic, and updates the market metrics.
using market_actor = caf::typed_actor<
    // Ticks in offset order, then the round's quote requests: each answered on quote_answers at
    // the prices those ticks leave (the market unchanged), or dead-lettered if it does not decode.
    caf::reacts_to<TickBatch>,
    // Liveness probe from the ingest thread: beats Health::market.
    caf::reacts_to<heartbeat_atom>,
    // The current snapshot (tests, status).
    caf::replies_to<prices_atom>::with<market::Snapshot>>;

// ---- the ingest thread ---------------------------------------------------------------------
// Not actors: one plain thread (CAF 0.17 detached actors deadlock at shutdown) runs these
// parts, each a file pair without CAF, tested on kafka::MockCluster. They are started in this
// order and stopped in reverse (Ingest, ingest.hpp, wires them):
// - Delivery (delivery.hpp): the producers and the Sink; serves delivery reports, resends
//   failures, acknowledges consumed messages, commits offsets with their restore points.
// - Poller (poller.hpp): fetches requests, feedback, quote requests and ticks; checks keys and sizes (DLQ);
//   sends IngestBatch to the tenant manager and TickBatch to the market actor; backpressure.
// - Rebalancer (rebalancer.hpp): on assignment reads the changelog and the answers and sends
//   RestoredStates to the manager; on revoke sends (drop_atom, partitions) — never a request,
//   so nothing waits on an actor inside librdkafka's callback.
// - Transactions (transactions.hpp): exactly_once; commits offsets inside the producer's
//   transactions, aborts and rewinds on abortable errors.

}  // namespace hanzo::hmm::actors
