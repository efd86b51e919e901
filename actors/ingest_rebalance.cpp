// The ingest thread's rebalance hooks (issue 5): restore on assignment, release on revoke.
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "hanzo/hmm/daemon/changelog.hpp"
#include "ingest.hpp"
#include "log.hpp"

namespace hanzo::hmm::actors {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kRestoreChunk = 10000;  // states per message to the manager

std::vector<std::int32_t> partitions_of(const std::vector<kafka::TopicPartition>& tps, const daemon::Topics& t) {
  std::vector<std::int32_t> out;
  for (const auto& tp : tps)
    if ((tp.topic == t.requests || tp.topic == t.feedback) &&
        std::find(out.begin(), out.end(), tp.partition) == out.end())
      out.push_back(tp.partition);
  return out;
}

}  // namespace

void Ingest::restore(const std::vector<kafka::TopicPartition>& assigned) {
  const auto partitions = partitions_of(assigned, engine_.config.topics);
  for (auto p : partitions) unrestored_.insert(p);
  if (partitions.empty()) return;
  const auto start = Clock::now();
  auto keep_going = [this] {
    // A long restore is progress: keep systemd's start timeout and watchdog satisfied.
    notifier_.extend_timeout(std::chrono::seconds(10));
    if (engine_.health) engine_.health->beat(daemon::Health::poll_loop);
    serve();  // deliveries of other partitions' results keep flowing
    return !(stop_ && stop_->load(std::memory_order_relaxed));
  };
  // Answers behind the group's committed offsets will not be redelivered: leave them out.
  std::map<std::int32_t, std::int64_t> committed;
  std::vector<kafka::TopicPartition> requests;
  for (auto p : partitions) requests.push_back({engine_.config.topics.requests, p});
  if (auto c = consumer_->committed(requests, std::chrono::seconds(10)); c)
    for (const auto& o : *c) {
      committed[o.partition] = o.offset;
      engine_.committed.set(o.partition, o.offset);
    }
  else
    log_warning("committed offsets unknown (" + c.error().to_string() + "); restoring every answer");
  auto restored = daemon::read_changelog(consumer_properties(engine_.config.kafka_properties()), engine_.config.topics.tenant_state,
                                         partitions, std::move(committed), keep_going);
  if (!restored) {
    // Without their state the tenants would start afresh and learn twice: leave these
    // partitions' messages undispatched (uncommitted) and say so loudly.
    log_error("restoring tenants from the changelog failed: " + restored.error().to_string() +
              "; their messages are not processed until the next assignment");
    return;
  }
  if (!restored->complete) {
    log_warning("restore interrupted (stopping); those partitions' messages stay uncommitted");
    return;
  }
  const auto tenants = restored->states.size();
  for (std::size_t i = 0; i < restored->states.size(); i += kRestoreChunk) {
    RestoredStates chunk;
    const auto end = std::min(restored->states.size(), i + kRestoreChunk);
    for (std::size_t k = i; k < end; ++k)
      chunk.states.push_back({std::move(restored->states[k].first), std::move(restored->states[k].second)});
    // Mailbox order: the manager has them before any item polled after this callback.
    caf::anon_send(manager_, std::move(chunk));
  }
  for (auto p : partitions) unrestored_.erase(p);
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (engine_.metrics) {
    engine_.metrics->tenants_restored(tenants);
    engine_.metrics->restore_seconds(seconds);
  }
  log_info("restored " + std::to_string(tenants) + " tenants of " + std::to_string(partitions.size()) +
           " partitions from " + std::to_string(restored->records) + " changelog records (" +
           std::to_string(restored->bytes) + " bytes) in " + std::to_string(seconds) + " s");
}

void Ingest::release(const std::vector<kafka::TopicPartition>& revoked) {
  // Finish what was dispatched: every result produced and acknowledged, every changelog record
  // durable. Then the commit covers all of it and the next owner starts exactly behind it.
  flush_batches();
  if (!quiesce())
    log_warning(std::to_string(ledger_.in_flight()) +
                " messages still in flight at revoke; the next owner processes them again");
  if (eos_) {
    if (!failed()) (void)end_transaction(true, revoked);
  } else {
    commit(kafka::CommitMode::sync);
  }
  forget(revoked);
}

bool Ingest::quiesce(std::optional<Clock::duration> stall) {
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(engine_.config.shutdown_timeout_seconds));
  auto last_change = Clock::now();
  auto last = std::pair(ledger_.in_flight(), sink_->states_pending());
  while ((last.first > 0 || last.second > 0) && Clock::now() < deadline) {
    producer_->poll(std::chrono::milliseconds(1));
    serve();
    if (engine_.health) engine_.health->beat(daemon::Health::poll_loop);
    const auto now_state = std::pair(ledger_.in_flight(), sink_->states_pending());
    if (now_state != last) last = now_state, last_change = Clock::now();
    if (stall && Clock::now() - last_change > *stall) break;
  }
  return ledger_.in_flight() == 0 && sink_->states_pending() == 0;
}

void Ingest::forget(const std::vector<kafka::TopicPartition>& tps) {
  for (const auto& tp : tps) ledger_.remove(tp);
  const auto partitions = partitions_of(tps, engine_.config.topics);
  for (auto p : partitions) unrestored_.erase(p);
  if (partitions.empty() || !manager_) return;
  caf::scoped_actor self{caf::actor_cast<caf::actor>(manager_)->home_system()};
  self->request(manager_, std::chrono::seconds(30), drop_atom::value, partitions)
      .receive([&](std::uint64_t n) { log_info("dropped " + std::to_string(n) + " tenants of revoked partitions"); },
               [&](const caf::error& e) {
                 log_error("dropping revoked tenants: " + self->system().render(e));
               });
}

}  // namespace hanzo::hmm::actors
