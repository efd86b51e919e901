// hanzo-hmmd configuration: defaults, the shipped example, the kafka passthrough, errors that
// name the key, and listen addresses.
#include <catch2/catch.hpp>

#include <boost/json.hpp>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "hanzo/hmm/daemon/config.hpp"

using namespace hanzo::hmm;
using daemon::DaemonConfig;
using Props = std::map<std::string, std::string>;

namespace {

Props as_map(const kafka::Config& c) { return Props(c.begin(), c.end()); }

// Every declared option's current value, as the schema prints it (matrices and arrays of tables
// print only their shape; compare() checks those field by field).
std::map<std::string, std::string> option_values(DaemonConfig c) {
  config::Schema s;
  daemon::declare(s, c);
  std::map<std::string, std::string> out;
  for (const auto& o : s.describe()) out[o.key] = o.default_value;
  return out;
}

void compare(const DaemonConfig& got, const DaemonConfig& want) {
  const auto g = option_values(got), w = option_values(want);
  CHECK(g.size() == w.size());
  for (const auto& [key, value] : w) {
    INFO(key);
    CHECK(g.count(key) == 1);
    if (g.count(key)) CHECK(g.at(key) == value);
  }
  CHECK(got.kafka_properties() == want.kafka_properties());
  const auto& e = got.engine;
  const auto& d = want.engine;
  CHECK(e.market_regime.transitions == d.market_regime.transitions);
  CHECK(e.market_regime.means == d.market_regime.means);
  CHECK(e.market_regime.variances == d.market_regime.variances);
  CHECK(e.tenants.regime.transitions == d.tenants.regime.transitions);
  CHECK(e.tenants.regime.means == d.tenants.regime.means);
  CHECK(e.tenants.regime.variances == d.tenants.regime.variances);
  REQUIRE(e.classes.size() == d.classes.size());
  for (std::size_t i = 0; i < d.classes.size(); ++i) {
    CHECK(e.classes[i].id == d.classes[i].id);
    CHECK(e.classes[i].weight == d.classes[i].weight);
    CHECK(e.classes[i].supply == d.classes[i].supply);
    CHECK(e.classes[i].credits == d.classes[i].credits);
    CHECK(e.classes[i].memory_gb == d.classes[i].memory_gb);
  }
  REQUIRE(e.models.size() == d.models.size());
  for (std::size_t i = 0; i < d.models.size(); ++i) {
    const auto &m = e.models[i], &n = d.models[i];
    CHECK(m.name == n.name);
    CHECK(m.provider == n.provider);
    CHECK(m.compute_class == n.compute_class);
    CHECK(m.region == n.region);
    CHECK((m.memory_gb == n.memory_gb && m.tokens_per_second == n.tokens_per_second && m.latency_ms == n.latency_ms &&
           m.latency_sigma == n.latency_sigma && m.quality == n.quality && m.success_rate == n.success_rate));
    CHECK((m.capabilities.function_calling == n.capabilities.function_calling &&
           m.capabilities.vision == n.capabilities.vision));
  }
}

Error error_of(const std::string& toml) {
  auto r = daemon::daemon_config_from_toml(toml, "c.toml");
  REQUIRE_FALSE(r.has_value());
  return r.error();
}

}  // namespace

TEST_CASE("daemon config: the built-in defaults validate", "[daemon][config]") {
  const DaemonConfig c;
  REQUIRE(c.validate());
  CHECK(as_map(c.kafka_properties()) ==
        Props{{"bootstrap.servers", "localhost:9092"}, {"group.id", "hanzo-hmmd"}, {"client.id", "hanzo-hmmd"},
              {"fetch.wait.max.ms", "5"}, {"linger.ms", "1"}, {"socket.nagle.disable", "true"}});
  CHECK(c.kafka.empty());
  CHECK(c.topics.requests == "hanzo.hmm.requests");
  CHECK(c.topics.dlq == "hanzo.hmm.dlq");
  CHECK(c.metrics_listen == "127.0.0.1:9464");
  // An empty document is the defaults.
  compare(daemon::daemon_config_from_toml("", "empty.toml").value(), c);
}

