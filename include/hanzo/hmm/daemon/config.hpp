// hanzo-hmmd configuration: the MarketMaker's options plus the daemon's own (Kafka, topics,
// metrics, actors, backpressure), declared once as config::Schema options so one TOML file
// (config/hanzo-hmmd.toml) maps onto it key by key and --print-config documents it.
#pragma once
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include "hanzo/hmm/config/schema.hpp"
#include "hanzo/hmm/kafka/types.hpp"
#include "hanzo/hmm/mm/config.hpp"

namespace hanzo::hmm::daemon {

struct Topics {
  std::string ticks{"hanzo.hmm.ticks"};          // consumed: market ticks (unkeyed)
  std::string requests{"hanzo.hmm.requests"};    // consumed: routing requests, keyed by tenant
  std::string feedback{"hanzo.hmm.feedback"};    // consumed: feedback, keyed by tenant
  std::string decisions{"hanzo.hmm.decisions"};  // produced: one decision per valid request
  std::string prices{"hanzo.hmm.prices"};        // produced: a price snapshot per tick
  std::string dlq{"hanzo.hmm.dlq"};              // produced: rejected input, unchanged
  // produced and read back: tenant state changelog, keyed by tenant id, partition = the
  // tenant's requests partition (compacted on real brokers)
  std::string tenant_state{"hanzo.hmm.tenant-state"};
  // consumed in the group / produced: compute quotes (wire/quote.hpp); both empty turns the
  // quote service off (then neither topic need exist)
  std::string quotes{"hanzo.hmm.quotes"};
  std::string quote_answers{"hanzo.hmm.quote-answers"};
  bool quotes_enabled() const noexcept { return !quotes.empty(); }
};

struct DaemonConfig {
  mm::MarketMakerConfig engine = mm::default_config();  // top-level keys classes, market, tenants, router, models
  // [kafka]: every key passes to librdkafka (both the consumer and the producer) unchanged, so
  // SASL/TLS need no code. Defaults: bootstrap.servers=localhost:9092, group.id=hanzo-hmmd.
  kafka::Config kafka;
  // PROPERTY_file keys of `kafka`, read: (PROPERTY, contents). Filled by the loaders; never printed.
  kafka::Config kafka_secrets;
  Topics topics;                                  // [topics]
  std::string metrics_listen{"127.0.0.1:9464"};   // [metrics] listen: HOST:PORT (port 0: any free port)
  // [daemon]
  std::size_t max_resident_tenants{10000};  // cap on tenant actors; the least recently used is evicted
  double tenant_idle_seconds{300.0};        // a tenant actor idle this long is evicted
  std::size_t router_actors{2};             // router actors; a tenant always uses the same one
  std::size_t max_in_flight{100000};        // pause fetching at this many unacknowledged messages
  std::size_t resume_in_flight{90000};      // resume once at or below this many (< max_in_flight)
  std::size_t max_message_bytes{1u << 20};  // larger values go to the DLQ ("too_large")
  std::size_t max_tenant_id_bytes{256};     // longer keys go to the DLQ ("bad_key")
  double shutdown_timeout_seconds{30.0};    // SIGTERM: how long to drain before giving up
  double commit_interval_seconds{1.0};      // how often acknowledged offsets are committed
  double state_interval_seconds{0.2};       // at_least_once: at most one state record per tenant per this
  std::size_t changelog_full_every{64};     // a tenant's changelog chain: one full record, then deltas
  std::string shared_pool_separator{"-"};   // router.shared_base: ids equal up to its last one share a pool
  // [processing]
  std::string guarantee{"at_least_once"};   // or "exactly_once": results and offsets in transactions
  std::size_t transaction_max_messages{2000};  // exactly_once: commit after this many consumed messages
  double transaction_max_seconds{0.1};         // ... or once the transaction is this old
  bool exactly_once() const noexcept { return guarantee == "exactly_once"; }

  // Every layer's checks plus the daemon's cross-checks (resume_in_flight < max_in_flight, a
  // parseable metrics address, distinct topic names). Errors name the file key.
  Result<void> validate() const;
  // The librdkafka properties to use: defaults first, then `kafka` (a configured key overrides;
  // PROPERTY_file keys give way to the secrets read from their files).
  kafka::Config kafka_properties() const;
  // Reads every PROPERTY_file key's file into kafka_secrets (${CREDENTIALS_DIRECTORY} expanded);
  // errors name the key and the path. The loaders call it; code that sets _file keys must too.
  Result<void> read_secret_files();
  // Whether [kafka] sets `property` (with or without the "kafka." prefix).
  bool sets_kafka_property(std::string_view property) const;
  // Whether it sets any of `aliases` (librdkafka's names for one setting, e.g. linger.ms and
  // queue.buffering.max.ms).
  bool sets_kafka_property(std::initializer_list<std::string_view> aliases) const;
  // --embedded-kafka: the in-process mock cluster at `bootstrap`, and the client settings that
  // suit it unless [kafka] chose otherwise (see the definition for why).
  void use_embedded_cluster(const std::string& bootstrap);
};

// bootstrap.servers=localhost:9092, group.id=hanzo-hmmd, client.id=hanzo-hmmd: what
// kafka_properties() starts from before the configured [kafka] keys.
kafka::Config default_kafka_properties();

// Declares every option of `c` into `s`: kafka, topics, metrics, daemon, processing, then the
// MarketMaker's keys. The one place a daemon option's type, default, bounds and description live.
void declare(config::Schema& s, DaemonConfig& c);
// `c` as the documented TOML file (--print-config; config/hanzo-hmmd.toml is this for the
// defaults). Secret kafka values are left out.
std::string render_config(const DaemonConfig& c);
// librdkafka properties whose values are secrets: never printed.
bool is_secret_property(std::string_view name);
// Whether a parsed document is a daemon file (has a daemon-only section) rather than a
// MarketMaker-only one: `hanzo-hmm config --check` tells them apart with it.
bool is_daemon_document(const boost::json::value& document);
// Defaults, then the document's values, then validate(). `source` names the file in errors.
Result<DaemonConfig> daemon_config_from_toml(const std::string& text, const std::string& source);
Result<DaemonConfig> load_daemon_config(const std::string& path);

// HOST:PORT → (host, port); errors name `key` and quote `text`. Accepts "0.0.0.0:9464",
// "[::1]:9464" (host "::1", brackets stripped), "localhost:0". An IPv6 host needs brackets.
Result<std::pair<std::string, std::uint16_t>> parse_listen_address(const std::string& text, const std::string& key);

}  // namespace hanzo::hmm::daemon
