#include "ingest.hpp"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <thread>

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include "hanzo/hmm/daemon/answer_log.hpp"
#include "hanzo/hmm/daemon/notify.hpp"
#include "hanzo/hmm/kafka/dlq.hpp"
#include "hanzo/hmm/wire/market.hpp"
#include "log.hpp"
#include "output.hpp"

namespace hanzo::hmm::actors {

namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t kMaxPollRound = 2048;  // messages per poll round before handing them on

}  // namespace

Ingest::Ingest(Engine& engine) : engine_(engine) {}

// The producers go first: their last delivery reports (served while they flush) still reach
// the sink and the ledger.
Ingest::~Ingest() {
  changelog_.reset();
  producer_.reset();
}

void Ingest::dead_letter(const kafka::Message& msg, std::uint64_t token, daemon::DlqReason reason, std::string detail) {
  actors::dead_letter(engine_, msg, token, reason, detail);
}

void Ingest::handle(kafka::Message&& msg) {
  const auto& topics = engine_.config.topics;
  // A partition whose tenants could not be restored (SIGTERM during the restore): leave its
  // messages uncommitted for whoever restores it next.
  if (!unrestored_.empty() && msg.topic != topics.ticks && unrestored_.count(msg.partition)) return;
  ++stats_.consumed;
  auto token = ledger_.dispatch({msg.topic, msg.partition}, msg.offset);
  if (!token) {
    log_error("not dispatched: " + token.error().to_string());
    return;
  }
  ++stats_.dispatched;
  ++txn_messages_;
  const std::int64_t ts = msg.timestamp_ms.value_or(-1);
  if (engine_.metrics) {
    engine_.metrics->consumed(msg.topic == topics.ticks      ? daemon::SourceTopic::ticks
                              : msg.topic == topics.requests ? daemon::SourceTopic::requests
                                                             : daemon::SourceTopic::feedback);
    if (ts >= 0) engine_.metrics->event_age(static_cast<double>(now_ms() - ts) / 1000.0);
  }
  if (msg.value.size() > engine_.config.max_message_bytes)
    return dead_letter(msg, *token, daemon::DlqReason::too_large,
                       std::to_string(msg.value.size()) + " bytes, limit " +
                           std::to_string(engine_.config.max_message_bytes));
  if (msg.topic == topics.ticks) {
    tick_batch_.items.push_back(TickItem{*token, ts, std::nullopt, std::move(msg)});
    return;
  }
  if (!msg.key || msg.key->empty() || msg.key->size() > engine_.config.max_tenant_id_bytes ||
      msg.key->find('\0') != std::string::npos) {
    // A NUL would make a tenant id collide with another tenant's changelog delta keys.
    const std::string detail = !msg.key          ? "no key (the key is the tenant id)"
                               : msg.key->empty() ? "empty key (the key is the tenant id)"
                               : msg.key->size() > engine_.config.max_tenant_id_bytes
                                   ? "key of " + std::to_string(msg.key->size()) + " bytes, limit " +
                                         std::to_string(engine_.config.max_tenant_id_bytes)
                                   : "key contains a NUL byte";
    return dead_letter(msg, *token, daemon::DlqReason::bad_key, detail);
  }
  if (msg.topic == topics.requests) mark_round(msg.partition, msg.offset);
  auto [it, fresh] = batch_index_.try_emplace(*msg.key, tenant_batch_.tenants.size());
  if (fresh) tenant_batch_.tenants.push_back(TenantBatch{*msg.key, {}});
  const std::int32_t partition = msg.partition;
  const std::int64_t offset = msg.offset;
  tenant_batch_.tenants[it->second].items.push_back(TenantItem{*token, ts, std::move(msg), partition, offset});
}

void Ingest::flush_batches() {
  if (!tenant_batch_.tenants.empty()) {
    caf::anon_send(manager_, std::move(tenant_batch_));
    tenant_batch_ = IngestBatch{};
    batch_index_.clear();
  }
  if (!tick_batch_.items.empty()) {
    caf::anon_send(market_, std::move(tick_batch_));
    tick_batch_ = TickBatch{};
  }
}

void Ingest::serve() {
  producer_->poll(std::chrono::milliseconds(0));
  if (changelog_) changelog_->poll(std::chrono::milliseconds(0));
  for (auto token : sink_->take_done()) ledger_.acknowledge(token);
  if (!retry_.empty()) {
    auto again = std::move(retry_);
    retry_.clear();
    for (auto& [record, token] : again) sink_->produce(std::move(record), token);
  }
}

