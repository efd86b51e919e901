// Every hanzo-hmmd option, declared once: the MarketMaker's keys plus kafka, topics, metrics and
// daemon. The bounds here are also what DaemonConfig::validate() enforces (it re-applies the
// daemon table through this declaration), so they live in one place.
#include "hanzo/hmm/daemon/config.hpp"

namespace hanzo::hmm::daemon {

using config::at_least;
using config::between;
using config::Bounds;
using config::Schema;

namespace {

// (0, hi]: a duration that must pass at all, capped where larger values are surely a unit mistake.
Bounds positive_up_to(double hi) { return Bounds{0.0, hi, true, false}; }

std::string kafka_description() {
  return "librdkafka properties for both the consumer and the producer, passed through unchanged with their "
         "dotted names (SASL, TLS, timeouts need no code; see librdkafka's CONFIGURATION.md); quote them "
         "(\"sasl.mechanism\" = ...). A key set here overrides the built-in value shown commented out; linger.ms "
         "is 1 for decisions but 0 for the tenant-state changelog unless set here. "
         "enable.auto.commit and enable.auto.offset.store must stay false: offsets are committed only behind "
         "producer acknowledgements. Secrets (sasl.password, ssl.key.password, ssl.key.pem, ...) need not be "
         "written here: PROPERTY_file = \"PATH\" sets PROPERTY to the contents of the file at PATH (one trailing "
         "newline dropped), read at start-up; ${CREDENTIALS_DIRECTORY} in PATH is the directory where systemd's "
         "LoadCredential= puts them (see the unit). Secret values are never printed.";
}

void declare_topics(Schema& t, Topics& topics) {
  t.text("ticks", topics.ticks, "consumed: market ticks (JSON, unkeyed)")
      .text("requests", topics.requests, "consumed: routing requests, keyed by tenant id")
      .text("feedback", topics.feedback, "consumed: request outcomes, keyed by tenant id")
      .text("decisions", topics.decisions, "produced: one decision (routed or rejected) per valid request")
      .text("prices", topics.prices, "produced: a price snapshot per tick")
      .text("dlq", topics.dlq, "produced: rejected input with its original key and value, reason in headers")
      .text("tenant_state", topics.tenant_state,
            "produced and read back on assignment: tenant state changelog, keyed by tenant id, one partition per "
            "requests partition (at least as many); make it compacted (cleanup.policy=compact)")
      .text("quotes", topics.quotes,
            "consumed in the group: quote requests (the cost of an amount of GPU-seconds of one class); "
            "\"\" with quote_answers = \"\" turns the quote service off")
      .text("quote_answers", topics.quote_answers,
            "produced: one answer per quote request, with the request's key (a refusal carries an error)");
}

void declare_daemon(Schema& t, DaemonConfig& c) {
  t.count("max_resident_tenants", c.max_resident_tenants,
          "cap on resident tenant actors; past it the least recently used is evicted", at_least(1))
      .number("tenant_idle_seconds", c.tenant_idle_seconds, "a tenant actor idle this long is evicted",
              positive_up_to(30.0 * 86400))
      .count("router_actors", c.router_actors, "router actors; a tenant always maps to the same one", between(1, 256))
      .count("max_in_flight", c.max_in_flight,
             "pause fetching (polling continues) at this many consumed but unacknowledged messages", at_least(1))
      .count("resume_in_flight", c.resume_in_flight,
             "resume fetching once at or below this many; must be below max_in_flight", at_least(0))
      .count("max_message_bytes", c.max_message_bytes, "larger message values go to the DLQ (too_large)",
             between(1, 1e9))  // librdkafka's message.max.bytes ceiling
      .count("max_tenant_id_bytes", c.max_tenant_id_bytes, "longer (or empty) keys go to the DLQ (bad_key)",
             between(1, 65536))
      .number("shutdown_timeout_seconds", c.shutdown_timeout_seconds,
              "SIGTERM: how long to drain in-flight work before giving up; keep below systemd's TimeoutStopSec",
              positive_up_to(3600))
      .number("commit_interval_seconds", c.commit_interval_seconds,
              "how often offsets behind producer acknowledgements are committed", positive_up_to(3600))
      .number("state_interval_seconds", c.state_interval_seconds,
              "at_least_once: a tenant writes at most one state record per this interval (at once when it is "
              "evicted, revoked or asked for a snapshot); offsets are committed behind those records, so it must "
              "be below commit_interval_seconds; 0: one record per poll round. exactly_once writes one per poll "
              "round whatever this says (a transaction ends with its records)",
              between(0, 3600))
      .count("changelog_full_every", c.changelog_full_every,
             "a tenant's state records: one full record, then this many minus one deltas holding only what "
             "changed; a restore reads at most this many records per tenant",
             between(1, 65536))
      .text("shared_pool_separator", c.shared_pool_separator,
            "with router.shared_base: tenants whose ids are equal up to the last occurrence of this text share a "
            "pool of outcome counts learned from all their feedback (\"chat-17\" and \"chat-3\" share \"chat\"); "
            "an id without it is a group of its own; \"\" pools every tenant together. Pools are relearned after a "
            "restart (not in the changelog)");
}

void declare_processing(Schema& t, DaemonConfig& c) {
  t.text("guarantee", c.guarantee,
         "at_least_once: a result may appear twice after a crash (the copy marked redelivered); exactly_once: "
         "results, tenant state and consumed offsets are committed together in Kafka transactions "
         "(transactional.id defaults to GROUP_ID-HOSTNAME; consumers of the output should read_committed)",
         {"at_least_once", "exactly_once"})
      .count("transaction_max_messages", c.transaction_max_messages,
             "exactly_once: commit the transaction once it covers this many consumed messages", between(1, 1e7))
      .number("transaction_max_seconds", c.transaction_max_seconds,
              "exactly_once: ... or once it is this old (results become visible to read_committed consumers "
              "at commit, so this bounds their added latency)",
              positive_up_to(60));
}

}  // namespace

void declare(Schema& s, DaemonConfig& c) {
  // The daemon's sections first: they are what an operator edits; then the MarketMaker's.
  s.passthrough("kafka", c.kafka, kafka_description(),
                {default_kafka_properties(), [](const std::string& key) { return is_secret_property(key); }})
      .table("topics", "Kafka topic names (all distinct)", [&](Schema& t) { declare_topics(t, c.topics); })
      .table("metrics", "Prometheus exposition",
             [&](Schema& t) {
               t.text("listen", c.metrics_listen,
                      "HOST:PORT or [IPV6]:PORT serving /metrics; port 0 picks a free port");
             })
      .table("daemon", "actors, backpressure and shutdown", [&](Schema& t) { declare_daemon(t, c); })
      .table("processing", "delivery guarantee", [&](Schema& t) { declare_processing(t, c); });
  mm::declare(s, c.engine);
}

std::string render_config(const DaemonConfig& c) {
  DaemonConfig values = c;  // declared on the defaults below, so changed values show their default
  DaemonConfig defaults;
  Schema s;
  declare(s, defaults);
  defaults = values;
  return s.render(
      "hanzo-hmmd configuration (TOML), generated by `hanzo-hmmd --print-config` from the options'\n"
      "declaration (src/daemon/config_schema.cpp, src/mm/config_schema.cpp): every option with its\n"
      "description, type, bounds and built-in default. Every key is optional: with no --config, or a\n"
      "key left out, the built-in default applies, so this file as shipped changes nothing. Edit what\n"
      "differs on your site and keep or delete the rest.\n"
      "\n"
      "  hanzo-hmmd --config FILE --check-config   validate and exit (0, or 78 naming the key)\n"
      "  hanzo-hmmd --config FILE --print-config   this file with FILE's values (secrets not printed)\n"
      "  hanzo-hmmd --config FILE --print-topics   the topics and ACLs to provision on the cluster\n"
      "  hanzo-hmm config --check FILE             the same check without the daemon\n"
      "\n"
      "Unknown keys and out-of-bounds values are errors naming the file, the key and the bound.\n"
      "Units: supply in GPU-seconds, credits in credits; prices in credits per GPU-second.");
}

}  // namespace hanzo::hmm::daemon
