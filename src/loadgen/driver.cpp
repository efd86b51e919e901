#include "hanzo/hmm/loadgen/driver.hpp"

#include <cmath>
#include <cstdio>
#include <thread>

#include "hanzo/hmm/wire/request.hpp"
#include "receiver.hpp"

namespace hanzo::hmm::loadgen {

using namespace std::chrono_literals;
using detail::Clock;

Topics Topics::with_prefix(const std::string& prefix) {
  return {prefix + ".ticks", prefix + ".requests", prefix + ".feedback", prefix + ".decisions"};
}

kafka::Config detail::client_config(const std::string& bootstrap, const std::string& client_id,
                                   const kafka::Config& extra, kafka::Config defaults) {
  defaults.insert(defaults.begin(),
                  {{"bootstrap.servers", bootstrap}, {"client.id", client_id}, {"socket.nagle.disable", "true"}});
  defaults.insert(defaults.end(), extra.begin(), extra.end());
  return defaults;
}

Result<void> DriverOptions::validate() const {
  const auto bad = [](const char* key, const char* msg) { return make_error(Errc::invalid_value, key, msg); };
  if (bootstrap.empty()) return bad("bootstrap", "must name at least one broker");
  if (rate && !(std::isfinite(*rate) && *rate > 0.0)) return bad("rate", "must be finite and > 0");
  if (!rate && window < 1) return bad("window", "must be >= 1");
  if (!(std::isfinite(duration_s) && duration_s > 0.0)) return bad("duration", "must be finite and > 0");
  if (!(std::isfinite(drain_s) && drain_s >= 0.0)) return bad("drain", "must be finite and >= 0");
  if (!(std::isfinite(tick_rate) && tick_rate >= 0.0 && tick_rate <= 1000.0)) return bad("tick_rate", "must be in [0, 1000]");
  if (!(std::isfinite(join_timeout_s) && join_timeout_s > 0.0)) return bad("join_timeout", "must be finite and > 0");
  return generator.validate();
}

namespace {

// Client settings; anything in DriverOptions::kafka overrides them. Two facts about librdkafka
// 2.0.2's mock broker (measured with the echo test) set them:
// - it holds an empty fetch for the whole fetch.wait.max.ms even when data arrives meanwhile,
//   which would add up to 500 ms (the default) to every latency: the consumer waits 1 ms;
// - it finds a fetch offset by a linear scan over the partition's message sets, so small
//   batches slow every later fetch (linger.ms=1 fell from 20,000 to 5,000 requests/s within
//   seconds): the request producer keeps librdkafka's default linger.ms=5, and the feedback
//   producer (nothing waits on feedback) batches for 20 ms: one feedback per message set made
//   its partitions' lists the longest, and every fetch of the daemon's walked them.
// And one fact about TCP on loopback: with Nagle's algorithm on (librdkafka's default), a small
// request written while another is unacknowledged waits for the peer's delayed ACK, up to 40 ms;
// measured against a raw consume->produce loop at 17,000 requests/s it was a 40-60 ms stall about
// once a second (p99 45 ms; 15 ms with socket.nagle.disable on both sides).
kafka::Config client_config(const DriverOptions& o, kafka::Config defaults) {
  return detail::client_config(o.bootstrap, "hanzo-loadgen", o.kafka, std::move(defaults));
}

Error kafka_setup_error(Error e, const char* what) { return std::move(e.within(what)); }

std::string seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g s", s);
  return buf;
}

Clock::duration span(double seconds) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// One run, phase by phase. Members are destroyed in reverse order: the receiver thread is
// joined first, then the clients, and `shared_` (which their callbacks capture) last.
class Session {
 public:
  Session(const DriverOptions& options, GeneratorOptions gen, Generator generator)
      : options_(options), gen_(std::move(gen)), generator_(std::move(generator)) {}

  Result<Report> run() {
    Result<void> ok = start_clients();
    if (ok) ok = join();
    if (ok) ok = warm_up();
    if (ok) ok = send();
    stop_receiver();  // after drain() inside send(), or at the first error
    if (!ok) return std::move(ok).error();
    return report();
  }

 private:
  bool stopped() const { return options_.stop && options_.stop->load(); }

