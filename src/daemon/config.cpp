#include "hanzo/hmm/daemon/config.hpp"

#include <boost/json.hpp>
#include <array>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string_view>

namespace hanzo::hmm::daemon {

namespace {

namespace json = boost::json;

// Same rule as the Kafka layer: "kafka.sasl.mechanism" and "sasl.mechanism" are one property.
std::string property_name(const std::string& key) {
  constexpr std::string_view prefix = "kafka.";
  return key.starts_with(prefix) ? key.substr(prefix.size()) : key;
}

Error invalid(std::string where, std::string message) {
  return make_error(Errc::invalid_value, std::move(where), std::move(message));
}

constexpr std::string_view kFileSuffix = "_file";
constexpr std::string_view kCredentials = "${CREDENTIALS_DIRECTORY}";

// "sasl.password_file" -> "sasl.password"; empty if `name` is no _file key.
std::string file_target(const std::string& name) {
  if (name.size() <= kFileSuffix.size() || !name.ends_with(kFileSuffix)) return {};
  return name.substr(0, name.size() - kFileSuffix.size());
}

Result<std::string> read_secret(const std::string& key, const std::string& spec) {
  std::string path = spec;
  if (const auto at = path.find(kCredentials); at != std::string::npos) {
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir)
      return invalid(key, "\"" + spec + "\" needs $CREDENTIALS_DIRECTORY, which is unset: run under systemd with "
                          "LoadCredential= (see the unit), or give a plain path");
    path.replace(at, kCredentials.size(), dir);
  }
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    return make_error(Errc::io_error, key, "the secret file \"" + path + "\" does not exist or is not a regular file");
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::io_error, key, "cannot read the secret file \"" + path + "\"");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return make_error(Errc::io_error, key, "cannot read the secret file \"" + path + "\"");
  std::string value = ss.str();
  // Files written by editors and echo end in a newline that is no part of the secret.
  if (value.ends_with("\r\n")) value.resize(value.size() - 2);
  else if (value.ends_with('\n')) value.pop_back();
  if (value.empty()) return invalid(key, "the secret file \"" + path + "\" is empty");
  return value;
}

Result<void> validate_kafka(const DaemonConfig& c) {
  for (const auto& [key, value] : c.kafka) {
    if (property_name(key).empty()) return invalid("kafka." + key, "empty property name");
    const std::string target = file_target(property_name(key));
    if (target.empty()) continue;
    if (c.sets_kafka_property(target))
      return invalid("kafka." + key, "\"" + target + "\" is set too: give the secret one way");
    bool read = false;
    for (const auto& [k, v] : c.kafka_secrets) read = read || k == target;
    if (!read) return invalid("kafka." + key, "not read: DaemonConfig::read_secret_files() was not called");
  }
  // The consumer refuses these too; checking here lets --check-config catch them.
  for (const auto& [key, value] : c.kafka_properties())
    if ((key == "enable.auto.commit" || key == "enable.auto.offset.store") && value != "false")
      return invalid("kafka." + key, "must be false: offsets are committed only behind producer acknowledgements");
  // Transactions belong to exactly_once; idempotence is what they are built on.
  for (const auto& [key, value] : c.kafka_properties()) {
    if (key == "transactional.id" && !c.exactly_once())
      return invalid("kafka." + key, "only used with processing.guarantee = \"exactly_once\"");
    if (key == "enable.idempotence" && value != "true" && c.exactly_once())
      return invalid("kafka." + key, "must be true with processing.guarantee = \"exactly_once\"");
    if (key == "isolation.level" && value != "read_committed" && c.exactly_once())
      return invalid("kafka." + key,
                     "must be read_committed with processing.guarantee = \"exactly_once\" (restores must not "
                     "see aborted tenant state)");
  }
  // librdkafka's own check of names and values, so --check-config catches a typo too.
  if (auto ok = kafka::check_config(c.kafka_properties()); !ok) {
    Error e = std::move(ok).error();
    e.where = "kafka." + property_name(e.where);
    return e;
  }
  return {};
}