TEST_CASE("daemon config: the shipped example loads and equals the built-in defaults", "[daemon][config]") {
  const std::string path = std::string(HANZO_CONFIG_DIR) + "/hanzo-hmmd.toml";
  auto loaded = daemon::load_daemon_config(path);
  INFO((loaded ? std::string() : loaded.error().to_string()));
  REQUIRE(loaded);
  compare(*loaded, DaemonConfig{});
  // It is generated from the declaration: every option, its description and its default.
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  CHECK(text.str() == daemon::render_config(DaemonConfig{}));  // else: hanzo-hmmd --print-config > config/hanzo-hmmd.toml
}

TEST_CASE("daemon config: the rendered file reads back as the same configuration", "[daemon][config]") {
  auto changed = daemon::daemon_config_from_toml(R"([kafka]
"bootstrap.servers" = "broker-1:9093,broker-2:9093"
"sasl.password" = "hunter2-not-printed"
[daemon]
max_in_flight = 5000
resume_in_flight = 4000
tenant_idle_seconds = 0.1
[market]
kappa = 2.5
[tenants.adapter]
learning_rate = 0
[[classes]]
id = "only"
weight = 1
supply = 10
credits = 20
memory_gb = 1
[[models]]
name = "m \"quoted\""
provider = "p"
compute_class = "only"
memory_gb = 1
tokens_per_second = 10
latency_ms = 100
latency_sigma = 0.3
quality = 0.5
success_rate = 0.9
region = "r"
)",
                                                 "c.toml");
  INFO((changed ? std::string() : changed.error().to_string()));
  REQUIRE(changed);
  const std::string text = daemon::render_config(*changed);
  CHECK_THAT(text, Catch::Contains("max_in_flight = 5000") && Catch::Contains("default 100000"));
  CHECK_THAT(text, Catch::Contains("kappa = 2.5") && Catch::Contains("learning_rate = 0.0"));
  // The secret is left out, visibly; the configured non-secret key is there, the built-in ones commented.
  CHECK_THAT(text, !Catch::Contains("hunter2"));
  CHECK_THAT(text, Catch::Contains("# \"sasl.password\" is set (a secret: not printed)"));
  CHECK_THAT(text, Catch::Contains("\"bootstrap.servers\" = \"broker-1:9093,broker-2:9093\""));
  CHECK_THAT(text, Catch::Contains("# \"group.id\" = \"hanzo-hmmd\"  # built in"));
  // Everything but the secret reads back unchanged.
  auto again = daemon::daemon_config_from_toml(text, "rendered.toml");
  INFO((again ? std::string() : again.error().to_string()));
  REQUIRE(again);
  DaemonConfig want = *changed;
  want.kafka = {{"bootstrap.servers", "broker-1:9093,broker-2:9093"}};
  compare(*again, want);
  CHECK(again->engine.market.kappa == 2.5);
  CHECK(again->engine.tenants.adapter.learning_rate == 0.0);
  CHECK(again->engine.models.at(0).name == "m \"quoted\"");
  CHECK(daemon::render_config(*again) == daemon::render_config(want));
}

// Not a list of keys: every numeric bound declared anywhere in the daemon's configuration is
// tried just outside its range, and the error must name that key and that bound.
TEST_CASE("daemon config: every declared bound is enforced and named, from the declaration", "[daemon][config]") {
  DaemonConfig defaults;
  config::Schema s;
  daemon::declare(s, defaults);
  std::size_t tried = 0;
  for (const auto& o : s.describe()) {
    if (o.key.find("[]") != std::string::npos || o.type.rfind("array", 0) == 0) continue;
    const auto& r = o.range;
    for (int side = 0; side < 2; ++side) {
      const auto& limit = side == 0 ? r.min : r.max;
      if (!limit) continue;
      const bool exclusive = side == 0 ? r.min_exclusive : r.max_exclusive;
      // Just outside: the bound itself when exclusive, else one step beyond (integers need a whole step).
      const double step = o.type == "integer" ? 1.0 : std::max(1e-6, std::fabs(*limit) * 1e-3);
      const double bad = exclusive ? *limit : (side == 0 ? *limit - step : *limit + step);
      // The dotted key as a nested document: a.b.c = bad
      boost::json::value doc = bad;
      std::vector<std::string> parts;
      for (std::size_t i = 0, j; i <= o.key.size(); i = j + 1) {
        j = o.key.find('.', i);
        if (j == std::string::npos) j = o.key.size();
        parts.push_back(o.key.substr(i, j - i));
      }
      for (auto it = parts.rbegin(); it != parts.rend(); ++it) {
        boost::json::object wrap;
        wrap[*it] = std::move(doc);
        doc = std::move(wrap);
      }
      INFO(o.key << " = " << bad);
      DaemonConfig c;
      config::Schema t;
      daemon::declare(t, c);
      auto applied = t.apply(doc);
      REQUIRE_FALSE(applied);
      CHECK(applied.error().where == o.key);
      CHECK_THAT(applied.error().message, Catch::Contains(r.describe()));
      ++tried;
    }
  }
  CHECK(tried >= 60);  // the daemon's and the MarketMaker's bounds, not a handful
}

