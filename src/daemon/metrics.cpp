// The daemon's metrics on prometheus-cpp. Names, types, labels and help texts are
// config/prometheus/metrics.txt's, verbatim (tests/daemon/test_metrics.cpp checks the scrape
// against that file). Every series but consumer_lag's is created here once, up front; the
// process_* families come from metrics_process.hpp at each scrape.
#include "hanzo/hmm/daemon/metrics.hpp"

#include <prometheus/counter.h>
#include <prometheus/exposer.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <mutex>
#include <utility>

#include "hanzo/hmm/daemon/config.hpp"
#include "hanzo/hmm/kafka/consumer.hpp"
#include "hanzo/hmm/market/tick.hpp"
#include "metrics_process.hpp"

namespace hanzo::hmm::daemon {

namespace pm = prometheus;

const char* to_string(DlqReason r) noexcept {
  switch (r) {
    case DlqReason::invalid_json: return "invalid_json";
    case DlqReason::schema: return "schema";
    case DlqReason::bad_key: return "bad_key";
    case DlqReason::too_large: return "too_large";
    case DlqReason::rejected: return "rejected";
  }
  return "unknown";
}

namespace {

constexpr std::array kDlqReasons{DlqReason::invalid_json, DlqReason::schema, DlqReason::bad_key,
                                 DlqReason::too_large, DlqReason::rejected};

// Bucket upper bounds (seconds) on a 1-2-5 ladder over each quantity's plausible range; written
// out rather than computed so the le labels print exactly. 0.02 is the p99 latency target.
const pm::Histogram::BucketBoundaries kLatencyBuckets{0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05,
                                                      0.1,    0.2,   0.5,   1.0,   2.0,  5.0,  10.0};
// The daemon's own share of a request's latency: tens of microseconds of work, plus waits for a core.
const pm::Histogram::BucketBoundaries kProcessingBuckets{5e-5, 1e-4, 2e-4, 5e-4, 1e-3, 2e-3, 5e-3,
                                                         0.01, 0.02, 0.05, 0.1,  0.2,  0.5,  1.0};
const pm::Histogram::BucketBoundaries kTickBuckets{1e-6, 2e-6, 5e-6, 1e-5, 2e-5, 5e-5, 1e-4, 2e-4,
                                                   5e-4, 1e-3, 2e-3, 5e-3, 0.01, 0.02, 0.05, 0.1};
const pm::Histogram::BucketBoundaries kAgeBuckets{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2,
                                                  0.5,   1.0,   2.0,   5.0,  10.0, 30.0, 60.0};

// Why civetweb could not listen on host:port: it throws without saying, so repeat the bind
// (with civetweb's SO_REUSEADDR) and report the OS's reason; fall back to civetweb's text.
std::string bind_failure(const std::string& host, std::uint16_t port, const std::string& civetweb) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (const int rc = ::getaddrinfo(host.c_str(), std::to_string(port).c_str(), &hints, &found); rc != 0) {
    return std::string("cannot resolve host: ") + ::gai_strerror(rc);
  }
  std::string why = civetweb;
  if (const int fd = ::socket(found->ai_family, found->ai_socktype, found->ai_protocol); fd >= 0) {
    const int one = 1;
    ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0) why = std::strerror(errno);
    ::close(fd);
  }
  ::freeaddrinfo(found);
  return why;
}

template <class Builder>
auto& family(Builder b, pm::Registry& r, const char* name, const char* help) {
  return b.Name(name).Help(help).Register(r);
}

}  // namespace

struct Metrics::Impl {
  // Declared first so it outlives the exposer, which holds only a weak_ptr to it.
  std::shared_ptr<pm::Registry> registry = std::make_shared<pm::Registry>();
  std::shared_ptr<ProcessCollector> process = std::make_shared<ProcessCollector>();

  std::array<pm::Counter*, 4> consumed{};  // by SourceTopic; quotes: null when the service is off
  pm::Counter* quoted{};
  pm::Counter* quote_refused{};
  pm::Counter* routed{};
  pm::Counter* rejected{};
  std::array<pm::Counter*, kDlqReasons.size()> dlq{};  // by DlqReason
  pm::Histogram* latency{};
  pm::Histogram* processing{};
  pm::Histogram* tick{};
  pm::Histogram* state_write{};
  pm::Histogram* age{};
  std::vector<pm::Gauge*> price, supply, credits;  // by configured class
  pm::Gauge* drift{};
  std::vector<pm::Gauge*> regime;  // by configured regime
  pm::Gauge* tenants{};
  pm::Counter* evictions{};
  std::array<pm::Counter*, 3> redelivered{};  // by Redelivery
  std::array<pm::Counter*, 2> transactions{};  // committed, aborted
  pm::Counter* restored{};
  pm::Counter* restore_time{};
  pm::Counter* restore_lost{};
  pm::Family<pm::Gauge>* lag_family{};
  pm::Gauge* producer_queue{};
  pm::Gauge* paused{};
  pm::Gauge* progressing{};

