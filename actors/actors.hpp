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
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include <caf/atom.hpp>
#include <caf/typed_actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/replies_to.hpp>

#include "hanzo/hmm/kafka/types.hpp"
#include "hanzo/hmm/mm/tenant_session.hpp"
#include "hanzo/hmm/routing/types.hpp"
#include "hanzo/hmm/wire/market.hpp"
#include "write_gate.hpp"

namespace hanzo::hmm::actors {

// ---- messages -----------------------------------------------------------------------------

// One consumed request or feedback. `token` names the Kafka message (its result acknowledges
// it); `timestamp_ms` is its Kafka timestamp (-1 if none), for the latency metric. The ingest
// thread checks only the key and the size and passes the message as it came (kafka::Message):
// the tenant actor decodes it, so JSON parsing spreads over the actor threads instead of
// serialising on the one ingest thread; an undecodable one goes to the DLQ from there.
// `partition`/`offset` place it on its topic (-1: not from Kafka, e.g. tests): the tenant's
// changelog record goes to that partition and remembers the offsets it has applied.
struct TenantItem {
  std::uint64_t token{0};
  std::int64_t timestamp_ms{-1};
  std::variant<routing::RoutingRequest, routing::Feedback, kafka::Message> body;
  std::int32_t partition{-1};
  std::int64_t offset{-1};
};

// A tenant's items from one poll round, in offset order.
struct TenantBatch {
  std::string tenant;
  std::vector<TenantItem> items;
};

// Everything one poll round brought for tenants.
struct IngestBatch {
  std::vector<TenantBatch> tenants;
};

// One decoded tick, with the consumed message it came from (a tick the market rejects goes to
// the DLQ unchanged, so the original travels along).
struct TickItem {
  std::uint64_t token{0};
  std::int64_t timestamp_ms{-1};
  std::optional<wire::TickMessage> tick;  // empty: the market actor decodes `original`
  kafka::Message original;
};

struct TickBatch {
  std::vector<TickItem> items;
};

// One request prepared by its tenant actor. `rejection` non-empty: the request cannot be served
// for this tenant (e.g. observations of the wrong length) and is answered "rejected" with it.
struct RouteItem {
  std::uint64_t token{0};
  std::int64_t timestamp_ms{-1};
  std::int64_t offset{-1};
  routing::RoutingRequest request;
  mm::TenantPart part;
  std::string rejection;
};

// A run of consecutive requests of one tenant. The session is shared read-only for the
// outcome counts: its tenant actor does not touch it until the reply arrives. The router
// produces the decisions itself, to `decisions_partition`, counted on the tenant's `gate`
// (which the tenant keeps alive until the reply).
struct RouteRun {
  std::string tenant;
  std::shared_ptr<const mm::TenantSession> session;
  std::vector<RouteItem> items;
  std::int32_t partition{-1};            // the requests' partition (-1: not from Kafka)
  std::int32_t decisions_partition{-1};  // -1: the partitioner's choice
  WriteGate* gate{nullptr};
};

// The run travels by pointer: the tenant needs its items back to remember the routed ones.
struct RouteRunMsg {
  std::shared_ptr<RouteRun> run;
};

// Per item of the run: the routed model's catalogue index (nullopt if rejected); the
// decisions are produced by then.
struct RouteResult {
  std::vector<std::optional<std::size_t>> routed;
};

// A tenant's state as bytes (daemon::TenantRecord: the TenantSession checkpoint, and the
// answers a restore found for requests that may be redelivered).
struct TenantState {
  std::string tenant;
  std::vector<std::byte> bytes;
};

// Tenant states read back from the changelog (and their answers from the decisions topic) for
// newly assigned partitions.
struct RestoredStates {
  std::vector<TenantState> states;
};

// What the tenant manager holds (tests, metrics, the status line).
struct ManagerStatus {
  std::size_t resident{0};
  std::size_t dormant{0};
  std::uint64_t evictions{0};
  std::uint64_t spawned{0};
};

}  // namespace hanzo::hmm::actors

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
    // Ticks in offset order.
    caf::reacts_to<TickBatch>,
    // Liveness probe from the ingest thread: beats Health::market.
    caf::reacts_to<heartbeat_atom>,
    // The current snapshot (tests, status).
    caf::replies_to<prices_atom>::with<market::Snapshot>>;

}  // namespace hanzo::hmm::actors
