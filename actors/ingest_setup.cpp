// The ingest thread's start-up: its Kafka clients (consumer, ticks reader, producers and the
// sink over them) and the wait for a broker before the first poll.
#include <unistd.h>

#include <chrono>
#include <cstring>

#include "hanzo/hmm/kafka/dlq.hpp"
#include "ingest.hpp"
#include "log.hpp"

namespace hanzo::hmm::actors {

namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

Result<std::unique_ptr<Ingest>> Ingest::create(Engine& engine) {
  std::unique_ptr<Ingest> in(new Ingest(engine));
  auto bp = kafka::Backpressure::make(engine.config.max_in_flight, engine.config.resume_in_flight);
  if (!bp) return std::move(bp).error().within("daemon");
  in->bp_ = *bp;
  const kafka::Config props = engine.config.kafka_properties();
  Ingest* self = in.get();
  auto on_delivery = [self](const kafka::DeliveryReport& r) {
    if (r.result) {
      if (KafkaSink::kind(r.token) == KafkaSink::Kind::input)
        self->ledger_.acknowledge(r.token);
      else
        self->sink_->delivered(r);
    } else if (self->eos_) {
      self->sink_->discard(r.token);  // the transaction is doomed: aborted and rewound, not resent
    } else if (r.undelivered) {
      kafka::Record again = *r.undelivered;
      // The broker refused it for its size (its limit is below the producer's): sending it
      // unchanged would fail forever and hold its input uncommitted.
      if (kafka::is_too_large(r.result.error()) && kafka::drop_value(again))
        log_error("record for " + r.topic + " refused by the broker for its size; sending it without its value");
      else
        log_warning("delivery to " + r.topic + " failed (" + r.result.error().to_string() + "); sending again");
      self->retry_.emplace_back(std::move(again), r.token);
    }
  };
  in->eos_ = engine.config.exactly_once();
  auto pprops = producer_properties(props, engine.config.max_message_bytes);
  if (in->eos_ && !engine.config.sets_kafka_property("transactional.id")) {
    // Stable across restarts of this instance, so a restarted instance fences its predecessor's
    // open transaction; distinct per host. Two instances on one host must set their own.
    std::string group = "hanzo-hmmd";
    for (const auto& [k, v] : props)
      if (k == "group.id") group = v;
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "localhost");
    pprops.emplace_back("transactional.id", group + "-" + host);
  }
  // A configured compression.type applies to every producer (--embedded-kafka configures none:
  // see DaemonConfig::use_embedded_cluster). With exactly_once one transactional producer
  // writes everything (a transaction is one producer's), with the changelog's compression.
  auto producer =
      kafka::Producer::create(in->eos_ ? compressed_properties(pprops, engine.config) : pprops, on_delivery);
  if (!producer) return std::move(producer).error();
  in->producer_ = std::make_unique<kafka::Producer>(std::move(*producer));
  if (!in->eos_) {
    auto changelog = kafka::Producer::create(changelog_properties(pprops, engine.config), on_delivery);
    if (!changelog) return std::move(changelog).error();
    in->changelog_ = std::make_unique<kafka::Producer>(std::move(*changelog));
  }
  in->sink_ = std::make_unique<KafkaSink>(*in->producer_, in->changelog(), engine.metrics);
  in->sink_->set_transactional(in->eos_);
  engine.sink = in->sink_.get();