  std::mutex lag_mutex;            // consumer_lag() replaces a set of series
  std::vector<pm::Gauge*> lag;     // the series consumer_lag() last set

  std::unique_ptr<pm::Exposer> exposer;
  std::uint16_t port{0};
  std::mutex listen_mutex;

  explicit Impl(const MetricsOptions& o);
};

Metrics::Impl::Impl(const MetricsOptions& o) {
  auto& r = *registry;
  auto& consumed_f = family(pm::BuildCounter(), r, "hanzo_hmmd_messages_consumed_total",
                            "Kafka messages consumed, by source topic.");
  consumed = {&consumed_f.Add({{"topic", o.ticks_topic}}), &consumed_f.Add({{"topic", o.requests_topic}}),
              &consumed_f.Add({{"topic", o.feedback_topic}}),
              o.quotes_topic.empty() ? nullptr : &consumed_f.Add({{"topic", o.quotes_topic}})};
  auto& quotes_f = family(pm::BuildCounter(), r, "hanzo_hmmd_quotes_total",
                          "Quote requests answered, by outcome (quoted|refused: unknown class or not enough supply).");
  quoted = &quotes_f.Add({{"outcome", "quoted"}});
  quote_refused = &quotes_f.Add({{"outcome", "refused"}});

  auto& decisions_f = family(pm::BuildCounter(), r, "hanzo_hmmd_decisions_total",
                             "Routing decisions produced, by status (routed|rejected).");
  routed = &decisions_f.Add({{"status", "routed"}});
  rejected = &decisions_f.Add({{"status", "rejected"}});

  auto& dlq_f = family(pm::BuildCounter(), r, "hanzo_hmmd_dlq_messages_total",
                       "Messages sent to the dead-letter topic, by reason.");
  for (std::size_t i = 0; i < kDlqReasons.size(); ++i) dlq[i] = &dlq_f.Add({{"reason", to_string(kDlqReasons[i])}});

  latency = &family(pm::BuildHistogram(), r, "hanzo_hmmd_request_decision_latency_seconds",
                    "Time from a request's Kafka timestamp to its decision being handed to the producer, in seconds.")
                 .Add({}, kLatencyBuckets);
  processing = &family(pm::BuildHistogram(), r, "hanzo_hmmd_processing_seconds",
                       "Time from the poll loop taking a request from the consumer to its decision being handed to the producer, in seconds: the daemon's own share of the request latency.")
                    .Add({}, kProcessingBuckets);
  state_write = &family(pm::BuildHistogram(), r, "hanzo_hmmd_state_write_seconds",
                        "Time from producing a tenant-state changelog record to Kafka acknowledging it (the offsets it covers are committed after it), in seconds.")
                     .Add({}, kLatencyBuckets);
  tick = &family(pm::BuildHistogram(), r, "hanzo_hmmd_tick_processing_seconds",
                 "Time the market actor spends applying one tick, in seconds.")
              .Add({}, kTickBuckets);
  age = &family(pm::BuildHistogram(), r, "hanzo_hmmd_event_age_seconds",
                "Age of a consumed message (now minus its Kafka timestamp) when processing starts, in seconds.")
             .Add({}, kAgeBuckets);

  auto& price_f = family(pm::BuildGauge(), r, "hanzo_hmmd_class_price",
                         "Current price per compute class, in credits per GPU-second.");
  auto& supply_f = family(pm::BuildGauge(), r, "hanzo_hmmd_class_supply_gpu_seconds",
                          "Current supply per compute class, in GPU-seconds.");
  auto& credits_f = family(pm::BuildGauge(), r, "hanzo_hmmd_class_credits",
                           "Current credits held against each compute class.");
  for (const auto& c : o.classes) {
    price.push_back(&price_f.Add({{"class", c}}));
    supply.push_back(&supply_f.Add({{"class", c}}));
    credits.push_back(&credits_f.Add({{"class", c}}));
  }
  drift = &family(pm::BuildGauge(), r, "hanzo_hmmd_invariant_drift_ratio",
                  "Relative drift of the market Hamiltonian from its invariant, |H-kappa|/kappa.")
               .Add({});
  auto& regime_f = family(pm::BuildGauge(), r, "hanzo_hmmd_market_regime_probability",
                          "Posterior probability of each market regime.");
  for (const auto& name : o.regimes) regime.push_back(&regime_f.Add({{"regime", name}}));

  tenants = &family(pm::BuildGauge(), r, "hanzo_hmmd_tenant_actors", "Tenant actors currently resident.").Add({});
  evictions = &family(pm::BuildCounter(), r, "hanzo_hmmd_tenant_evictions_total", "Idle tenant actors evicted.")
                   .Add({});
  auto& redelivered_f = family(pm::BuildCounter(), r, "hanzo_hmmd_redelivered_messages_total",
                               "Messages seen again after a crash or rebalance, already applied, by outcome.");
  redelivered = {&redelivered_f.Add({{"outcome", "answered"}}), &redelivered_f.Add({{"outcome", "not_kept"}}),
                 &redelivered_f.Add({{"outcome", "feedback_skipped"}})};
  auto& txn_f = family(pm::BuildCounter(), r, "hanzo_hmmd_transactions_total",
                       "Kafka transactions ended (processing.guarantee = exactly_once), by outcome.");
  transactions = {&txn_f.Add({{"outcome", "committed"}}), &txn_f.Add({{"outcome", "aborted"}})};
  restored = &family(pm::BuildCounter(), r, "hanzo_hmmd_tenants_restored_total",
                     "Tenant states restored from the changelog on partition assignment.")
                  .Add({});
  restore_time = &family(pm::BuildCounter(), r, "hanzo_hmmd_restore_seconds_total",
                         "Time spent restoring tenant state from the changelog, in seconds.")
                      .Add({});
  restore_lost = &family(pm::BuildCounter(), r, "hanzo_hmmd_restore_data_lost_total",
                         "Gaps found by restores: ranges the broker deleted and tenant chains missing a record. "
                         "Their partitions are not processed; any increase needs an operator.")
                      .Add({});
  lag_family = &family(pm::BuildGauge(), r, "hanzo_hmmd_consumer_lag_messages",
                       "Consumer lag per assigned partition, in messages (from librdkafka statistics).");
  producer_queue = &family(pm::BuildGauge(), r, "hanzo_hmmd_producer_queue_messages",
                           "Messages waiting in the producer queue.")
                        .Add({});
  paused = &family(pm::BuildGauge(), r, "hanzo_hmmd_paused_partitions",
                   "Partitions currently paused by backpressure.")
                .Add({});
  progressing = &family(pm::BuildGauge(), r, "hanzo_hmmd_progressing",
                        "1 while the daemon makes progress (consumes, gets acknowledgements, or is idle and connected "
                        "to Kafka); 0 after 5 s without: the watchdog has stopped vouching for it.")
                     .Add({});
  family(pm::BuildGauge(), r, "hanzo_hmmd_build_info", "Always 1; the build's version and revision as labels.")
      .Add({{"version", o.version}, {"revision", o.revision}})
      .Set(1.0);
}