TEST_CASE("daemon config: adapters may be frozen (learning_rate = 0), not reversed", "[daemon][config]") {
  auto frozen = daemon::daemon_config_from_toml("[tenants.adapter]\nlearning_rate = 0\n", "c.toml");
  INFO((frozen ? std::string() : frozen.error().to_string()));
  REQUIRE(frozen);
  CHECK(frozen->engine.tenants.adapter.learning_rate == 0.0);
  const Error e = error_of("[tenants.adapter]\nlearning_rate = -0.1\n");
  CHECK(e.where == "c.toml: tenants.adapter.learning_rate");
  CHECK_THAT(e.message, Catch::Contains(">= 0"));
}

TEST_CASE("daemon config: kafka keys pass through to librdkafka, nested or quoted, overriding defaults", "[daemon][config]") {
  const auto c = daemon::daemon_config_from_toml(R"([kafka]
"bootstrap.servers" = "broker-1:9093,broker-2:9093"
"security.protocol" = "SASL_SSL"
sasl.mechanism = "PLAIN"
sasl.username = "hmmd"
[kafka.ssl]
ca.location = "/etc/ssl/ca.pem"
[kafka.socket]
"timeout.ms" = 5000
"keepalive.enable" = true
)",
                                                 "c.toml")
                     .value();
  CHECK(as_map(c.kafka) == Props{{"bootstrap.servers", "broker-1:9093,broker-2:9093"},
                                 {"security.protocol", "SASL_SSL"},
                                 {"sasl.mechanism", "PLAIN"},
                                 {"sasl.username", "hmmd"},
                                 {"ssl.ca.location", "/etc/ssl/ca.pem"},
                                 {"socket.timeout.ms", "5000"},
                                 {"socket.keepalive.enable", "true"}});
  const auto props = c.kafka_properties();
  CHECK(props.size() == 12);  // each property once: the default bootstrap.servers was replaced
  CHECK(as_map(props) == Props{{"bootstrap.servers", "broker-1:9093,broker-2:9093"},
                               {"group.id", "hanzo-hmmd"},
                               {"client.id", "hanzo-hmmd"},
                               {"fetch.wait.max.ms", "5"},
                               {"linger.ms", "1"},
                               {"socket.nagle.disable", "true"},
                               {"security.protocol", "SASL_SSL"},
                               {"sasl.mechanism", "PLAIN"},
                               {"sasl.username", "hmmd"},
                               {"ssl.ca.location", "/etc/ssl/ca.pem"},
                               {"socket.timeout.ms", "5000"},
                               {"socket.keepalive.enable", "true"}});

  // In code: the file's "kafka." prefix names the same property, and a later entry wins.
  DaemonConfig d;
  d.kafka = {{"kafka.group.id", "g1"}, {"client.id", "a"}, {"group.id", "g2"}, {"linger.ms", "5"}};
  CHECK(d.kafka_properties() == kafka::Config{{"bootstrap.servers", "localhost:9092"},
                                              {"group.id", "g2"},
                                              {"client.id", "a"},
                                              {"fetch.wait.max.ms", "5"},
                                              {"linger.ms", "5"},  // replaced in place
                                              {"socket.nagle.disable", "true"}});
  CHECK(d.validate());
}