  kafka::RebalanceCallbacks cb;
  cb.assigned = [self](const std::vector<kafka::TopicPartition>& tps) {
    log_info("assigned " + std::to_string(tps.size()) + " partitions");
    self->restore(tps);
    if (self->bp_.paused)  // fetching is paused (backpressure): the new partitions too
      for (const auto& tp : tps) (void)self->consumer_->pause(tp.topic, tp.partition);
  };
  cb.revoked = [self](const std::vector<kafka::TopicPartition>& tps) {
    if (self->consumer_->assignment_lost())
      log_warning("assignment of " + std::to_string(tps.size()) +
                  " partitions lost (session timeout or max.poll.interval.ms exceeded): dropping their tenants; "
                  "they are restored from the changelog on the next assignment");
    else
      log_info("revoked " + std::to_string(tps.size()) + " partitions");
    self->release(tps);
    // librdkafka would keep them paused into a later re-assignment, where a backpressure resume
    // that ran while nothing was assigned would never reach them: the consumer would stall.
    for (const auto& tp : tps) (void)self->consumer_->resume(tp.topic, tp.partition);
  };
  cb.committed = [self](const Result<void>& r, const std::vector<kafka::TopicPartitionOffset>& offsets) {
    if (!r) {
      // Offered again on the next commit round: a failed commit is retried, never forgotten.
      self->ledger_.commit_failed(offsets);
      return log_warning("offset commit failed: " + r.error().to_string());
    }
    self->note_committed(offsets);
  };
  auto consumer = kafka::Consumer::create(consumer_properties(props), std::move(cb));
  if (!consumer) return std::move(consumer).error();
  in->consumer_ = std::make_unique<kafka::Consumer>(std::move(*consumer));
  // Ticks: every instance reads all of them (no group: manual assignment), so every instance
  // folds the same ticks into the same market state and quotes the same prices.
  auto ticks = kafka::Consumer::create(tick_consumer_properties(props));
  if (!ticks) return std::move(ticks).error();
  in->ticks_ = std::make_unique<kafka::Consumer>(std::move(*ticks));
  const auto& t = engine.config.topics;
  if (auto ok = in->consumer_->subscribe({t.requests, t.feedback}); !ok) return std::move(ok).error();
  return in;
}

Result<void> Ingest::await_connection(std::chrono::milliseconds timeout) {
  const auto deadline = Clock::now() + timeout;
  Result<void> last = make_error(Errc::io_error, "kafka", "not connected");
  while (Clock::now() < deadline) {
    auto c = consumer_->committed({{engine_.config.topics.requests, 0}}, std::chrono::milliseconds(1000));
    if (c) {
      if (auto ok = assign_ticks(); !ok) {
        last = std::move(ok).error();
        continue;
      }
      // The first decision must not wait for a metadata round.
      for (const auto* t : {&engine_.config.topics.decisions, &engine_.config.topics.prices, &engine_.config.topics.dlq})
        if (auto ok = producer_->warm_up(*t, std::chrono::milliseconds(5000)); !ok)
          log_warning("topic metadata: " + ok.error().to_string());
      if (auto ok = changelog().warm_up(engine_.config.topics.tenant_state, std::chrono::milliseconds(5000)); !ok)
        log_warning("topic metadata: " + ok.error().to_string());
      if (auto ok = read_layout(); !ok) return ok;
      if (eos_) return start_transactions();
      return {};
    }
    last = std::move(c).error();
  }
  return last;
}

Result<void> Ingest::read_layout() {
  const auto& t = engine_.config.topics;
  auto requests = consumer_->partition_count(t.requests, std::chrono::seconds(5));
  if (!requests) return std::move(requests).error();
  auto decisions = consumer_->partition_count(t.decisions, std::chrono::seconds(5));
  if (!decisions) return std::move(decisions).error();
  if (*decisions != *requests)
    log_warning("topics: " + t.decisions + " has " + std::to_string(*decisions) + " partitions, " + t.requests +
                " has " + std::to_string(*requests) + "; decisions are placed by request partition (see the README)");
  engine_.layout.requests.store(*requests, std::memory_order_relaxed);
  engine_.layout.decisions.store(*decisions, std::memory_order_relaxed);
  return {};
}

Result<void> Ingest::assign_ticks() {
  const auto& topic = engine_.config.topics.ticks;
  auto n = ticks_->partition_count(topic, std::chrono::milliseconds(1000));
  if (!n) return std::move(n).error();
  std::vector<kafka::TopicPartitionOffset> all;
  for (std::int32_t p = 0; p < *n; ++p) all.push_back({topic, p, kafka::Consumer::kOffsetBeginning});
  return ticks_->assign(all);
}

}  // namespace hanzo::hmm::actors
