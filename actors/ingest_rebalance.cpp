// The ingest thread's rebalance hooks (issue 5): restore on assignment, release on revoke.
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
  // Where to start (the restore points committed with the offsets), and what is committed:
  // answers to requests behind the committed offsets will not be needed.
  const auto& topics = engine_.config.topics;
  std::vector<kafka::TopicPartition> requests;
  for (auto p : partitions) requests.push_back({topics.requests, p});
  auto c = consumer_->committed(requests, std::chrono::seconds(10));
  if (!c) {
    // Slower, not wrong: read everything there is and keep every answer.
    log_warning("restore: committed offsets unknown (" + c.error().to_string() +
                "); reading the changelog and the decisions from their beginning");
    c = std::vector<kafka::TopicPartitionOffset>{};
    for (auto p : partitions) c->push_back({topics.requests, p, -1});
  }
  std::map<std::int32_t, std::int64_t> committed, changelog_from, decisions_from;
  for (const auto& o : *c) {
    committed[o.partition] = o.offset;
    engine_.committed.set(o.partition, o.offset);
    const auto point = daemon::RestorePoint::decode(o.metadata);
    changelog_from[o.partition] = point && point->changelog >= 0 ? point->changelog : kafka::Consumer::kOffsetBeginning;
    for (auto q : answer_partitions(o.partition)) {
      std::int64_t from = kafka::Consumer::kOffsetBeginning;
      if (point)
        if (auto f = point->decisions.find(q); f != point->decisions.end()) from = f->second;
      auto [it, fresh] = decisions_from.try_emplace(q, from);
      if (!fresh) it->second = std::min(it->second, from);  // shared with another requests partition
    }
  }
  const auto props = consumer_properties(engine_.config.kafka_properties());
  auto states = daemon::read_changelog(props, topics.tenant_state, changelog_from, keep_going);
  auto answers = states && states->read.complete
                     ? daemon::read_answers(props, topics.decisions, decisions_from, committed, keep_going)
                     : Result<daemon::RestoredAnswers>(daemon::RestoredAnswers{});
  if (!states || !answers) {
    // Without their state the tenants would start afresh and learn twice: leave these
    // partitions' messages undispatched (uncommitted) and say so loudly.
    log_error("restoring tenants failed: " + (!states ? states.error() : answers.error()).to_string() +
              "; their messages are not processed until the next assignment");
    return;
  }
  if (!states->read.complete || !answers->read.complete) {
    log_warning("restore interrupted (stopping); those partitions' messages stay uncommitted");
    return;
  }
  if (!restore_complete(*states, *answers)) return;
  sink_->with_index([&](ChangelogIndex& index) {
    for (const auto& t : states->tenants) index.restored(t.partition, t.id, t.full_offset);
    for (const auto& [p, end] : states->read.ends) index.seen_end(p, end);
  });
  std::vector<std::string> errors;
  auto records = daemon::restored_records(std::move(states->tenants), std::move(answers->answers), errors);
  for (const auto& e : errors) log_error("restore: " + e);
  const auto tenants = records.size();
  for (std::size_t i = 0; i < records.size(); i += kRestoreChunk) {
    RestoredStates chunk;
    const auto end = std::min(records.size(), i + kRestoreChunk);
    for (std::size_t k = i; k < end; ++k) chunk.states.push_back({std::move(records[k].first), std::move(records[k].second)});
    // Mailbox order: the manager has them before any item polled after this callback.
    caf::anon_send(manager_, std::move(chunk));
  }
  for (const auto& [q, end] : answers->read.ends) sink_->seed_decisions(q, end);
  for (auto p : partitions) {
    DecisionFloors::Floors from;
    for (auto q : answer_partitions(p))
      if (auto f = decisions_from.find(q); f != decisions_from.end() && f->second >= 0) from[q] = f->second;
    floors_.forget(p);
    floors_.round(p, std::max<std::int64_t>(committed[p], 0), std::move(from));
    unrestored_.erase(p);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  if (engine_.metrics) {
    engine_.metrics->tenants_restored(tenants);
    engine_.metrics->restore_seconds(seconds);
  }
  log_info("restored " + std::to_string(tenants) + " tenants of " + std::to_string(partitions.size()) +
           " partitions from " + std::to_string(states->read.records) + " changelog records (" +
           std::to_string(states->read.bytes) + " bytes) and " + std::to_string(answers->read.records) +
           " decisions in " + std::to_string(seconds) + " s");
}

bool Ingest::restore_complete(const daemon::RestoredChangelog& states, const daemon::RestoredAnswers& answers) {
  std::vector<std::string> problems = states.read.lost;
  problems.insert(problems.end(), answers.read.lost.begin(), answers.read.lost.end());
  for (const auto& b : states.broken) problems.push_back("tenant " + b.id + ": " + b.reason);
  if (problems.empty()) return true;
  // The broker no longer has what a restore needs: restoring anyway would silently start those
  // tenants from an older (or no) state, or answer redelivered requests differently. Hold the
  // partitions back and say so: an operator decides (see the README, "Data loss").
  std::string text;
  for (std::size_t i = 0; i < problems.size() && i < 10; ++i) text += "\n  " + problems[i];
  if (problems.size() > 10) text += "\n  ... and " + std::to_string(problems.size() - 10) + " more";
  log_error("restore: DATA LOST by the broker; these partitions are not processed:" + text);
  if (engine_.metrics) engine_.metrics->restore_data_lost(problems.size());
  return false;
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
  for (auto p : partitions) {
    floors_.forget(p);
    sink_->with_index([p](ChangelogIndex& index) { index.forget(p); });
  }
  if (partitions.empty() || !manager_) return;
  // Not a request: nothing waits on an actor inside a librdkafka callback. Mailbox order puts
  // the drop before any item polled after this callback.
  caf::anon_send(manager_, drop_atom::value, partitions);
}

}  // namespace hanzo::hmm::actors