void Ingest::pause_all(bool pause) {
  auto assigned = consumer_->assignment();
  if (!assigned) return;
  for (const auto& tp : *assigned)
    if (auto ok = pause ? consumer_->pause(tp.topic, tp.partition) : consumer_->resume(tp.topic, tp.partition); !ok)
      log_warning(ok.error().to_string());
  paused_ = pause ? assigned->size() : 0;
  if (engine_.metrics) engine_.metrics->paused_partitions(paused_);
}

void Ingest::backpressure() {
  switch (bp_.update(ledger_.in_flight())) {
    case kafka::Backpressure::Action::pause: pause_all(true); break;
    case kafka::Backpressure::Action::resume: pause_all(false); break;
    case kafka::Backpressure::Action::none: break;
  }
}

std::vector<std::int32_t> Ingest::answer_partitions(std::int32_t partition) const {
  return daemon::answer_partitions(partition, engine_.layout.requests.load(std::memory_order_relaxed),
                                   engine_.layout.decisions.load(std::memory_order_relaxed));
}

void Ingest::mark_round(std::int32_t partition, std::int64_t offset) {
  if (partition < 0) return;
  if (round_marked_.size() <= static_cast<std::size_t>(partition)) round_marked_.resize(partition + 1, 0);
  if (round_marked_[partition] == round_) return;
  round_marked_[partition] = round_;
  floors_.round(partition, offset, sink_->decision_floors(answer_partitions(partition)));
}

std::vector<kafka::TopicPartitionOffset> Ingest::take_commits() {
  auto offsets = ledger_.take_commits();
  // Ticks are read from the beginning by every instance: nothing of theirs is committed.
  std::erase_if(offsets, [&](const auto& o) { return o.topic == engine_.config.topics.ticks; });
  for (auto& o : offsets)
    if (o.topic == engine_.config.topics.requests) {
      daemon::RestorePoint point;
      point.decisions = floors_.at(o.partition, o.offset);
      point.changelog = sink_->changelog_floor(o.partition);
      o.metadata = point.encode();
    }
  return offsets;
}

void Ingest::commit(kafka::CommitMode mode) {
  if (eos_) return;  // offsets go into the transaction instead (end_transaction)
  auto offsets = take_commits();
  if (offsets.empty()) return;
  if (auto ok = consumer_->commit(offsets, mode); !ok) {
    ledger_.commit_failed(offsets);
    return log_warning("commit failed: " + ok.error().to_string());
  }
  if (mode == kafka::CommitMode::sync) note_committed(offsets);
}

void Ingest::note_committed(const std::vector<kafka::TopicPartitionOffset>& offsets) {
  for (const auto& o : offsets)
    if (o.topic == engine_.config.topics.requests && o.offset >= 0) engine_.committed.set(o.partition, o.offset);
}

void Ingest::periodic(Clock::time_point now) {
  const auto interval = std::chrono::duration_cast<Clock::duration>(
      std::chrono::duration<double>(engine_.config.commit_interval_seconds));
  if (eos_) {
    transaction_round(now);
  } else if (now - last_commit_ >= interval) {
    commit(kafka::CommitMode::async);
    last_commit_ = now;
  }
  // The market actor's liveness probe: often enough for a watchdog of a second or less.
  if (now - last_heartbeat_ >= std::chrono::milliseconds(100)) {
    last_heartbeat_ = now;
    caf::anon_send(market_, heartbeat_atom::value);
  }
  if (now - last_metrics_ >= std::chrono::seconds(1)) {
    last_metrics_ = now;
    if (engine_.metrics) {
      engine_.metrics->producer_queue(producer_->queue_length() + (changelog_ ? changelog_->queue_length() : 0));
      engine_.metrics->consumer_lag(consumer_->statistics_lag());  // never blocks the poll loop
    }
  }
}

namespace {
// Fault injection for the slow-consumer test: HANZO_HMMD_FAILPOINT_STALL="AFTER:MS" stalls the
// poll loop for MS milliseconds once AFTER messages have been consumed (librdkafka's threads go
// on, so max.poll.interval.ms expires). Unset in production; read once at start.
struct StallFailpoint {
  std::uint64_t after{0};
  std::chrono::milliseconds stall{0};
  bool armed{false};
  static StallFailpoint from_environment() {
    StallFailpoint f;
    if (const char* v = std::getenv("HANZO_HMMD_FAILPOINT_STALL")) {
      char* end = nullptr;
      f.after = std::strtoull(v, &end, 10);
      if (end && *end == ':') {
        f.stall = std::chrono::milliseconds(std::strtoll(end + 1, nullptr, 10));
        f.armed = f.stall.count() > 0;
      }
      if (f.armed) log_warning(std::string("failpoint HANZO_HMMD_FAILPOINT_STALL=") + v + " armed");
    }
    return f;
  }
};
}  // namespace

