// The simulator's world against hanzo-hmmd, closed loop per tenant (sim_loop.hpp). One thread:
// the producer's delivery reports and the consumer's messages are both served by this loop.
#include "hanzo/hmm/loadgen/sim_loop.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <optional>
#include <unordered_map>
#include <utility>

#include "hanzo/hmm/kafka/consumer.hpp"
#include "hanzo/hmm/kafka/producer.hpp"
#include "hanzo/hmm/wire/decision.hpp"
#include "hanzo/hmm/wire/market.hpp"
#include "hanzo/hmm/wire/request.hpp"
#include "receiver.hpp"
#include "scrape.hpp"

namespace hanzo::hmm::loadgen {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

Result<void> SimLoopOptions::validate() const {
  if (bootstrap.empty()) return make_error(Errc::invalid_value, "bootstrap", "must name at least one broker");
  if (!(std::isfinite(timeout_s) && timeout_s > 0.0)) return make_error(Errc::invalid_value, "timeout", "must be finite and > 0");
  if (!metrics_url.empty() && metrics_url.rfind("http://", 0) != 0)
    return make_error(Errc::invalid_value, "daemon-metrics", "expected http://HOST:PORT/metrics");
  return {};
}

namespace {

// Latency, not throughput, bounds a closed loop: nothing lingers (linger.ms 0), the consumer
// asks the mock broker to hold an empty fetch for 1 ms only, and Nagle is off (see driver.cpp).
kafka::Config client_config(const SimLoopOptions& o, kafka::Config defaults) {
  return detail::client_config(o.bootstrap, "hanzo-simulate", o.kafka, std::move(defaults));
}

// Delivery tokens: the request index, tagged by what was sent.
constexpr std::uint64_t kFeedbackTag = std::uint64_t{1} << 62;
constexpr std::uint64_t kOtherTag = std::uint64_t{1} << 61;  // requests and the tick: acks not awaited

std::optional<std::size_t> parse_request_id(const std::string& id, std::size_t n) {
  if (id.size() < 2 || id[0] != 'r') return std::nullopt;
  std::size_t t = 0;
  for (std::size_t i = 1; i < id.size(); ++i) {
    if (id[i] < '0' || id[i] > '9' || t > n) return std::nullopt;
    t = t * 10 + static_cast<std::size_t>(id[i] - '0');
  }
  return t < n ? std::optional<std::size_t>(t) : std::nullopt;
}

class Loop {
 public:
  Loop(const SimLoopOptions& o, sim::World world)
      : o_(o), world_(std::move(world)), catalogue_(world_.spec().config.catalogue()) {
    const std::size_t n = world_.spec().requests;
    decided_.assign(n, false);
    result_.choices.assign(n, 0);
    queues_.resize(world_.spec().tenants);
  }

  Result<SimLoopResult> run() {
    const auto start = Clock::now();
    if (auto ok = connect(); !ok) return std::move(ok).error();
    const std::size_t n = world_.spec().requests, due = std::min(world_.shock_request(), n);
    if (auto ok = play(0, due); !ok) return std::move(ok).error();
    if (due < n) {
      if (auto ok = shock(due); !ok) return std::move(ok).error();
      if (auto ok = play(due, n); !ok) return std::move(ok).error();
    }
    if (auto ok = producer_->flush(10s); !ok) return std::move(ok).error().within("producer flush");
    if (!error_.empty()) return make_error(Errc::io_error, "kafka", error_);
    // Late duplicates (a redelivery) would show up here; read what is already there.
    while (true) {
      auto m = consumer_->poll(50ms);
      if (!m) return std::move(m).error().within("decisions");
      if (!*m) break;
      if (auto ok = handle(**m); !ok) return ok.error();
    }
    result_.elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();
    return std::move(result_);
  }