// Construction only registers families with valid, distinct names, so nothing here throws on
// purpose; a bad_alloc would end the program at start-up anyway.
Metrics::Metrics(const MetricsOptions& options) : impl_(std::make_unique<Impl>(options)) {}
Metrics::~Metrics() = default;

Result<void> Metrics::listen(const std::string& address) {
  auto parsed = parse_listen_address(address, "metrics.listen");
  if (!parsed) return std::move(parsed).error();
  const auto& [host, port] = *parsed;
  std::lock_guard lock(impl_->listen_mutex);
  if (impl_->exposer) {
    return make_error(Errc::invalid_value, address, "metrics already served on port " + std::to_string(impl_->port));
  }
  try {  // civetweb throws when it cannot listen: converted here, at start-up
    auto exposer = std::make_unique<pm::Exposer>(address, 2);  // civetweb reads HOST:PORT / [V6]:PORT too
    exposer->RegisterCollectable(impl_->registry);
    exposer->RegisterCollectable(impl_->process);
    const auto ports = exposer->GetListeningPorts();
    if (ports.empty() || ports.front() <= 0 || ports.front() > 65535) {
      return make_error(Errc::io_error, address, "cannot serve /metrics: no listening port");
    }
    impl_->port = static_cast<std::uint16_t>(ports.front());
    impl_->exposer = std::move(exposer);
  } catch (const std::exception& e) {
    return make_error(Errc::io_error, address, "cannot serve /metrics: " + bind_failure(host, port, e.what()));
  }
  return {};
}