IngestStats Ingest::run(tenant_manager_actor manager, market_actor market, const std::atomic<bool>& stop) {
  stop_ = &stop;
  auto failpoint = StallFailpoint::from_environment();
  manager_ = std::move(manager);
  market_ = std::move(market);
  while (!stop.load(std::memory_order_relaxed) && !failed()) {
    const auto now = Clock::now();
    const auto acks_before = ledger_.acknowledgements();
    // Block briefly only when idle, so acknowledgements keep flowing under load.
    auto wait = ledger_.in_flight() > 0 ? std::chrono::milliseconds(1) : std::chrono::milliseconds(20);
    if (failpoint.armed && stats_.consumed >= failpoint.after) {
      failpoint.armed = false;
      log_warning("failpoint: stalling the poll loop for " + std::to_string(failpoint.stall.count()) + " ms");
      std::this_thread::sleep_for(failpoint.stall);
    }
    ++round_;
    std::size_t polled = poll_round(*consumer_, wait);
    polled += poll_round(*ticks_, std::chrono::milliseconds(0));
    flush_batches();
    serve();
    // The watchdog vouches for progress, not for a spinning loop: beat when something moved
    // (a message consumed, a result acknowledged) or when there is nothing to do and Kafka is
    // reachable. Cut off from Kafka with work pending (or idle and disconnected), the daemon
    // stops beating, so systemd's watchdog restarts it unless it recovers in time.
    const bool moved = polled > 0 || ledger_.acknowledgements() != acks_before;
    const bool idle_and_connected =
        ledger_.in_flight() == 0 && consumer_->statistics_connected(std::chrono::seconds(3)).value_or(true);
    if (moved || idle_and_connected) {
      if (engine_.health) engine_.health->beat(daemon::Health::poll_loop, now);
      last_progress_ = now;
    }
    if (engine_.metrics) engine_.metrics->progressing(now - last_progress_ < std::chrono::seconds(5));
    backpressure();
    periodic(now);
    consumed_.store(stats_.consumed, std::memory_order_relaxed);
    in_flight_.store(ledger_.in_flight(), std::memory_order_relaxed);
  }
  drain();
  return stats_;
}

std::size_t Ingest::poll_round(kafka::Consumer& consumer, std::chrono::milliseconds wait) {
  std::size_t n = 0;
  for (; n < kMaxPollRound; ++n) {
    auto m = consumer.poll(n == 0 ? wait : std::chrono::milliseconds(0));
    if (!m) {
      log_warning("poll: " + m.error().to_string());
      break;
    }
    if (!*m) break;
    handle(std::move(**m));
  }
  return n;
}

std::string Ingest::status_line() const {
  return "processing: consumed " + std::to_string(consumed_.load(std::memory_order_relaxed)) + ", dead-lettered " +
         std::to_string(engine_.dead_letters.load(std::memory_order_relaxed)) + ", in flight " +
         std::to_string(in_flight_.load(std::memory_order_relaxed));
}

void Ingest::drain() {
  pause_all(true);
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(engine_.config.shutdown_timeout_seconds));
  log_info("draining " + std::to_string(ledger_.in_flight()) + " messages in flight");
  while (ledger_.in_flight() > 0 && Clock::now() < deadline) {
    // Keep polling (group membership, delivery reports); anything fetched now is not
    // dispatched, so its offset is not committed and the next owner reads it again.
    (void)consumer_->poll(std::chrono::milliseconds(5));
    (void)ticks_->poll(std::chrono::milliseconds(0));
    serve();
    if (engine_.health) engine_.health->beat(daemon::Health::poll_loop);
  }
  if (changelog_)
    if (auto ok = changelog_->flush(std::chrono::milliseconds(5000)); !ok) log_error(ok.error().to_string());
  if (auto ok = producer_->flush(std::chrono::milliseconds(5000)); !ok) log_error(ok.error().to_string());
  serve();
  if (eos_ && !failed()) (void)end_transaction(false);
  if (eos_ && failed()) (void)producer_->abort_transaction(std::chrono::seconds(5));  // best effort; fenced: fails
  commit(kafka::CommitMode::sync);
  stats_.left_in_flight = ledger_.in_flight();
  stats_.dead_lettered = engine_.dead_letters.load(std::memory_order_relaxed);
  stats_.failed = failed();
  if (auto ok = consumer_->close(); !ok) log_warning("leaving the group: " + ok.error().to_string());
  (void)ticks_->close();
}

}  // namespace hanzo::hmm::actors