TEST_CASE("daemon config: the embedded cluster's client settings, unless configured", "[daemon][config]") {
  DaemonConfig c;
  c.use_embedded_cluster("127.0.0.1:40001");
  auto props = as_map(c.kafka_properties());
  CHECK(props["bootstrap.servers"] == "127.0.0.1:40001");
  CHECK(props["fetch.wait.max.ms"] == "1");
  CHECK(props["compression.type"] == "none");
  CHECK(props["linger.ms"] == "1");  // the other defaults stay

  // What [kafka] sets wins, under either compression name.
  DaemonConfig d;
  d.kafka = {{"fetch.wait.max.ms", "7"}, {"compression.codec", "zstd"}};
  d.use_embedded_cluster("127.0.0.1:40002");
  props = as_map(d.kafka_properties());
  CHECK(props["fetch.wait.max.ms"] == "7");
  CHECK(props["compression.codec"] == "zstd");
  CHECK(props.count("compression.type") == 0);
  DaemonConfig e;
  e.kafka = {{"kafka.compression.type", "lz4"}};
  e.use_embedded_cluster("127.0.0.1:40003");
  CHECK(as_map(e.kafka_properties())["compression.type"] == "lz4");
}

TEST_CASE("daemon config: every bound and cross-check names its key", "[daemon][config]") {
  const std::string long_topic(250, 't');
  const struct {
    std::string toml, where, says;
  } cases[] = {
      {"[daemon]\nresume_in_flight = 100000\n", "daemon.resume_in_flight", "must be below daemon.max_in_flight (100000)"},
      {"[daemon]\nmax_in_flight = 100\n", "daemon.resume_in_flight", "daemon.max_in_flight (100)"},
      {"[daemon]\nmax_in_flight = 50\nresume_in_flight = 50\n", "daemon.resume_in_flight", "(50)"},
      {"[daemon]\nmax_in_flight = 0\n", "daemon.max_in_flight", "out of bounds"},
      {"[daemon]\nresume_in_flight = -1\n", "daemon.resume_in_flight", "out of bounds"},
      {"[daemon]\nrouter_actors = 0\n", "daemon.router_actors", ">= 1"},
      {"[daemon]\nrouter_actors = 257\n", "daemon.router_actors", "<= 256"},
      {"[daemon]\nrouter_actors = 2.5\n", "daemon.router_actors", "whole number"},
      {"[daemon]\nmax_resident_tenants = 0\n", "daemon.max_resident_tenants", ">= 1"},
      {"[daemon]\ntenant_idle_seconds = 0\n", "daemon.tenant_idle_seconds", "> 0"},
      {"[daemon]\ntenant_idle_seconds = \"5m\"\n", "daemon.tenant_idle_seconds", "a number"},
      {"[daemon]\nmax_message_bytes = 0\n", "daemon.max_message_bytes", "out of bounds"},
      {"[daemon]\nmax_message_bytes = 2000000000\n", "daemon.max_message_bytes", "<= 1000000000"},
      {"[daemon]\nmax_tenant_id_bytes = 0\n", "daemon.max_tenant_id_bytes", "out of bounds"},
      {"[daemon]\nshutdown_timeout_seconds = 0\n", "daemon.shutdown_timeout_seconds", "> 0"},
      {"[daemon]\nshutdown_timeout_seconds = 7200\n", "daemon.shutdown_timeout_seconds", "<= 3600"},
      {"[daemon]\ncommit_interval_seconds = -1\n", "daemon.commit_interval_seconds", "> 0"},
      {"[daemon]\nchangelog_full_every = 0\n", "daemon.changelog_full_every", "out of bounds"},
      {"[daemon]\nstate_interval_seconds = -0.1\n", "daemon.state_interval_seconds", ">= 0"},
      {"[daemon]\nstate_interval_seconds = 1\n", "daemon.state_interval_seconds",
       "must be below daemon.commit_interval_seconds (1)"},
      {"[daemon]\ncommit_interval_seconds = 0.1\n", "daemon.state_interval_seconds",
       "must be below daemon.commit_interval_seconds (0.1)"},
      {"[daemon]\nmax_inflight = 5\n", "daemon.max_inflight", "did you mean \"max_in_flight\""},
      {"[topic]\nticks = \"t\"\n", "topic", "did you mean \"topics\""},
      {"[topics]\nticks = \"\"\n", "topics.ticks", "must not be empty"},
      {"[topics]\nrequests = 5\n", "topics.requests", "a string"},
      {"[topics]\ndlq = \"hanzo.hmm.requests\"\n", "topics.dlq", "is already topics.requests"},
      {"[topics]\nprices = \"p\"\ndecisions = \"p\"\n", "topics.prices", "is already topics.decisions"},
      {"[topics]\nfeedback = \"my feedback\"\n", "topics.feedback", "letters, digits"},
      {"[topics]\nquotes = \"\"\n", "topics.quotes", "leave both empty"},
      {"[topics]\nquote_answers = \"\"\n", "topics.quote_answers", "leave both empty"},
      {"[topics]\nquote_answers = \"hanzo.hmm.prices\"\n", "topics.quote_answers", "is already topics.prices"},
      {"[topics]\nticks = \"..\"\n", "topics.ticks", "not a valid Kafka topic name"},
      {"[topics]\nticks = \"" + long_topic + "\"\n", "topics.ticks", "249"},
      {"[topics]\ncolour = \"x\"\n", "topics.colour", "unknown option"},
      {"[metrics]\nlisten = \"localhost\"\n", "metrics.listen", "\"localhost\""},
      {"[metrics]\nlisten = \"[::1]:99999\"\n", "metrics.listen", "65535"},
      {"[metrics]\nport = 9464\n", "metrics.port", "unknown option"},
      {"[kafka]\n\"bootstrap.servers\" = [\"a:1\", \"b:2\"]\n", "kafka.bootstrap.servers", "a string, number or boolean"},
      {"[kafka]\n\"enable.auto.commit\" = true\n", "kafka.enable.auto.commit", "must be false"},
      {"[kafka]\n\"no.such.property\" = 1\n", "kafka.no.such.property", "No such configuration property"},
      {"[kafka]\n\"linger.ms\" = \"soon\"\n", "kafka.linger.ms", "Invalid value"},
      {"[kafka]\nenable.auto.offset.store = \"true\"\n", "kafka.enable.auto.offset.store", "must be false"},
      {"kafka = 3\n", "kafka", "a table"},
      {"[processing]\nguarantee = \"exactly-once\"\n", "processing.guarantee", "exactly_once"},
      {"[processing]\ntransaction_max_messages = 0\n", "processing.transaction_max_messages", "out of bounds"},
      {"[processing]\ntransaction_max_seconds = 0\n", "processing.transaction_max_seconds", "> 0"},
      {"[kafka]\n\"transactional.id\" = \"x\"\n", "kafka.transactional.id", "only used with"},
      {"[processing]\nguarantee = \"exactly_once\"\n[kafka]\n\"enable.idempotence\" = false\n",
       "kafka.enable.idempotence", "must be true"},
      {"[processing]\nguarantee = \"exactly_once\"\n[kafka]\n\"isolation.level\" = \"read_uncommitted\"\n",
       "kafka.isolation.level", "read_committed"},
      // The MarketMaker's keys are still checked, by its own declaration and validate().
      {"[market]\nlamda = 0.1\n", "market.lamda", "did you mean \"lambda\""},
      {"[router.regimes.crisis]\ngamma = 0\n", "router.regimes.crisis.gamma", "out of bounds"},
  };
  for (const auto& c : cases) {
    INFO(c.toml);
    const Error e = error_of(c.toml);
    CHECK(e.where == "c.toml: " + c.where);
    CHECK_THAT(e.message, Catch::Contains(c.says));
  }
  // A false auto-commit is accepted: it is what the daemon needs anyway.
  CHECK(daemon::daemon_config_from_toml("[kafka]\n\"enable.auto.commit\" = false\n", "c.toml"));
  // exactly_once with its own transactional.id, and the default guarantee.
  auto eos = daemon::daemon_config_from_toml(
      "[processing]\nguarantee = \"exactly_once\"\ntransaction_max_messages = 500\n[kafka]\n\"transactional.id\" = "
      "\"t1\"\n",
      "c.toml");
  REQUIRE(eos);
  CHECK(eos->exactly_once());
  CHECK(eos->transaction_max_messages == 500);
  CHECK_FALSE(DaemonConfig{}.exactly_once());
}