  Result<void> start_clients() {
    const auto note = [this](const kafka::DeliveryReport& r) {
      if (!r.result) shared_.note_error(r.result.error().to_string());
    };
    auto producer = kafka::Producer::create(client_config(options_, {}), note);
    if (!producer) return kafka_setup_error(std::move(producer).error(), "producer");
    producer_.emplace(std::move(*producer));
    auto feedback = kafka::Producer::create(client_config(options_, {{"linger.ms", "20"}}), note);
    if (!feedback) return kafka_setup_error(std::move(feedback).error(), "feedback producer");
    auto consumer = kafka::Consumer::create(
        client_config(options_, {{"group.id", "hanzo-loadgen-" + gen_.run_id},
                                 {"auto.offset.reset", "earliest"},
                                 {"session.timeout.ms", "6000"},
                                 {"heartbeat.interval.ms", "500"},
                                 {"fetch.wait.max.ms", "1"}}),
        {.assigned = [this](const auto& parts) { if (!parts.empty()) shared_.assigned.store(true); },
         .revoked = {},
         .committed = {}});
    if (!consumer) return kafka_setup_error(std::move(consumer).error(), "consumer");
    if (auto ok = consumer->subscribe({options_.topics.decisions}); !ok) return ok;
    receiver_.emplace(options_, generator_, shared_, std::move(*consumer), std::move(*feedback));
    receiving_ = std::jthread([this](std::stop_token stop) { receiver_->run(stop); });
    return {};
  }

  void stop_receiver() {
    if (!receiving_.joinable()) return;
    receiving_.request_stop();
    receiving_.join();
  }

  // The group join, then the decisions older than this run read past, before the clock starts.
  Result<void> join() {
    const auto deadline = Clock::now() + span(options_.join_timeout_s);
    while (!shared_.caught_up.load()) {
      if (Clock::now() > deadline || stopped()) {
        stop_receiver();  // before reading what it saw
        const auto& seen = receiver_->last_consumer_error;
        return make_error(Errc::io_error, "kafka",
                          "no partition of " + options_.topics.decisions + " assigned and read within " +
                              seconds(options_.join_timeout_s) + " (is the topic there? last consumer error: " +
                              (seen.empty() ? "none" : seen) + ")");
      }
      producer_->poll(10ms);
    }
    return {};
  }

  // One request (and the first tick) through the whole path before the clock starts: a client's
  // first message to a topic waits ~1 s for the topic's metadata, on both sides; that is
  // start-up, not latency. It also tells at once whether anything answers at all.
  Result<void> warm_up() {
    auto warm = generator_.request(0);
    warm.request.request_id = detail::warmup_request_id(gen_.run_id);
    std::string key = std::move(warm.tenant);
    warm.tenant.clear();
    if (auto ok = producer_->produce({options_.topics.requests, std::move(key), wire::encode_request(warm), {}, -1}); !ok)
      return std::move(ok).error().within("warm-up request");
    if (gen_.ticks > 0) {
      if (auto ok = producer_->produce({options_.topics.ticks, std::nullopt, generator_.tick_json(0, wall_ms()), {}, 0}); !ok)
        return std::move(ok).error().within("first tick");
      ticks_sent_ = next_tick_ = 1;
    }
    const auto deadline = Clock::now() + span(options_.join_timeout_s);
    while (!shared_.warmed.load()) {
      if (Clock::now() > deadline || stopped())
        return make_error(Errc::io_error, "kafka",
                          "no decision for the warm-up request within " + seconds(options_.join_timeout_s) +
                              " (is hanzo-hmmd running and consuming " + options_.topics.requests + "?)");
      producer_->poll(5ms);
    }
    return {};
  }

  Clock::time_point at(double seconds_since_start) const { return t0_ + span(seconds_since_start); }

  // Ticks on their schedule, all to partition 0: the market must see them in order.
  void send_ticks(Clock::time_point now) {
    while (next_tick_ < gen_.ticks && now >= at(static_cast<double>(next_tick_) / options_.tick_rate)) {
      auto ok = producer_->produce({options_.topics.ticks, std::nullopt, generator_.tick_json(next_tick_, wall_ms()), {}, 0});
      if (!ok && kafka::is_queue_full(ok.error())) return;  // retried next round
      if (!ok) shared_.note_error(ok.error().to_string());
      ticks_sent_ += ok ? 1 : 0;
      ++next_tick_;
    }
  }

  // Up to `allowed` requests; false when the producer's queue is full (the same index goes
  // again next round). An error other than a full queue ends the run.
  Result<bool> send_requests(std::uint64_t allowed) {
    for (std::uint64_t n = 0; n < allowed; ++n) {
      auto record = generator_.request_record(index_);
      const kafka::Record r{options_.topics.requests, std::move(record.key), std::move(record.value), {}, -1};
      {
        std::lock_guard lock(shared_.mu);
        shared_.outstanding.emplace(index_, Clock::now());
        shared_.next_index = index_ + 1;
      }
      auto ok = producer_->produce(r, index_ + 1);
      if (!ok) {
        std::lock_guard lock(shared_.mu);
        shared_.outstanding.erase(index_);
        shared_.next_index = index_;
        if (kafka::is_queue_full(ok.error())) return false;
        return std::move(ok).error().within("requests");
      }
      shared_.sent.store(++index_, std::memory_order_release);
    }
    return true;
  }

