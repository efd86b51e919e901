#include "rebalancer.hpp"

#include <algorithm>
#include <map>

#include "client_properties.hpp"
#include "hanzo/hmm/daemon/answer_log.hpp"
#include "hanzo/hmm/daemon/metrics.hpp"
#include "log.hpp"

namespace hanzo::hmm::actors {

namespace {
using Clock = std::chrono::steady_clock;
constexpr std::size_t kRestoreChunk = 10000;  // states per message to the manager
}  // namespace

std::vector<std::int32_t> Rebalancer::partitions_of(const std::vector<kafka::TopicPartition>& tps) const {
  const auto& t = engine_.config.topics;
  std::vector<std::int32_t> out;
  for (const auto& tp : tps)
    if ((tp.topic == t.requests || tp.topic == t.feedback) &&
        std::find(out.begin(), out.end(), tp.partition) == out.end())
      out.push_back(tp.partition);
  return out;
}

std::vector<std::int32_t> Rebalancer::answer_partitions(std::int32_t partition) const {
  return daemon::answer_partitions(partition, engine_.layout.requests.load(std::memory_order_relaxed),
                                   engine_.layout.decisions.load(std::memory_order_relaxed));
}

void Rebalancer::restore(const std::vector<kafka::TopicPartition>& assigned) {
  const auto partitions = partitions_of(assigned);
  for (auto p : partitions) poller_.hold(p);
  if (partitions.empty()) return;
  const auto start = Clock::now();
  auto keep_going = [this] {
    if (keep_alive_) keep_alive_();
    return !stop_.load(std::memory_order_relaxed);
  };
  // Where to start (the restore points committed with the offsets), and what is committed:
  // answers to requests behind the committed offsets will not be needed.
  const auto& topics = engine_.config.topics;
  std::vector<kafka::TopicPartition> requests;
  for (auto p : partitions) requests.push_back({topics.requests, p});
  auto c = poller_.consumer().committed(requests, std::chrono::seconds(10));
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
  if (!complete(*states, *answers)) return;
  delivery_.sink().with_index([&](ChangelogIndex& index) {
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
    if (targets_.restored) targets_.restored(std::move(chunk));
  }
  for (const auto& [q, end] : answers->read.ends) delivery_.sink().seed_decisions(q, end);
  for (auto p : partitions) {
    DecisionFloors::Floors from;
    for (auto q : answer_partitions(p))
      if (auto f = decisions_from.find(q); f != decisions_from.end() && f->second >= 0) from[q] = f->second;
    const auto through = answers->answered_through.find(p);
    delivery_.restored(p, std::max<std::int64_t>(committed[p], 0), std::move(from),
                       through == answers->answered_through.end() ? -1 : through->second);
    poller_.release(p);
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

bool Rebalancer::complete(const daemon::RestoredChangelog& states, const daemon::RestoredAnswers& answers) {
  std::vector<std::string> problems = states.read.lost;
  problems.insert(problems.end(), answers.read.lost.begin(), answers.read.lost.end());
  for (const auto& b : states.broken) problems.push_back("tenant " + b.id + ": " + b.reason);
  if (problems.empty()) return true;
  // The broker no longer has what a restore needs: restoring anyway would silently start those
  // tenants from an older (or no) state, or answer redelivered requests differently. Hold the
  // partitions back and say so: an operator decides (docs/durability.md, "Data loss").
  std::string text;
  for (std::size_t i = 0; i < problems.size() && i < 10; ++i) text += "\n  " + problems[i];
  if (problems.size() > 10) text += "\n  ... and " + std::to_string(problems.size() - 10) + " more";
  log_error("restore: DATA LOST by the broker; these partitions are not processed:" + text);
  if (engine_.metrics) engine_.metrics->restore_data_lost(problems.size());
  return false;
}

void Rebalancer::forget(const std::vector<kafka::TopicPartition>& tps) {
  const auto partitions = partitions_of(tps);
  delivery_.forget(tps, partitions);
  for (auto p : partitions) poller_.release(p);
  if (!partitions.empty() && targets_.dropped) targets_.dropped(partitions);
}

}  // namespace hanzo::hmm::actors