TEST_CASE("daemon config: validate() checks a config built in code like a file", "[daemon][config]") {
  auto where = [](const DaemonConfig& c) {
    auto ok = c.validate();
    return ok ? std::string("(valid)") : ok.error().where;
  };
  DaemonConfig c;
  c.router_actors = 0;
  CHECK(where(c) == "daemon.router_actors");
  c = {};
  c.tenant_idle_seconds = std::nan("");
  CHECK(where(c) == "daemon.tenant_idle_seconds");
  c = {};
  c.resume_in_flight = c.max_in_flight;
  CHECK(where(c) == "daemon.resume_in_flight");
  c = {};
  c.metrics_listen = "9464";
  CHECK(where(c) == "metrics.listen");
  c = {};
  c.topics.ticks = c.topics.feedback;
  CHECK(where(c) == "topics.feedback");
  c = {};
  c.kafka = {{"kafka.", "x"}};
  CHECK(where(c) == "kafka.kafka.");
  c = {};
  c.engine.models[0].compute_class = "h200";
  CHECK(where(c) == "models[0].compute_class");
}

TEST_CASE("daemon config: file errors carry the file and line", "[daemon][config]") {
  const Error syntax = error_of("[daemon\nrouter_actors = 2\n");
  CHECK(syntax.code == Errc::parse_error);
  CHECK_THAT(syntax.where, Catch::StartsWith("c.toml:1:"));
  auto missing = daemon::load_daemon_config("/nonexistent/hanzo-hmmd.toml");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == Errc::io_error);
  CHECK(missing.error().where == "/nonexistent/hanzo-hmmd.toml");
}