  // The timed phase, then the drain.
  Result<void> send() {
    shared_.start = t0_ = Clock::now();
    shared_.started.store(true, std::memory_order_release);
    const auto end = t0_ + span(options_.duration_s);
    for (Clock::time_point now = t0_; now < end && !stopped(); now = Clock::now()) {
      send_ticks(now);
      // Requests due by the schedule (open loop) or while the window has room (closed loop).
      std::uint64_t allowed = 0;
      if (options_.rate) {
        const auto due = static_cast<std::uint64_t>(std::chrono::duration<double>(now - t0_).count() * *options_.rate) + 1;
        allowed = due > index_ ? due - index_ : 0;
      } else {
        const std::uint64_t outstanding = index_ - shared_.decided.load(std::memory_order_acquire);
        allowed = options_.window > outstanding ? options_.window - outstanding : 0;
      }
      auto room = send_requests(std::min<std::uint64_t>(allowed, 4096));  // bounded: ticks stay on time
      if (!room) return std::move(room).error();
      producer_->poll(*room ? 0ms : 1ms);  // a full queue drains as the broker acknowledges
      if (allowed == 0) {
        // Nothing due: sleep to the next request or tick (open loop), briefly (closed loop).
        auto wake = options_.rate ? at(static_cast<double>(index_) / *options_.rate) : now + 100us;
        if (next_tick_ < gen_.ticks) wake = std::min(wake, at(static_cast<double>(next_tick_) / options_.tick_rate));
        std::this_thread::sleep_until(std::min({wake, end, now + 1ms}));
      }
    }
    send_end_ = Clock::now();

    // Drain: wait for the outstanding decisions, serving delivery reports meanwhile.
    const auto drain_end = send_end_ + span(options_.drain_s);
    while (shared_.decided.load() < index_ && Clock::now() < drain_end) producer_->poll(5ms);
    if (auto flushed = producer_->flush(2s); !flushed)
      shared_.note_error(std::to_string(producer_->queue_length()) + " requests or ticks never left the producer (" +
                         flushed.error().to_string() + ")");
    return {};
  }

  Report report() {
    const detail::Receiver& rx = *receiver_;
    Report r;
    r.run_id = gen_.run_id;
    r.mode = options_.rate ? "rate" : "max";
    r.target_rate = options_.rate.value_or(0.0);
    r.window = options_.rate ? 0 : options_.window;
    r.tenants = gen_.tenants;
    r.seed = gen_.seed;
    r.duration_s = options_.duration_s;
    r.send_s = std::chrono::duration<double>(send_end_ - t0_).count();
    r.elapsed_s = std::chrono::duration<double>(rx.last_decision.value_or(send_end_) - t0_).count();
    r.requests_sent = index_;
    r.decisions_received = shared_.decided.load();
    r.missing = index_ - r.decisions_received;
    r.duplicates = rx.duplicates;
    r.routed = rx.routed;
    r.rejected = rx.rejected;
    r.foreign = rx.foreign;
    r.invalid = rx.invalid;
    r.ticks_sent = ticks_sent_;
    r.feedback_sent = rx.feedback_sent;
    r.send_errors = shared_.send_errors.load();
    r.first_error = shared_.first_error;
    r.requests_per_s = r.send_s > 0.0 ? static_cast<double>(index_) / r.send_s : 0.0;
    r.decisions_per_s = r.elapsed_s > 0.0 ? static_cast<double>(r.decisions_received) / r.elapsed_s : 0.0;
    r.latency = receiver_->latency.summary();
    r.sample_decision = rx.sample_decision;
    return r;
  }

  const DriverOptions& options_;
  const GeneratorOptions gen_;
  const Generator generator_;
  detail::Shared shared_;
  std::optional<kafka::Producer> producer_;
  std::optional<detail::Receiver> receiver_;
  std::jthread receiving_;
  Clock::time_point t0_{}, send_end_{};
  std::uint64_t index_{0}, ticks_sent_{0}, next_tick_{0};
};

}  // namespace

Result<Report> run(const DriverOptions& options) {
  if (auto ok = options.validate(); !ok) return std::move(ok).error();
  GeneratorOptions gen = options.generator;
  gen.ticks = options.tick_rate > 0.0 ? static_cast<std::uint64_t>(std::ceil(options.duration_s * options.tick_rate)) : 0;
  if (options.tick_rate > 0.0) gen.tick_dt = 1.0 / options.tick_rate;
  auto generator = Generator::create(gen);
  if (!generator) return std::move(generator).error();
  // On the heap: the receiver thread and the clients' callbacks hold pointers into it.
  auto session = std::make_unique<Session>(options, std::move(gen), std::move(*generator));
  return session->run();
}

}  // namespace hanzo::hmm::loadgen
