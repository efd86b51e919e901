#include "delivery.hpp"

#include <unistd.h>

#include <cstring>

#include "client_properties.hpp"
#include "hanzo/hmm/kafka/dlq.hpp"
#include "log.hpp"

namespace hanzo::hmm::actors {

Result<std::unique_ptr<Delivery>> Delivery::create(const daemon::DaemonConfig& config, daemon::Metrics* metrics) {
  std::unique_ptr<Delivery> d(new Delivery());
  d->transactional_ = config.exactly_once();
  const kafka::Config props = config.kafka_properties();
  auto pprops = producer_properties(props, config.max_message_bytes);
  if (d->transactional_ && !config.sets_kafka_property("transactional.id")) {
    // Stable across restarts of this instance, so a restarted instance fences its predecessor's
    // open transaction; distinct per host. Two instances on one host must set their own.
    std::string group = "hanzo-hmmd";
    for (const auto& [k, v] : props)
      if (k == "group.id") group = v;
    char host[256] = {};
    if (gethostname(host, sizeof host - 1) != 0) std::strcpy(host, "localhost");
    pprops.emplace_back("transactional.id", group + "-" + host);
  }
  Delivery* self = d.get();
  auto on_report = [self](const kafka::DeliveryReport& r) { self->on_report(r); };
  // A configured compression.type applies to every producer (--embedded-kafka configures none:
  // see DaemonConfig::use_embedded_cluster). With exactly_once one transactional producer
  // writes everything (a transaction is one producer's), with the changelog's compression.
  auto producer = kafka::Producer::create(d->transactional_ ? compressed_properties(pprops, config) : pprops, on_report);
  if (!producer) return std::move(producer).error();
  d->producer_ = std::make_unique<kafka::Producer>(std::move(*producer));
  if (!d->transactional_) {
    auto changelog = kafka::Producer::create(changelog_properties(pprops, config), on_report);
    if (!changelog) return std::move(changelog).error();
    d->changelog_ = std::make_unique<kafka::Producer>(std::move(*changelog));
  }
  d->sink_ = std::make_unique<KafkaSink>(*d->producer_, d->changelog(), metrics);
  d->sink_->set_transactional(d->transactional_);
  return d;
}

Delivery::~Delivery() {
  changelog_.reset();
  producer_.reset();
}

void Delivery::on_report(const kafka::DeliveryReport& r) {
  if (r.result) {
    if (KafkaSink::kind(r.token) == KafkaSink::Kind::input)
      ledger_.acknowledge(r.token);
    else
      sink_->delivered(r);
  } else if (transactional_) {
    sink_->discard(r.token);  // the transaction is doomed: aborted and rewound, not resent
  } else if (r.undelivered) {
    kafka::Record again = *r.undelivered;
    // The broker refused it for its size (its limit is below the producer's): sending it
    // unchanged would fail forever and hold its input uncommitted.
    if (kafka::is_too_large(r.result.error()) && kafka::drop_value(again))
      log_error("record for " + r.topic + " refused by the broker for its size; sending it without its value");
    else
      log_warning("delivery to " + r.topic + " failed (" + r.result.error().to_string() + "); sending again");
    retry_.emplace_back(std::move(again), r.token);
  }
}

void Delivery::serve() {
  producer_->poll(std::chrono::milliseconds(0));
  if (changelog_) changelog_->poll(std::chrono::milliseconds(0));
  for (auto token : sink_->take_done()) ledger_.acknowledge(token);
  if (!retry_.empty()) {
    auto again = std::move(retry_);
    retry_.clear();
    for (auto& [record, token] : again) sink_->produce(std::move(record), token);
  }
}

bool Delivery::quiesce(Clock::time_point deadline, std::optional<Clock::duration> stall,
                       const std::function<void()>& beat) {
  auto last_change = Clock::now();
  auto last = std::pair(ledger_.in_flight(), sink_->states_pending());
  while ((last.first > 0 || last.second > 0) && Clock::now() < deadline) {
    producer_->poll(std::chrono::milliseconds(1));
    serve();
    if (beat) beat();
    const auto now_state = std::pair(ledger_.in_flight(), sink_->states_pending());
    if (now_state != last) last = now_state, last_change = Clock::now();
    if (stall && Clock::now() - last_change > *stall) break;
  }
  return ledger_.in_flight() == 0 && sink_->states_pending() == 0;
}

void Delivery::flush(std::chrono::milliseconds timeout) {
  if (changelog_)
    if (auto ok = changelog_->flush(timeout); !ok) log_error(ok.error().to_string());
  if (auto ok = producer_->flush(timeout); !ok) log_error(ok.error().to_string());
  serve();
}

std::size_t Delivery::queue_length() const {
  return producer_->queue_length() + (changelog_ ? changelog_->queue_length() : 0);
}

void Delivery::mark(std::int32_t partition, std::int64_t offset,
                    const std::function<std::vector<std::int32_t>()>& answer_partitions) {
  if (partition < 0) return;
  if (round_marked_.size() <= static_cast<std::size_t>(partition)) round_marked_.resize(partition + 1, 0);
  if (round_marked_[partition] == round_) return;
  round_marked_[partition] = round_;
  floors_.round(partition, offset, sink_->decision_floors(answer_partitions()));
}

void Delivery::restored(std::int32_t p, std::int64_t committed, DecisionFloors::Floors from,
                        std::int64_t answered_through) {
  floors_.restored(p, committed, std::move(from), answered_through);
}

std::vector<kafka::TopicPartitionOffset> Delivery::take_commits(const std::string& skip_topic,
                                                                const std::string& requests_topic) {
  auto offsets = ledger_.take_commits();
  std::erase_if(offsets, [&](const auto& o) { return o.topic == skip_topic; });
  for (auto& o : offsets)
    if (o.topic == requests_topic) {
      daemon::RestorePoint point;
      point.decisions = floors_.at(o.partition, o.offset);
      point.changelog = sink_->changelog_floor(o.partition);
      o.metadata = point.encode();
    }
  return offsets;
}

std::vector<kafka::TopicPartitionOffset> Delivery::commit(kafka::Consumer& consumer, kafka::CommitMode mode,
                                                          const daemon::Topics& topics) {
  // Ticks are read from the beginning by every instance: nothing of theirs is committed.
  auto offsets = take_commits(topics.ticks, topics.requests);
  if (offsets.empty()) return {};
  if (auto ok = consumer.commit(offsets, mode); !ok) {
    ledger_.commit_failed(offsets);
    log_warning("commit failed: " + ok.error().to_string());
    return {};
  }
  if (mode == kafka::CommitMode::sync) return offsets;
  return {};
}

void Delivery::forget(const std::vector<kafka::TopicPartition>& tps, const std::vector<std::int32_t>& request_partitions) {
  for (const auto& tp : tps) ledger_.remove(tp);
  for (auto p : request_partitions) {
    floors_.forget(p);
    sink_->with_index([p](ChangelogIndex& index) { index.forget(p); });
  }
}

}  // namespace hanzo::hmm::actors