 private:
  Result<void> connect() {
    auto producer = kafka::Producer::create(client_config(o_, {{"linger.ms", "0"}}), [this](const kafka::DeliveryReport& r) {
      if (!r.result) {
        if (error_.empty()) error_ = "not delivered to " + r.topic + ": " + r.result.error().to_string();
        return;
      }
      if (r.token & kFeedbackTag) {
        ++result_.feedback_sent;
        acked_.push_back(static_cast<std::size_t>(r.token & ~kFeedbackTag));  // released by wait(): no produce in here
      }
    });
    if (!producer) return std::move(producer).error().within("producer");
    producer_.emplace(std::move(*producer));
    auto consumer = kafka::Consumer::create(client_config(o_, {{"group.id", "hanzo-simulate"},
                                                               {"fetch.wait.max.ms", "1"},
                                                               {"enable.partition.eof", "false"}}));
    if (!consumer) return std::move(consumer).error().within("consumer");
    consumer_.emplace(std::move(*consumer));
    // Both topics from the beginning (a fresh daemon), by assignment: no group join to wait for.
    std::vector<kafka::TopicPartitionOffset> parts;
    for (const auto& topic : {o_.topics.decisions, o_.prices_topic}) {
      const auto deadline = Clock::now() + timeout();
      Result<int> count = consumer_->partition_count(topic, 2s);
      while (!count && Clock::now() < deadline) count = consumer_->partition_count(topic, 2s);
      if (!count) return std::move(count).error().within(topic);
      for (int p = 0; p < *count; ++p) parts.push_back({topic, p, kafka::Consumer::kOffsetBeginning});
    }
    if (auto ok = consumer_->assign(parts); !ok) return ok;
    for (const auto& topic : {o_.topics.requests, o_.topics.feedback, o_.topics.ticks})
      if (auto ok = producer_->warm_up(topic, std::chrono::duration_cast<std::chrono::milliseconds>(timeout())); !ok) return ok;
    return {};
  }

  Clock::duration timeout() const {
    return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o_.timeout_s));
  }

  // Requests [lo, hi): each tenant's in stream order, one in flight per tenant.
  Result<void> play(std::size_t lo, std::size_t hi) {
    for (std::size_t t = lo; t < hi; ++t) queues_[world_.request(t).tenant].push_back(t);
    done_ = 0;
    target_ = hi - lo;
    for (std::size_t k = 0; k < queues_.size(); ++k) send_next(k);
    return wait([this] { return done_ == target_; }, "decisions");
  }

  // Serves both clients until `finished`, or fails after timeout_s without progress.
  template <class Finished>
  Result<void> wait(Finished finished, const char* what) {
    auto last = Clock::now();
    std::uint64_t progress = 0;
    while (!finished()) {
      if (!error_.empty()) return make_error(Errc::io_error, "kafka", error_);
      producer_->poll(0ms);
      for (const std::size_t t : std::exchange(acked_, {})) {
        if (o_.metrics_url.empty()) release(t);
        else waiting_.push_back(t);
      }
      if (!waiting_.empty())
        if (auto ok = confirm(); !ok) return ok;
      auto m = consumer_->poll(5ms);
      if (!m) return std::move(m).error().within(o_.topics.decisions);
      if (*m)
        if (auto ok = handle(**m); !ok) return ok;
      const std::uint64_t now_progress = result_.decisions + result_.feedback_sent + snapshots_ + result_.confirmations;
      if (now_progress != progress) {
        progress = now_progress;
        last = Clock::now();
      } else if (Clock::now() - last > timeout()) {
        return make_error(Errc::io_error, "kafka",
                          std::string("no progress for ") + std::to_string(o_.timeout_s) + " s waiting for " + what +
                              " (" + std::to_string(result_.decisions) + " decisions, " +
                              std::to_string(in_flight_) + " requests in flight; is hanzo-hmmd running?)");
      }
    }
    return {};
  }

  void send_next(std::size_t tenant) {
    auto& q = queues_[tenant];
    if (q.empty() || busy_.contains(tenant)) return;
    const std::size_t t = q.front();
    q.pop_front();
    const sim::Request r = world_.request(t);
    busy_.emplace(tenant, t);
    wire::RequestMessage msg{{}, r.request};  // the key carries the tenant
    kafka::Record rec{o_.topics.requests, world_.tenant_name(tenant), wire::encode_request(msg), {}, -1};
    produce(rec, kOtherTag | t);
    ++result_.requests_sent;
    result_.max_in_flight = std::max<std::uint64_t>(result_.max_in_flight, ++in_flight_);
  }

  // A full local queue is served and retried; other failures end the run.
  void produce(const kafka::Record& rec, std::uint64_t token) {
    while (true) {
      auto ok = producer_->produce(rec, token);
      if (ok) return;
      if (!kafka::is_queue_full(ok.error())) {
        if (error_.empty()) error_ = ok.error().to_string();
        return;
      }
      producer_->poll(1ms);
    }
  }

  // Whether the daemon has consumed every feedback produced so far (its counter counts this run's
  // alone: a fresh daemon, no other producer); then every tenant waiting for that may go on. The
  // daemon reads a tenant's feedback and requests on one thread into one per-tenant batch, in
  // the order it consumed them, so a request produced after this goes behind the feedback.
  Result<void> confirm() {
    const std::uint64_t produced = feedback_produced_;
    auto consumed = detail::scrape_sample(o_.metrics_url, sample_);
    if (!consumed) return std::move(consumed).error().within("daemon metrics");
    if (*consumed < static_cast<double>(produced)) return {};
    ++result_.confirmations;
    for (const std::size_t t : std::exchange(waiting_, {})) release(t);
    return {};
  }