// Kafka's own rule for topic names: 1..249 of [a-zA-Z0-9._-], not "." or "..".
Result<void> validate_topic(const std::string& name, const std::string& where) {
  if (name.empty()) return invalid(where, "must not be empty");
  if (name.size() > 249) return invalid(where, "longer than Kafka's 249-character limit");
  if (name == "." || name == "..") return invalid(where, "\"" + name + "\" is not a valid Kafka topic name");
  for (char ch : name) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' ||
                    ch == '_' || ch == '-';
    if (!ok) return invalid(where, "\"" + name + "\": Kafka topic names use only letters, digits, '.', '_' and '-'");
  }
  return {};
}

Result<void> validate_topics(const Topics& t) {
  // The quote service is optional: both of its topics are named, or both are empty (off).
  if (t.quotes.empty() != t.quote_answers.empty())
    return invalid(t.quotes.empty() ? "topics.quotes" : "topics.quote_answers",
                   "empty turns the quote service off only with the other of topics.quotes and "
                   "topics.quote_answers empty too: set both, or leave both empty");
  const std::array<std::pair<const char*, const std::string*>, 9> all{{{"topics.ticks", &t.ticks},
                                                                        {"topics.requests", &t.requests},
                                                                        {"topics.feedback", &t.feedback},
                                                                        {"topics.decisions", &t.decisions},
                                                                        {"topics.prices", &t.prices},
                                                                        {"topics.dlq", &t.dlq},
                                                                        {"topics.tenant_state", &t.tenant_state},
                                                                        {"topics.quotes", &t.quotes},
                                                                        {"topics.quote_answers", &t.quote_answers}}};
  for (std::size_t i = 0; i < all.size(); ++i) {
    const bool quote_topic = all[i].second == &t.quotes || all[i].second == &t.quote_answers;
    if (quote_topic && all[i].second->empty()) continue;  // quotes off (both empty: checked above)
    if (auto ok = validate_topic(*all[i].second, all[i].first); !ok) return ok;
    // One topic for two roles would feed the daemon its own output or mix message kinds.
    for (std::size_t j = 0; j < i; ++j)
      if (*all[i].second == *all[j].second)
        return invalid(all[i].first, "\"" + *all[i].second + "\" is already " + all[j].first + ": every topic needs its own name");
  }
  return {};
}

// Every declared bound and choice, checked on the values as they are now: a configuration built
// in code (tests, --metrics-listen) is held to the same declaration as a file.
Result<void> check_declared(const DaemonConfig& c) {
  DaemonConfig copy = c;
  config::Schema s;
  declare(s, copy);
  return s.check();
}

Result<DaemonConfig> from_document(Result<json::value> doc, const std::string& source) {
  if (!doc) return std::move(doc).error();
  DaemonConfig c;
  config::Schema s;
  declare(s, c);
  if (auto ok = s.apply(*doc); !ok) return std::move(std::move(ok).error().in_source(source));
  if (auto ok = c.read_secret_files(); !ok) return std::move(std::move(ok).error().in_source(source));
  if (auto ok = c.validate(); !ok) return std::move(std::move(ok).error().in_source(source));
  return c;
}

}  // namespace

kafka::Config default_kafka_properties() {
  // fetch.wait.max.ms: librdkafka's 500 ms default is how long a fetch may wait for data; the
  // mock cluster (and brokers whose fetch purgatory is slow to wake) then add up to that much to
  // every request's decision latency. 5 ms keeps p99 low at the cost of more idle fetches.
  // linger.ms: a decision waits at most 1 ms for others to share its produce request (librdkafka's
  // default is 5); under load batches fill before that, so throughput is unchanged.
  // socket.nagle.disable: with Nagle's algorithm on (librdkafka's default) a small request
  // written while another is unacknowledged waits for the broker's delayed ACK, up to 40 ms: at
  // 17,000 requests/s a raw consume->produce loop stalled 40-60 ms about once a second.
  return {{"bootstrap.servers", "localhost:9092"},
          {"group.id", "hanzo-hmmd"},
          {"client.id", "hanzo-hmmd"},
          {"fetch.wait.max.ms", "5"},
          {"linger.ms", "1"},
          {"socket.nagle.disable", "true"}};
}

bool DaemonConfig::sets_kafka_property(std::string_view property) const {
  for (const auto& [key, value] : kafka)
    if (property_name(key) == property) return true;
  return false;
}

