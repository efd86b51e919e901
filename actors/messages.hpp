// The messages between the parts of hanzo-hmmd (actors and the ingest thread), without CAF:
// the ingest thread's parts include this, not actors.hpp. actors.hpp lists who handles them.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "hanzo/hmm/kafka/types.hpp"
#include "hanzo/hmm/mm/tenant_session.hpp"
#include "hanzo/hmm/routing/types.hpp"
#include "hanzo/hmm/wire/market.hpp"
#include "write_gate.hpp"

namespace hanzo::hmm::actors {

struct SharedPool;  // shared_pools.hpp

// ---- messages -----------------------------------------------------------------------------

// One consumed request or feedback. `token` names the Kafka message (its result acknowledges
// it); `timestamp_ms` is its Kafka timestamp (-1 if none), for the latency metric. The ingest
// thread checks only the key and the size and passes the message as it came (kafka::Message):
// the tenant actor decodes it, so JSON parsing spreads over the actor threads instead of
// serialising on the one ingest thread; an undecodable one goes to the DLQ from there.
// `partition`/`offset` place it on its topic (-1: not from Kafka, e.g. tests): the tenant's
// changelog record goes to that partition and remembers the offsets it has applied. `polled`
// is when the poll loop took it from the consumer (default: unknown), for the processing metric.
struct TenantItem {
  std::uint64_t token{0};
  std::int64_t timestamp_ms{-1};
  std::variant<routing::RoutingRequest, routing::Feedback, kafka::Message> body;
  std::int32_t partition{-1};
  std::int64_t offset{-1};
  std::chrono::steady_clock::time_point polled{};
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

// One consumed quote request, as it came: the market actor decodes and answers it (or sends it
// to the DLQ unchanged).
struct QuoteItem {
  std::uint64_t token{0};
  kafka::Message original;
};

// What one poll round brought for the market actor: ticks in offset order, then quote requests,
// answered at the prices those ticks leave.
struct TickBatch {
  std::vector<TickItem> items;
  std::vector<QuoteItem> quotes;
};

// One request prepared by its tenant actor. `rejection` non-empty: the request cannot be served
// for this tenant (e.g. observations of the wrong length) and is answered "rejected" with it.
struct RouteItem {
  std::uint64_t token{0};
  std::int64_t timestamp_ms{-1};
  std::chrono::steady_clock::time_point polled{};  // TenantItem::polled
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
  SharedPool* pool{nullptr};  // the tenant's group pool (router.shared_base), else null
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