TEST_CASE("daemon config: every option is declared with a description, default and bounds", "[daemon][config]") {
  DaemonConfig c;
  config::Schema s;
  daemon::declare(s, c);
  std::map<std::string, config::OptionInfo> opts;
  for (const auto& o : s.describe()) {
    if (o.type != "table") CHECK(!o.description.empty());
    opts[o.key] = o;
  }
  CHECK(opts.count("market.lambda") == 1);  // the MarketMaker's options are all there
  CHECK(opts.count("models[].tokens_per_second") == 1);
  CHECK(opts.at("kafka").type == "table of strings");
  CHECK_THAT(opts.at("kafka").description, Catch::Contains("PROPERTY_file"));
  CHECK(opts.at("topics.decisions").default_value == "\"hanzo.hmm.decisions\"");
  CHECK(opts.at("metrics.listen").default_value == "\"127.0.0.1:9464\"");
  CHECK(opts.at("daemon.max_in_flight").default_value == "100000");
  CHECK(opts.at("daemon.resume_in_flight").default_value == "90000");
  CHECK(opts.at("daemon.max_message_bytes").default_value == "1048576");
  CHECK(opts.at("daemon.tenant_idle_seconds").default_value == "300");
  CHECK(opts.at("daemon.router_actors").bounds == ">= 1 and <= 256");
  for (const auto& [key, o] : opts)
    if (key.rfind("daemon.", 0) == 0 && o.type != "string") CHECK(!o.bounds.empty());  // numbers: bounded
  CHECK(opts.at("daemon.shared_pool_separator").default_value == "\"-\"");
}

TEST_CASE("listen addresses: HOST:PORT and [IPv6]:PORT", "[daemon][config]") {
  using P = std::pair<std::string, std::uint16_t>;
  const std::pair<const char*, P> good[] = {
      {"0.0.0.0:9464", {"0.0.0.0", 9464}},        {"127.0.0.1:0", {"127.0.0.1", 0}},
      {"localhost:65535", {"localhost", 65535}},  {"metrics-1.example.com:80", {"metrics-1.example.com", 80}},
      {"[::1]:9464", {"::1", 9464}},              {"[::]:1", {"::", 1}},
      {"[fe80::1%eth0]:9464", {"fe80::1%eth0", 9464}}, {"[::ffff:127.0.0.1]:9464", {"::ffff:127.0.0.1", 9464}},
      {"host:009464", {"host", 9464}},
  };
  for (const auto& [text, want] : good) {
    INFO(text);
    auto got = daemon::parse_listen_address(text, "--metrics-listen");
    REQUIRE(got);
    CHECK(*got == want);
  }
  const char* bad[] = {"",          "localhost",  ":9464",         "localhost:",     "localhost:65536",
                       "h:-1",      "h:+1",       "h:94a",         "h: 9464",        "::1:9464",
                       "[::1]9464", "[::1]",      "[::1",          "[]:80",          "[localhost]:80",
                       "[::1]:",    "local host:80", "h/x:80",     "h:99999999999999999999999"};
  for (const char* text : bad) {
    INFO(text);
    auto got = daemon::parse_listen_address(text, "--metrics-listen");
    REQUIRE_FALSE(got);
    CHECK(got.error().where == "--metrics-listen");
    CHECK_THAT(got.error().message, Catch::Contains("\"" + std::string(text) + "\""));
  }
}
