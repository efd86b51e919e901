#include "ingest.hpp"

#include <cstdlib>
#include <thread>

#include <caf/send.hpp>

#include "hanzo/hmm/daemon/metrics.hpp"
#include "log.hpp"

namespace hanzo::hmm::actors {

namespace {

using Clock = std::chrono::steady_clock;

Clock::duration seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

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

Result<std::unique_ptr<Ingest>> Ingest::create(std::shared_ptr<const Engine> engine, std::unique_ptr<Delivery> delivery,
                                               daemon::Notifier notifier) {
  std::unique_ptr<Ingest> in(new Ingest(std::move(engine), std::move(delivery), std::move(notifier)));
  Ingest* self = in.get();
  const Engine& e = *self->engine_;
  kafka::RebalanceCallbacks cb;
  cb.assigned = [self](const auto& tps) { self->assigned(tps); };
  cb.revoked = [self](const auto& tps) { self->revoked(tps); };
  cb.committed = [self](const Result<void>& r, const auto& offsets) { self->committed(r, offsets); };
  auto poller = Poller::create(e, *in->delivery_, std::move(cb));
  if (!poller) return std::move(poller).error();
  in->poller_ = std::move(*poller);
  in->rebalancer_ = std::make_unique<Rebalancer>(e, *in->poller_, *in->delivery_, in->stop_, [self] {
    // A long restore is progress: keep systemd's start timeout and watchdog satisfied, and
    // deliveries of other partitions' results flowing.
    self->notifier_.extend_timeout(std::chrono::seconds(10));
    self->beat();
    self->delivery_->serve();
  });
  // Not requests: nothing waits on an actor inside a librdkafka callback. Mailbox order puts
  // these before any item polled after the callback.
  in->rebalancer_->set_targets({[self](RestoredStates&& s) { caf::anon_send(self->manager_, std::move(s)); },
                                [self](std::vector<std::int32_t> p) {
                                  if (self->manager_) caf::anon_send(self->manager_, drop_atom::value, std::move(p));
                                }});
  in->targets_ = {[self](IngestBatch&& b) { caf::anon_send(self->manager_, std::move(b)); },
                  [self](TickBatch&& b) { caf::anon_send(self->market_, std::move(b)); }};
  if (in->delivery_->transactional())
    in->transactions_ = std::make_unique<Transactions>(
        e, *in->delivery_, *in->poller_, *in->rebalancer_, in->stop_, [self] { self->poller_->flush(self->targets_); },
        [self] { self->beat(); });
  if (auto ok = in->poller_->subscribe(); !ok) return std::move(ok).error();
  return in;
}

// Stopped in reverse: the consumers leave the group while the parts their callbacks use are
// still there; the producers go last (Delivery flushes their final reports into its ledger).
Ingest::~Ingest() {
  if (poller_) poller_->close();
  transactions_.reset();
  rebalancer_.reset();
  poller_.reset();
  delivery_.reset();
}

Result<void> Ingest::await_connection(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  Result<void> last = make_error(Errc::io_error, "kafka", "not connected");
  const auto& topics = engine_->config.topics;
  while (Clock::now() < deadline && !stop_.load(std::memory_order_relaxed)) {
    auto c = poller_->consumer().committed({{topics.requests, 0}}, std::chrono::milliseconds(500));
    if (!c) {
      last = std::move(c).error();
      continue;
    }
    if (auto ok = poller_->assign_ticks(); !ok) {
      last = std::move(ok).error();
      continue;
    }
    // The first decision must not wait for a metadata round.
    for (const auto* t : {&topics.decisions, &topics.prices, &topics.dlq, &topics.quote_answers}) {
      if (t->empty()) continue;  // quotes off
      if (auto ok = delivery_->producer().warm_up(*t, std::chrono::milliseconds(5000)); !ok)
        log_warning("topic metadata: " + ok.error().to_string());
    }
    if (auto ok = delivery_->changelog().warm_up(topics.tenant_state, std::chrono::milliseconds(5000)); !ok)
      log_warning("topic metadata: " + ok.error().to_string());
    if (auto ok = poller_->read_layout(engine_->layout); !ok) return ok;
    if (transactions_) return transactions_->start();
    return {};
  }
  if (stop_.load(std::memory_order_relaxed)) return make_error(Errc::io_error, "kafka", "stopped while connecting");
  return last;
}

void Ingest::beat() {
  if (engine_->health) engine_->health->beat(daemon::Health::poll_loop);
}

void Ingest::assigned(const std::vector<kafka::TopicPartition>& tps) {
  log_info("assigned " + std::to_string(tps.size()) + " partitions");
  rebalancer_->restore(tps);
  if (poller_->paused())  // fetching is paused (backpressure): the new partitions too
    for (const auto& tp : tps) (void)poller_->consumer().pause(tp.topic, tp.partition);
}

void Ingest::revoked(const std::vector<kafka::TopicPartition>& tps) {
  auto& consumer = poller_->consumer();
  if (consumer.assignment_lost())
    log_warning("assignment of " + std::to_string(tps.size()) +
                " partitions lost (session timeout or max.poll.interval.ms exceeded): dropping their tenants; "
                "they are restored from the changelog on the next assignment");
  else
    log_info("revoked " + std::to_string(tps.size()) + " partitions");
  // Finish what was dispatched: every result produced and acknowledged, every changelog record
  // durable. Then the commit covers all of it and the next owner starts exactly behind it.
  poller_->flush(targets_);
  if (!delivery_->quiesce(Clock::now() + seconds(engine_->config.shutdown_timeout_seconds), std::nullopt,
                          [this] { beat(); }))
    log_warning(std::to_string(delivery_->in_flight()) +
                " messages still in flight at revoke; the next owner processes them again");
  if (transactions_) {
    if (!transactions_->failed()) (void)transactions_->end(true, tps);
  } else {
    commit(kafka::CommitMode::sync);
  }
  rebalancer_->forget(tps);
  // librdkafka would keep them paused into a later re-assignment, where a backpressure resume
  // that ran while nothing was assigned would never reach them: the consumer would stall.
  for (const auto& tp : tps) (void)consumer.resume(tp.topic, tp.partition);
}

void Ingest::committed(const Result<void>& r, const std::vector<kafka::TopicPartitionOffset>& offsets) {
  if (!r) {
    // Offered again on the next commit round: a failed commit is retried, never forgotten.
    delivery_->commit_failed(offsets);
    return log_warning("offset commit failed: " + r.error().to_string());
  }
  for (const auto& o : offsets)
    if (o.topic == engine_->config.topics.requests && o.offset >= 0) engine_->committed.set(o.partition, o.offset);
}

void Ingest::commit(kafka::CommitMode mode) {
  if (transactions_) return;  // offsets go into the transaction instead
  const auto done = delivery_->commit(poller_->consumer(), mode, engine_->config.topics);
  if (!done.empty()) committed({}, done);
}

void Ingest::periodic(Clock::time_point now) {
  if (transactions_) {
    transactions_->round(now);
  } else if (now - last_commit_ >= seconds(engine_->config.commit_interval_seconds)) {
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
    if (auto* m = engine_->metrics) {
      m->producer_queue(delivery_->queue_length());
      m->consumer_lag(poller_->consumer().statistics_lag());  // never blocks the poll loop
    }
  }
}

IngestStats Ingest::run(tenant_manager_actor manager, market_actor market) {
  auto failpoint = StallFailpoint::from_environment();
  manager_ = std::move(manager);
  market_ = std::move(market);
  while (!stop_.load(std::memory_order_relaxed) && !failed()) {
    const auto now = Clock::now();
    const auto acks_before = delivery_->acknowledgements();
    // Block briefly only when idle, so acknowledgements keep flowing under load.
    const auto wait = delivery_->in_flight() > 0 ? std::chrono::milliseconds(1) : std::chrono::milliseconds(20);
    if (failpoint.armed && poller_->consumed() >= failpoint.after) {
      failpoint.armed = false;
      log_warning("failpoint: stalling the poll loop for " + std::to_string(failpoint.stall.count()) + " ms");
      std::this_thread::sleep_for(failpoint.stall);
    }
    const auto dispatched_before = poller_->dispatched();
    const std::size_t polled = poller_->poll(wait, targets_);
    if (transactions_) transactions_->dispatched(poller_->dispatched() - dispatched_before);
    delivery_->serve();
    // The watchdog vouches for progress, not for a spinning loop: beat when something moved
    // (a message consumed, a result acknowledged) or when there is nothing to do and Kafka is
    // reachable. Cut off from Kafka with work pending (or idle and disconnected), the daemon
    // stops beating, so systemd's watchdog restarts it unless it recovers in time.
    const bool moved = polled > 0 || delivery_->acknowledgements() != acks_before;
    // Statistics that stopped (this loop stalled, e.g. in a revoke while the broker was away)
    // vouch for nothing; without statistics at all (disabled) an idle loop is trusted.
    const bool idle_and_connected = delivery_->in_flight() == 0 &&
                                    poller_->consumer().statistics_connected(std::chrono::seconds(3)).value_or(true);
    if (moved || idle_and_connected) {
      beat();
      last_progress_ = now;
    }
    if (engine_->metrics) engine_->metrics->progressing(now - last_progress_ < std::chrono::seconds(5));
    poller_->backpressure(delivery_->in_flight());
    periodic(now);
    consumed_.store(poller_->consumed(), std::memory_order_relaxed);
    in_flight_.store(delivery_->in_flight(), std::memory_order_relaxed);
  }
  drain();
  return stats_;
}

std::string Ingest::status_line() const {
  return "processing: consumed " + std::to_string(consumed_.load(std::memory_order_relaxed)) + ", dead-lettered " +
         std::to_string(engine_->dead_letters.load(std::memory_order_relaxed)) + ", in flight " +
         std::to_string(in_flight_.load(std::memory_order_relaxed));
}

void Ingest::drain() {
  poller_->pause_all(true);
  const auto deadline = Clock::now() + seconds(engine_->config.shutdown_timeout_seconds);
  log_info("draining " + std::to_string(delivery_->in_flight()) + " messages in flight");
  while (delivery_->in_flight() > 0 && Clock::now() < deadline) {
    // Keep polling (group membership, delivery reports); anything fetched now is not
    // dispatched, so its offset is not committed and the next owner reads it again.
    (void)poller_->consumer().poll(std::chrono::milliseconds(5));
    (void)poller_->ticks().poll(std::chrono::milliseconds(0));
    delivery_->serve();
    beat();
  }
  delivery_->flush(std::chrono::milliseconds(5000));
  if (transactions_ && !failed()) (void)transactions_->end(false);
  if (transactions_ && failed()) transactions_->abandon();
  commit(kafka::CommitMode::sync);
  stats_.consumed = poller_->consumed();
  stats_.dispatched = poller_->dispatched();
  stats_.left_in_flight = delivery_->in_flight();
  stats_.dead_lettered = engine_->dead_letters.load(std::memory_order_relaxed);
  stats_.failed = failed();
  poller_->close();
}

}  // namespace hanzo::hmm::actors