  // The tenant's request t is closed: decided, and its feedback (if any) acknowledged.
  void release(std::size_t t) {
    const std::size_t tenant = world_.request(t).tenant;
    busy_.erase(tenant);
    ++done_;
    send_next(tenant);
  }

  Result<void> handle(const kafka::Message& m) {
    if (m.topic == o_.prices_topic) {
      ++snapshots_;
      last_snapshot_ = m.value;
      return {};
    }
    auto d = wire::decode_decision(m.value);
    if (!d) return std::move(d).error().within("decision at offset " + std::to_string(m.offset));
    const routing::Decision& dec = d->decision;
    const auto t = parse_request_id(dec.request_id, decided_.size());
    if (!t || decided_[*t]) {
      ++(t ? result_.duplicates : result_.foreign);
      return {};
    }
    if (dec.status != routing::Status::routed)
      return make_error(Errc::invalid_value, dec.request_id, "rejected by the daemon: " + dec.reasoning);
    const auto model = catalogue_.model_index(dec.model);
    if (!model) return make_error(Errc::invalid_value, dec.request_id, "routed to unknown model " + dec.model);
    decided_[*t] = true;
    result_.choices[*t] = *model;
    ++result_.decisions;
    --in_flight_;
    if (!o_.feedback) {
      release(*t);
      return {};
    }
    const sim::Request r = world_.request(*t);
    const auto fb = world_.feedback(r, *model, world_.outcome(r, *model));
    produce({o_.topics.feedback, fb.tenant, wire::encode_feedback(fb), {}, -1}, kFeedbackTag | *t);
    ++feedback_produced_;
    return {};
  }

  // The supply shock: the tick, the daemon's snapshot of it, then the world's own market.
  Result<void> shock(std::size_t due) {
    const auto mc = world_.spec().config.market_config();
    const std::uint64_t before = snapshots_;
    produce({o_.topics.ticks, std::nullopt, wire::encode_tick({world_.shock_tick(), std::nullopt, 0}, mc.classes), {}, 0},
            kOtherTag);
    ++result_.ticks_sent;
    if (auto ok = wait([&] { return snapshots_ > before; }, "the price snapshot of the shock tick"); !ok) return ok;
    if (auto ok = world_.advance(due); !ok) return ok;
    auto snap = wire::decode_snapshot(last_snapshot_, mc.classes, mc.regime.states);
    if (!snap) return std::move(snap).error().within("price snapshot");
    const auto& mine = world_.market().snapshot().classes;
    double worst = 0.0;
    for (std::size_t c = 0; c < mine.size(); ++c)
      worst = std::max(worst, std::abs(snap->classes[c].price - mine[c].price) / mine[c].price);
    result_.shock_price_mismatch = worst;
    return {};
  }

  const SimLoopOptions& o_;
  sim::World world_;
  const routing::Catalogue catalogue_;
  std::vector<std::deque<std::size_t>> queues_;  // per tenant: requests not sent yet
  std::unordered_map<std::size_t, std::size_t> busy_;  // tenant -> its open request
  std::vector<bool> decided_;
  std::vector<std::size_t> acked_;    // requests whose feedback the broker acknowledged
  std::vector<std::size_t> waiting_;  // ... and whose consumption by the daemon is not confirmed yet
  std::uint64_t feedback_produced_{0};
  const std::string sample_{"hanzo_hmmd_messages_consumed_total{topic=\"" + o_.topics.feedback + "\"}"};
  std::size_t done_{0}, target_{0};
  std::uint64_t in_flight_{0}, snapshots_{0};
  std::string last_snapshot_, error_;
  SimLoopResult result_;
  // Last, so destroyed first: the producer's final flush runs the delivery callback, which
  // writes to the members above.
  std::optional<kafka::Producer> producer_;
  std::optional<kafka::Consumer> consumer_;
};

}  // namespace

Result<SimLoopResult> play_world(const sim::WorldSpec& spec, const SimLoopOptions& options) {
  if (auto ok = options.validate(); !ok) return std::move(ok).error();
  auto world = sim::World::create(spec);
  if (!world) return std::move(world).error();
  // On the heap: the producer's delivery callback holds a pointer to it.
  auto loop = std::make_unique<Loop>(options, std::move(*world));
  return loop->run();
}

}  // namespace hanzo::hmm::loadgen