bool DaemonConfig::sets_kafka_property(std::initializer_list<std::string_view> aliases) const {
  for (auto a : aliases)
    if (sets_kafka_property(a)) return true;
  return false;
}

void DaemonConfig::use_embedded_cluster(const std::string& bootstrap) {
  kafka.emplace_back("bootstrap.servers", bootstrap);
  // The mock holds a fetch without data for the whole fetch.wait.max.ms even when data arrives
  // meanwhile, so the wait is added latency: 1 ms.
  if (!sets_kafka_property("fetch.wait.max.ms")) kafka.emplace_back("fetch.wait.max.ms", "1");
  // The changelog's lz4 (the default for a real cluster: network and disk) buys nothing in one
  // process but more records within the mock's 5 MiB per partition, about a second of writes at
  // 17,000 requests/s either way; it cost 9% of the CPU there (p99 19-22 ms without it, 22-32
  // with it, three paired runs).
  if (!sets_kafka_property({"compression.type", "compression.codec"})) kafka.emplace_back("compression.type", "none");
}

kafka::Config DaemonConfig::kafka_properties() const {
  // Each property once, in first-set order, with its last value: what librdkafka ends up with.
  kafka::Config out = default_kafka_properties();
  for (const auto& [key, value] : kafka)
    if (file_target(property_name(key)).empty()) kafka::set_property(out, property_name(key), value);
  for (const auto& [key, value] : kafka_secrets) kafka::set_property(out, key, value);
  return out;
}

Result<void> DaemonConfig::read_secret_files() {
  kafka_secrets.clear();
  for (const auto& [key, value] : kafka) {
    const std::string target = file_target(property_name(key));
    if (target.empty()) continue;
    auto secret = read_secret("kafka." + property_name(key), value);
    if (!secret) return std::move(secret).error();
    kafka_secrets.emplace_back(target, std::move(*secret));
  }
  return {};
}

bool is_secret_property(std::string_view name) {
  constexpr std::string_view prefix = "kafka.";
  if (name.starts_with(prefix)) name.remove_prefix(prefix.size());
  for (std::string_view s : {"sasl.password", "ssl.key.password", "ssl.key.pem", "ssl.keystore.password",
                             "sasl.oauthbearer.client.secret", "sasl.oauthbearer.config", "ssl_key"})
    if (name == s) return true;
  return false;
}

bool is_daemon_document(const json::value& document) {
  if (!document.is_object()) return false;
  for (const char* section : {"kafka", "topics", "metrics", "daemon", "processing"})
    if (document.get_object().contains(section)) return true;
  return false;
}

namespace {
std::string seconds_text(double s) {
  std::ostringstream ss;
  ss << s;
  return ss.str();
}
}  // namespace

Result<void> DaemonConfig::validate() const {
  if (auto ok = engine.validate(); !ok) return ok;
  if (auto ok = validate_kafka(*this); !ok) return ok;
  if (auto ok = validate_topics(topics); !ok) return ok;
  if (auto ok = parse_listen_address(metrics_listen, "metrics.listen"); !ok) return std::move(ok).error();
  if (auto ok = check_declared(*this); !ok) return ok;
  // Hysteresis needs a gap: resuming at the pause threshold would flap every message.
  if (resume_in_flight >= max_in_flight)
    return invalid("daemon.resume_in_flight",
                   "must be below daemon.max_in_flight (" + std::to_string(max_in_flight) + ")");
  // An input's offset is committed only behind the state record covering it: records rarer than
  // commits would leave commits with nothing new.
  if (state_interval_seconds >= commit_interval_seconds)
    return invalid("daemon.state_interval_seconds",
                   "must be below daemon.commit_interval_seconds (" + seconds_text(commit_interval_seconds) + ")");
  return {};
}

Result<DaemonConfig> daemon_config_from_toml(const std::string& text, const std::string& source) {
  return from_document(config::parse_toml(text, source), source);
}

Result<DaemonConfig> load_daemon_config(const std::string& path) {
  return from_document(config::parse_toml_file(path), path);
}

}  // namespace hanzo::hmm::daemon