std::uint16_t Metrics::port() const noexcept {
  std::lock_guard lock(impl_->listen_mutex);
  return impl_->port;
}

std::string Metrics::scrape() const {
  auto families = impl_->registry->Collect();
  for (auto& f : impl_->process->Collect()) families.push_back(std::move(f));
  return pm::TextSerializer{}.Serialize(families);
}

void Metrics::consumed(SourceTopic topic) noexcept {
  if (auto* c = impl_->consumed[static_cast<std::size_t>(topic)]) c->Increment();
}

void Metrics::quote(bool quoted) noexcept { (quoted ? impl_->quoted : impl_->quote_refused)->Increment(); }

void Metrics::decision(bool routed) noexcept { (routed ? impl_->routed : impl_->rejected)->Increment(); }

void Metrics::dlq(DlqReason reason) noexcept {
  const auto i = static_cast<std::size_t>(reason);
  if (i < impl_->dlq.size()) impl_->dlq[i]->Increment();
}

void Metrics::request_latency(double seconds) noexcept { impl_->latency->Observe(seconds); }
void Metrics::processing(double seconds) noexcept { impl_->processing->Observe(seconds); }
void Metrics::tick_processing(double seconds) noexcept { impl_->tick->Observe(seconds); }
void Metrics::state_write(double seconds) noexcept { impl_->state_write->Observe(seconds); }
void Metrics::event_age(double seconds) noexcept { impl_->age->Observe(seconds); }

void Metrics::market(const market::Snapshot& s) noexcept {
  const std::size_t n = std::min(impl_->price.size(), s.classes.size());
  for (std::size_t i = 0; i < n; ++i) {
    impl_->price[i]->Set(s.classes[i].price);
    impl_->supply[i]->Set(s.classes[i].supply);
    impl_->credits[i]->Set(s.classes[i].credits);
  }
  impl_->drift->Set(s.drift);
  const std::size_t k = std::min(impl_->regime.size(), s.regime_posterior.size());
  for (std::size_t i = 0; i < k; ++i) impl_->regime[i]->Set(s.regime_posterior[i]);
}

void Metrics::tenant_actors(std::size_t n) noexcept { impl_->tenants->Set(static_cast<double>(n)); }
void Metrics::tenant_evicted(std::size_t n) noexcept { impl_->evictions->Increment(static_cast<double>(n)); }
void Metrics::progressing(bool yes) noexcept { impl_->progressing->Set(yes ? 1.0 : 0.0); }
void Metrics::redelivered(Redelivery what) noexcept {
  const auto i = static_cast<std::size_t>(what);
  if (i < impl_->redelivered.size()) impl_->redelivered[i]->Increment();
}
void Metrics::transaction(bool committed) noexcept { impl_->transactions[committed ? 0 : 1]->Increment(); }
void Metrics::tenants_restored(std::size_t n) noexcept { impl_->restored->Increment(static_cast<double>(n)); }
void Metrics::restore_data_lost(std::size_t gaps) noexcept { impl_->restore_lost->Increment(static_cast<double>(gaps)); }
void Metrics::restore_seconds(double seconds) noexcept {
  if (seconds > 0) impl_->restore_time->Increment(seconds);
}

void Metrics::consumer_lag(std::span<const kafka::PartitionLag> lags) {
  std::lock_guard lock(impl_->lag_mutex);
  std::vector<pm::Gauge*> next;
  next.reserve(lags.size());
  // Add() returns the existing series for labels already present, so a kept partition keeps
  // its series; only the ones no longer listed are removed.
  for (const auto& l : lags) {
    auto& g = impl_->lag_family->Add({{"topic", l.topic}, {"partition", std::to_string(l.partition)}});
    g.Set(static_cast<double>(l.lag));
    next.push_back(&g);
  }
  for (pm::Gauge* old : impl_->lag) {
    if (std::find(next.begin(), next.end(), old) == next.end()) impl_->lag_family->Remove(old);
  }
  impl_->lag = std::move(next);
}

void Metrics::producer_queue(std::size_t n) noexcept { impl_->producer_queue->Set(static_cast<double>(n)); }
void Metrics::paused_partitions(std::size_t n) noexcept { impl_->paused->Set(static_cast<double>(n)); }

}  // namespace hanzo::hmm::daemon
