#include "poller.hpp"

#include "client_properties.hpp"
#include "hanzo/hmm/daemon/answer_log.hpp"
#include "hanzo/hmm/daemon/metrics.hpp"
#include "log.hpp"
#include "output.hpp"

namespace hanzo::hmm::actors {

Result<std::unique_ptr<Poller>> Poller::create(const Engine& engine, Delivery& delivery,
                                              kafka::RebalanceCallbacks callbacks) {
  auto bp = kafka::Backpressure::make(engine.config.max_in_flight, engine.config.resume_in_flight);
  if (!bp) return std::move(bp).error().within("daemon");
  std::unique_ptr<Poller> p(new Poller(engine, delivery, *bp));
  const kafka::Config props = engine.config.kafka_properties();
  auto consumer = kafka::Consumer::create(consumer_properties(props), std::move(callbacks));
  if (!consumer) return std::move(consumer).error();
  p->consumer_ = std::make_unique<kafka::Consumer>(std::move(*consumer));
  // Ticks: every instance reads all of them (no group: manual assignment), so every instance
  // folds the same ticks into the same market state and quotes the same prices.
  auto ticks = kafka::Consumer::create(tick_consumer_properties(props));
  if (!ticks) return std::move(ticks).error();
  p->ticks_ = std::make_unique<kafka::Consumer>(std::move(*ticks));
  return p;
}

Result<void> Poller::subscribe() {
  const auto& t = engine_.config.topics;
  if (t.quotes_enabled()) return consumer_->subscribe({t.requests, t.feedback, t.quotes});
  return consumer_->subscribe({t.requests, t.feedback});
}

Result<void> Poller::assign_ticks() {
  const auto& topic = engine_.config.topics.ticks;
  auto n = ticks_->partition_count(topic, std::chrono::milliseconds(1000));
  if (!n) return std::move(n).error();
  std::vector<kafka::TopicPartitionOffset> all;
  for (std::int32_t p = 0; p < *n; ++p) all.push_back({topic, p, kafka::Consumer::kOffsetBeginning});
  return ticks_->assign(all);
}

Result<void> Poller::read_layout(TopicLayout& layout) {
  const auto& t = engine_.config.topics;
  auto requests = consumer_->partition_count(t.requests, std::chrono::seconds(5));
  if (!requests) return std::move(requests).error();
  auto decisions = consumer_->partition_count(t.decisions, std::chrono::seconds(5));
  if (!decisions) return std::move(decisions).error();
  if (*decisions != *requests)
    log_warning("topics: " + t.decisions + " has " + std::to_string(*decisions) + " partitions, " + t.requests +
                " has " + std::to_string(*requests) +
                "; decisions are placed by request partition (docs/durability.md, the answer log)");
  layout.requests.store(*requests, std::memory_order_relaxed);
  layout.decisions.store(*decisions, std::memory_order_relaxed);
  return {};
}

std::size_t Poller::poll(std::chrono::milliseconds wait, const PollTargets& to) {
  delivery_.begin_round();
  std::size_t n = drain(*consumer_, wait);
  n += drain(*ticks_, std::chrono::milliseconds(0));
  flush(to);
  return n;
}

std::size_t Poller::drain(kafka::Consumer& consumer, std::chrono::milliseconds wait) {
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

void Poller::flush(const PollTargets& to) {
  if (!tenant_batch_.tenants.empty()) {
    to.tenants(std::move(tenant_batch_));
    tenant_batch_ = IngestBatch{};
    batch_index_.clear();
  }
  if (!tick_batch_.items.empty() || !tick_batch_.quotes.empty()) {
    to.ticks(std::move(tick_batch_));
    tick_batch_ = TickBatch{};
  }
}

std::string Poller::bad_key(const std::optional<std::string>& key) const {
  const auto limit = engine_.config.max_tenant_id_bytes;
  if (!key) return "no key (the key is the tenant id)";
  if (key->empty()) return "empty key (the key is the tenant id)";
  if (key->size() > limit) return "key of " + std::to_string(key->size()) + " bytes, limit " + std::to_string(limit);
  // A NUL would make a tenant id collide with another tenant's changelog delta keys.
  if (key->find('\0') != std::string::npos) return "key contains a NUL byte";
  return {};
}

void Poller::handle(kafka::Message&& msg) {
  const auto polled = std::chrono::steady_clock::now();
  const auto& topics = engine_.config.topics;
  const bool tick = msg.topic == topics.ticks;
  // Quotes hold no tenant state: nothing to wait for on a partition being restored.
  const bool quote = topics.quotes_enabled() && msg.topic == topics.quotes;
  if (!held_.empty() && !tick && !quote && held_.count(msg.partition)) return;
  ++consumed_;
  auto token = delivery_.dispatch({msg.topic, msg.partition}, msg.offset);
  if (!token) {
    log_error("not dispatched: " + token.error().to_string());
    return;
  }
  ++dispatched_;
  const std::int64_t ts = msg.timestamp_ms.value_or(-1);
  if (engine_.metrics) {
    engine_.metrics->consumed(tick                            ? daemon::SourceTopic::ticks
                              : quote                        ? daemon::SourceTopic::quotes
                              : msg.topic == topics.requests ? daemon::SourceTopic::requests
                                                             : daemon::SourceTopic::feedback);
    if (ts >= 0) engine_.metrics->event_age(static_cast<double>(now_ms() - ts) / 1000.0);
  }
  if (msg.value.size() > engine_.config.max_message_bytes)
    return dead_letter(engine_, msg, *token, daemon::DlqReason::too_large,
                       std::to_string(msg.value.size()) + " bytes, limit " +
                           std::to_string(engine_.config.max_message_bytes));
  if (tick) {
    tick_batch_.items.push_back(TickItem{*token, ts, std::nullopt, std::move(msg)});
    return;
  }
  if (quote) {  // any key or none: the answer carries it back
    tick_batch_.quotes.push_back(QuoteItem{*token, std::move(msg)});
    return;
  }
  if (auto why = bad_key(msg.key); !why.empty()) return dead_letter(engine_, msg, *token, daemon::DlqReason::bad_key, why);
  if (msg.topic == topics.requests)
    delivery_.mark(msg.partition, msg.offset, [&] {
      return daemon::answer_partitions(msg.partition, engine_.layout.requests.load(std::memory_order_relaxed),
                                       engine_.layout.decisions.load(std::memory_order_relaxed));
    });
  auto [it, fresh] = batch_index_.try_emplace(*msg.key, tenant_batch_.tenants.size());
  if (fresh) tenant_batch_.tenants.push_back(TenantBatch{*msg.key, {}});
  const std::int32_t partition = msg.partition;
  const std::int64_t offset = msg.offset;
  tenant_batch_.tenants[it->second].items.push_back(TenantItem{*token, ts, std::move(msg), partition, offset, polled});
}

void Poller::close() {
  if (auto ok = consumer_->close(); !ok) log_warning("leaving the group: " + ok.error().to_string());
  (void)ticks_->close();
}

void Poller::pause_all(bool pause) {
  auto assigned = consumer_->assignment();
  if (!assigned) return;
  for (const auto& tp : *assigned)
    if (auto ok = pause ? consumer_->pause(tp.topic, tp.partition) : consumer_->resume(tp.topic, tp.partition); !ok)
      log_warning(ok.error().to_string());
  if (engine_.metrics) engine_.metrics->paused_partitions(pause ? assigned->size() : 0);
}

void Poller::backpressure(std::size_t in_flight) {
  switch (bp_.update(in_flight)) {
    case kafka::Backpressure::Action::pause: pause_all(true); break;
    case kafka::Backpressure::Action::resume: pause_all(false); break;
    case kafka::Backpressure::Action::none: break;
  }
}

}  // namespace hanzo::hmm::actors
