// The daemon's own property functions, linked from the actors library: a raw bench that uses
// them cannot drift from the daemon's settings (client_properties.hpp includes no CAF).
#include "daemon_settings.hpp"

#include <cstdio>
#include <stdexcept>

#include "hanzo/hmm/daemon/config.hpp"
#include "client_properties.hpp"

namespace daemon_settings {

Clients embedded(const std::string& bootstrap) {
  namespace a = hanzo::hmm::actors;
  hanzo::hmm::daemon::DaemonConfig cfg;  // the built-in defaults, as without --config
  cfg.use_embedded_cluster(bootstrap);   // what run_daemon does with --embedded-kafka
  const auto props = cfg.kafka_properties();
  const auto producer = a::producer_properties(props, cfg.max_message_bytes);
  // kafka::Consumer::create (src/kafka/consumer.cpp) applies these first; the daemon's follow.
  raw_kafka::Props consumer = {{"partition.assignment.strategy", "range"},
                               {"auto.offset.reset", "earliest"},
                               {"enable.auto.commit", "false"},
                               {"enable.auto.offset.store", "false"}};
  for (const auto& kv : a::consumer_properties(props)) consumer.push_back(kv);
  return {consumer, producer, a::changelog_properties(producer, cfg)};
}

// Mirrors create_topics() in actors/daemon.cpp (file-local there, so it cannot be called):
// keep the counts equal. hanzo-daemon-bench prints the embedded cluster's actual counts.
std::vector<Topic> embedded_topics() { return hanzo::hmm::daemon::embedded_layout(hanzo::hmm::daemon::Topics{}); }

std::string topic(const char* role) {
  const hanzo::hmm::daemon::Topics t;
  const std::string r = role;
  if (r == "requests") return t.requests;
  if (r == "decisions") return t.decisions;
  if (r == "tenant_state") return t.tenant_state;
  throw std::invalid_argument(r);
}

int partitions(const char* role) {
  const std::string name = topic(role);
  for (const auto& t : embedded_topics())
    if (t.name == name) return t.partitions;
  return 0;
}

namespace {

// librdkafka's spelling of a value (e.g. "none" for compression.type, "1" for linger.ms), so
// values compare as the client sees them.
std::string canonical(const std::string& key, const std::string& value) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[256], buf[1024];
  std::size_t size = sizeof buf;
  std::string out = value;
  if (rd_kafka_conf_set(conf, key.c_str(), value.c_str(), err, sizeof err) == RD_KAFKA_CONF_OK &&
      rd_kafka_conf_get(conf, key.c_str(), buf, &size) == RD_KAFKA_CONF_OK)
    out = buf;
  rd_kafka_conf_destroy(conf);
  return out;
}

}  // namespace

bool print_and_check(const char* label, const raw_kafka::Props& props, rd_kafka_t* rk) {
  bool same = true;
  std::string line;
  for (const auto& [k, v] : props) {
    char buf[1024];
    std::size_t size = sizeof buf;
    const std::string used =
        rd_kafka_conf_get(rd_kafka_conf(rk), k.c_str(), buf, &size) == RD_KAFKA_CONF_OK ? buf : "<unset>";
    if (k == "bootstrap.servers") continue;  // a fresh mock cluster per run: its own port
    line += (line.empty() ? "" : ", ") + k + "=" + used;
    if (used != canonical(k, v)) {
      same = false;
      std::fprintf(stderr, "  %s: %s=%s, but the daemon's is %s\n", label, k.c_str(), used.c_str(), v.c_str());
    }
  }
  std::fprintf(stderr, "  %s: %s\n", label, line.c_str());
  return same;
}

}  // namespace daemon_settings
