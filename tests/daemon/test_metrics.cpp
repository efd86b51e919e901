// Metrics: the scrape holds exactly the series the updates imply, follows the contract in
// config/prometheus/metrics.txt, passes promtool, and is served over HTTP on a free port.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "hanzo/hmm/daemon/metrics.hpp"
#include "hanzo/hmm/kafka/consumer.hpp"
#include "hanzo/hmm/market/tick.hpp"
#include "missing_tool.hpp"

using namespace hanzo::hmm;
using namespace hanzo::hmm::daemon;

namespace {

using Labels = std::map<std::string, std::string>;

struct Exposition {
  std::map<std::string, std::string> type, help;  // by family name
  std::map<std::pair<std::string, Labels>, double> samples;
};

// The text format as prometheus-cpp writes it: "# HELP", "# TYPE", name{k="v",...} value.
Exposition parse(const std::string& text) {
  Exposition e;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    if (line.starts_with("# HELP ") || line.starts_with("# TYPE ")) {
      const auto rest = line.substr(7);
      const auto sp = rest.find(' ');
      (line[2] == 'H' ? e.help : e.type)[rest.substr(0, sp)] = rest.substr(sp + 1);
      continue;
    }
    REQUIRE(line[0] != '#');
    std::size_t i = line.find_first_of("{ ");
    const std::string name = line.substr(0, i);
    Labels labels;
    if (line[i] == '{') {
      ++i;
      while (line[i] != '}') {
        const auto eq = line.find('=', i);
        const std::string key = line.substr(i, eq - i);
        std::string value;
        for (i = eq + 2; line[i] != '"'; ++i) value += line[i] == '\\' ? line[++i] : line[i];
        labels[key] = value;
        if (line[++i] == ',') ++i;
      }
      ++i;
    }
    INFO(line);
    REQUIRE(e.samples.emplace(std::pair{name, labels}, std::stod(line.substr(i + 1))).second);  // no duplicates
  }
  return e;
}

struct ContractEntry {
  std::string type, help;
  std::set<std::string> labels;
};

// The repository's config/prometheus/metrics.txt: the nearest one above HANZO_TEST_DATA (CTest
// sets it to tests/<suite>/data) or, run by hand, above this source file.
std::filesystem::path contract_path() {
  const char* data = std::getenv("HANZO_TEST_DATA");
  for (std::filesystem::path start : {data ? std::filesystem::path(data) : std::filesystem::path(),
                                      std::filesystem::path(__FILE__).parent_path()}) {
    for (auto dir = start; !dir.empty() && dir != dir.root_path(); dir = dir.parent_path()) {
      const auto candidate = dir / "config" / "prometheus" / "metrics.txt";
      if (std::filesystem::exists(candidate)) return candidate;
    }
  }
  return "config/prometheus/metrics.txt";
}

std::map<std::string, ContractEntry> load_contract() {
  std::ifstream in(contract_path());
  REQUIRE(in);
  std::map<std::string, ContractEntry> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string name, type, labels, help;
    fields >> name >> type >> labels >> std::ws;
    std::getline(fields, help);
    ContractEntry entry{type, help, {}};
    if (labels != "-") {
      std::istringstream names(labels);
      for (std::string l; std::getline(names, l, ',');) entry.labels.insert(l);
    }
    out[name] = entry;
  }
  return out;
}

// The family a sample belongs to: histograms (and summaries) expose <family>_bucket/_sum/_count.
std::string family_of(const std::string& sample, const Exposition& e) {
  for (const char* suffix : {"_bucket", "_sum", "_count"}) {
    const std::string s(suffix);
    if (sample.ends_with(s)) {
      const auto base = sample.substr(0, sample.size() - s.size());
      if (e.type.contains(base) && (e.type.at(base) == "histogram" || e.type.at(base) == "summary")) return base;
    }
  }
  return sample;
}

// Every family and sample of `e` is the contract's (type, help, label names); with `all`, every
// contract metric but Prometheus's own `up` is present. Families named in `extra` are skipped.
void check_contract(const Exposition& e, bool all, const std::set<std::string>& extra = {}) {
  const auto contract = load_contract();
  REQUIRE(contract.size() > 10);
  for (const auto& [name, type] : e.type) {
    if (extra.contains(name)) continue;
    INFO(name);
    REQUIRE(contract.contains(name));
    CHECK(contract.at(name).type == type);
    CHECK(e.help.at(name) == contract.at(name).help);
  }
  for (const auto& [key, value] : e.samples) {
    const auto family = family_of(key.first, e);
    if (extra.contains(family)) continue;
    INFO(key.first);
    REQUIRE(e.type.contains(family));
    std::set<std::string> names;
    for (const auto& [k, v] : key.second) names.insert(k);
    if (key.first.ends_with("_bucket")) CHECK(names.erase("le") == 1);
    CHECK(names == contract.at(family).labels);
  }
  if (!all) return;
  for (const auto& [name, entry] : contract) {
    INFO(name);
    if (name != "up") CHECK(e.type.contains(name));
  }
}

MetricsOptions options() {
  MetricsOptions o;
  o.classes = {"a100", "h100"};
  o.regimes = {"slack", "balanced", "congested"};
  o.version = "1.2.3";
  o.revision = "abc123";
  return o;
}

// Touches every metric, so the scrape has every contract family with some series.
void update_all(Metrics& m) {
  for (int i = 0; i < 3; ++i) m.consumed(SourceTopic::ticks);
  for (int i = 0; i < 5; ++i) m.consumed(SourceTopic::requests);
  for (int i = 0; i < 4; ++i) m.decision(true);
  m.decision(false);
  m.consumed(SourceTopic::quotes);
  m.consumed(SourceTopic::quotes);
  m.quote(true);
  m.quote(false);
  m.quote(true);
  m.dlq(DlqReason::invalid_json);
  m.dlq(DlqReason::invalid_json);
  m.dlq(DlqReason::too_large);
  for (double s : {0.003, 0.03, 20.0}) m.request_latency(s);
  for (double s : {7e-5, 0.0015, 0.0015, 3.0}) m.processing(s);
  for (double s : {3e-6, 0.5}) m.tick_processing(s);
  for (double s : {0.0015, 0.004}) m.state_write(s);
  m.event_age(0.25);
  market::Snapshot snap;
  snap.classes = {{2.5, 100.0, 250.0}, {4.0, 50.0, 200.0}, {9.0, 9.0, 9.0}};  // the third is unconfigured
  snap.drift = 0.0125;
  snap.regime_posterior = {0.25, 0.5, 0.25, 0.75};  // the fourth is unconfigured
  m.market(snap);
  m.tenant_actors(7);
  m.tenant_evicted(2);
  m.tenant_evicted();
  m.redelivered(daemon::Redelivery::answered);
  m.redelivered(daemon::Redelivery::feedback_skipped);
  m.redelivered(daemon::Redelivery::answered);
  m.transaction(true);
  m.transaction(true);
  m.transaction(false);
  m.progressing(false);
  m.progressing(true);
  m.tenants_restored(1000);
  m.tenants_restored(500);
  m.restore_seconds(0.5);
  m.restore_seconds(0.25);
  m.restore_seconds(-1.0);  // a clock step backwards is not negative time
  m.restore_data_lost(2);
  m.restore_data_lost(1);
  const std::vector<kafka::PartitionLag> lags{{"hanzo.hmm.requests", 0, 0, 10, 4, 6},
                                              {"hanzo.hmm.requests", 1, 0, 3, 3, 0}};
  m.consumer_lag(lags);
  m.producer_queue(11);
  m.paused_partitions(2);
}

// One HTTP/1.0 GET over a loopback socket; the whole response (civetweb closes after it).
std::string http_get(std::uint16_t port, const std::string& path) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  REQUIRE(fd >= 0);
  timeval timeout{10, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  const std::string request = "GET " + path + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));
  std::string response;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) response.append(buf, static_cast<std::size_t>(n));
  ::close(fd);
  return response;
}

// `promtool check metrics` (format and lint) on `text`, fed through its stdin.
void promtool_accepts(const std::string& text) {
  const auto out = std::filesystem::temp_directory_path() / ("hanzo-promtool-" + std::to_string(::getpid()));
  FILE* p = ::popen(("/usr/bin/promtool check metrics > " + out.string() + " 2>&1").c_str(), "w");
  REQUIRE(p != nullptr);
  std::fwrite(text.data(), 1, text.size(), p);
  const int status = ::pclose(p);
  std::ifstream report(out);
  const std::string said((std::istreambuf_iterator<char>(report)), std::istreambuf_iterator<char>());
  std::filesystem::remove(out);
  INFO("promtool said: " << said);
  CHECK(status == 0);
  CHECK(said.empty());
}

// prometheus-cpp's Exposer adds its own scrape statistics to the HTTP exposition.
const std::set<std::string> kExposerFamilies{"exposer_transferred_bytes_total", "exposer_scrapes_total",
                                             "exposer_request_latencies"};

}  // namespace

TEST_CASE("metrics: the scrape holds exactly the series the updates imply", "[metrics]") {
  Metrics m(options());
  update_all(m);
  const Exposition e = parse(m.scrape());

  std::map<std::pair<std::string, Labels>, double> expected{
      {{"hanzo_hmmd_messages_consumed_total", {{"topic", "hanzo.hmm.ticks"}}}, 3},
      {{"hanzo_hmmd_messages_consumed_total", {{"topic", "hanzo.hmm.requests"}}}, 5},
      {{"hanzo_hmmd_messages_consumed_total", {{"topic", "hanzo.hmm.feedback"}}}, 0},
      {{"hanzo_hmmd_messages_consumed_total", {{"topic", "hanzo.hmm.quotes"}}}, 2},
      {{"hanzo_hmmd_quotes_total", {{"outcome", "quoted"}}}, 2},
      {{"hanzo_hmmd_quotes_total", {{"outcome", "refused"}}}, 1},
      {{"hanzo_hmmd_decisions_total", {{"status", "routed"}}}, 4},
      {{"hanzo_hmmd_decisions_total", {{"status", "rejected"}}}, 1},
      {{"hanzo_hmmd_dlq_messages_total", {{"reason", "invalid_json"}}}, 2},
      {{"hanzo_hmmd_dlq_messages_total", {{"reason", "schema"}}}, 0},
      {{"hanzo_hmmd_dlq_messages_total", {{"reason", "bad_key"}}}, 0},
      {{"hanzo_hmmd_dlq_messages_total", {{"reason", "too_large"}}}, 1},
      {{"hanzo_hmmd_dlq_messages_total", {{"reason", "rejected"}}}, 0},
      {{"hanzo_hmmd_request_decision_latency_seconds_count", {}}, 3},
      {{"hanzo_hmmd_request_decision_latency_seconds_sum", {}}, 20.033},
      {{"hanzo_hmmd_processing_seconds_count", {}}, 4},
      {{"hanzo_hmmd_processing_seconds_sum", {}}, 3.00307},
      {{"hanzo_hmmd_state_write_seconds_count", {}}, 2},
      {{"hanzo_hmmd_state_write_seconds_sum", {}}, 0.0055},
      {{"hanzo_hmmd_tick_processing_seconds_count", {}}, 2},
      {{"hanzo_hmmd_tick_processing_seconds_sum", {}}, 0.500003},
      {{"hanzo_hmmd_event_age_seconds_count", {}}, 1},
      {{"hanzo_hmmd_event_age_seconds_sum", {}}, 0.25},
      {{"hanzo_hmmd_class_price", {{"class", "a100"}}}, 2.5},
      {{"hanzo_hmmd_class_price", {{"class", "h100"}}}, 4.0},
      {{"hanzo_hmmd_class_supply_gpu_seconds", {{"class", "a100"}}}, 100.0},
      {{"hanzo_hmmd_class_supply_gpu_seconds", {{"class", "h100"}}}, 50.0},
      {{"hanzo_hmmd_class_credits", {{"class", "a100"}}}, 250.0},
      {{"hanzo_hmmd_class_credits", {{"class", "h100"}}}, 200.0},
      {{"hanzo_hmmd_invariant_drift_ratio", {}}, 0.0125},
      {{"hanzo_hmmd_market_regime_probability", {{"regime", "slack"}}}, 0.25},
      {{"hanzo_hmmd_market_regime_probability", {{"regime", "balanced"}}}, 0.5},
      {{"hanzo_hmmd_market_regime_probability", {{"regime", "congested"}}}, 0.25},
      {{"hanzo_hmmd_tenant_actors", {}}, 7},
      {{"hanzo_hmmd_tenant_evictions_total", {}}, 3},
      {{"hanzo_hmmd_redelivered_messages_total", {{"outcome", "answered"}}}, 2},
      {{"hanzo_hmmd_redelivered_messages_total", {{"outcome", "not_kept"}}}, 0},
      {{"hanzo_hmmd_redelivered_messages_total", {{"outcome", "feedback_skipped"}}}, 1},
      {{"hanzo_hmmd_transactions_total", {{"outcome", "committed"}}}, 2},
      {{"hanzo_hmmd_transactions_total", {{"outcome", "aborted"}}}, 1},
      {{"hanzo_hmmd_tenants_restored_total", {}}, 1500},
      {{"hanzo_hmmd_progressing", {}}, 1},
      {{"hanzo_hmmd_restore_seconds_total", {}}, 0.75},
      {{"hanzo_hmmd_restore_data_lost_total", {}}, 3},
      {{"hanzo_hmmd_consumer_lag_messages", {{"topic", "hanzo.hmm.requests"}, {"partition", "0"}}}, 6},
      {{"hanzo_hmmd_consumer_lag_messages", {{"topic", "hanzo.hmm.requests"}, {"partition", "1"}}}, 0},
      {{"hanzo_hmmd_producer_queue_messages", {}}, 11},
      {{"hanzo_hmmd_paused_partitions", {}}, 2},
      {{"hanzo_hmmd_build_info", {{"version", "1.2.3"}, {"revision", "abc123"}}}, 1},
  };
  // Buckets are cumulative: le="x" counts the observations <= x, +Inf counts them all.
  const std::map<std::string, std::vector<double>> observed{
      {"hanzo_hmmd_request_decision_latency_seconds", {0.003, 0.03, 20.0}},
      {"hanzo_hmmd_processing_seconds", {7e-5, 0.0015, 0.0015, 3.0}},
      {"hanzo_hmmd_tick_processing_seconds", {3e-6, 0.5}},
      {"hanzo_hmmd_state_write_seconds", {0.0015, 0.004}},
      {"hanzo_hmmd_event_age_seconds", {0.25}}};
  std::map<std::string, std::size_t> buckets;
  for (const auto& [key, value] : e.samples) {
    INFO(key.first);
    if (key.first.starts_with("process_")) continue;  // the process's own (test_metrics_process.cpp)
    if (!key.first.ends_with("_bucket")) {
      REQUIRE(expected.contains(key));
      CHECK(value == Approx(expected.at(key)));
      continue;
    }
    const auto family = key.first.substr(0, key.first.size() - 7);
    REQUIRE(observed.contains(family));
    REQUIRE(key.second.size() == 1);
    const std::string le = key.second.at("le");
    INFO("le=" << le);
    const double bound = le == "+Inf" ? HUGE_VAL : std::stod(le);
    std::size_t below = 0;
    for (double x : observed.at(family)) below += x <= bound;
    CHECK(value == static_cast<double>(below));
    ++buckets[family];
  }
  for (const auto& [key, value] : expected) {
    INFO(key.first);
    CHECK(e.samples.contains(key));
  }
  // The ladders in metrics.cpp (+Inf included): 1-2-5 steps over each quantity's range.
  CHECK(buckets["hanzo_hmmd_request_decision_latency_seconds"] == 15);
  CHECK(buckets["hanzo_hmmd_tick_processing_seconds"] == 17);
  CHECK(buckets["hanzo_hmmd_processing_seconds"] == 15);
  CHECK(e.samples.at({"hanzo_hmmd_processing_seconds_bucket", {{"le", "0.002"}}}) == 3);
  CHECK(e.samples.at({"hanzo_hmmd_processing_seconds_bucket", {{"le", "5e-05"}}}) == 0);
  CHECK(buckets["hanzo_hmmd_state_write_seconds"] == 15);
  CHECK(e.samples.at({"hanzo_hmmd_state_write_seconds_bucket", {{"le", "0.002"}}}) == 1);
  CHECK(buckets["hanzo_hmmd_event_age_seconds"] == 16);
  CHECK(e.samples.at({"hanzo_hmmd_request_decision_latency_seconds_bucket", {{"le", "0.02"}}}) == 1);
}

TEST_CASE("metrics: the exposition follows config/prometheus/metrics.txt", "[metrics]") {
  INFO(contract_path());
  Metrics m(options());
  check_contract(parse(m.scrape()), false);  // before any update: lag has no series yet
  update_all(m);
  check_contract(parse(m.scrape()), true);
  CHECK(to_string(DlqReason::bad_key) == std::string("bad_key"));
}

TEST_CASE("metrics: promtool check metrics accepts the scrape", "[metrics]") {
  if (!hanzo_test::tool_present(std::filesystem::exists("/usr/bin/promtool"),
                                 "/usr/bin/promtool is not installed (apt-get install prometheus)"))
    return;
  Metrics m(options());
  update_all(m);
  SECTION("scrape()") { promtool_accepts(m.scrape()); }
  SECTION("over HTTP, with the exposer's own metrics") {
    REQUIRE(m.listen("127.0.0.1:0"));
    const std::string response = http_get(m.port(), "/metrics");
    const auto body = response.find("\r\n\r\n");
    REQUIRE(body != std::string::npos);
    promtool_accepts(response.substr(body + 4));
  }
}

TEST_CASE("metrics: listen serves /metrics on a free port and reports a taken one", "[metrics]") {
  Metrics m(options());
  CHECK(m.port() == 0);
  REQUIRE(m.listen("127.0.0.1:0"));
  const std::uint16_t port = m.port();
  REQUIRE(port != 0);
  update_all(m);

  const std::string response = http_get(port, "/metrics");
  INFO(response.substr(0, 400));
  REQUIRE(response.starts_with("HTTP/1.1 200 OK\r\n"));
  const auto body = response.find("\r\n\r\n");
  REQUIRE(body != std::string::npos);
  const Exposition e = parse(response.substr(body + 4));
  check_contract(e, true, kExposerFamilies);  // the process_* families included
  CHECK(e.samples.at({"hanzo_hmmd_decisions_total", {{"status", "routed"}}}) == 4);
  CHECK(e.type.at("process_open_fds") == "gauge");
  for (const auto& [name, type] : e.type) {
    INFO(name);
    CHECK((name.starts_with("hanzo_hmmd_") || name.starts_with("process_") || kExposerFamilies.contains(name)));
  }

  const std::string taken = "127.0.0.1:" + std::to_string(port);
  Metrics other(options());
  auto again = other.listen(taken);
  REQUIRE_FALSE(again);
  INFO(again.error().to_string());
  CHECK(again.error().where == taken);
  CHECK(again.error().message.find("in use") != std::string::npos);
  CHECK(other.port() == 0);
  CHECK_FALSE(m.listen("127.0.0.1:0"));  // already serving
  CHECK(m.port() == port);
}

TEST_CASE("metrics: listen errors name a malformed or foreign address", "[metrics]") {
  Metrics m(options());
  auto malformed = m.listen("metrics-host");
  REQUIRE_FALSE(malformed);
  CHECK(malformed.error().to_string().find("metrics-host") != std::string::npos);
  // 192.0.2.0/24 is TEST-NET-1: never assigned to this host, so binding it must fail.
  auto foreign = m.listen("192.0.2.1:0");
  REQUIRE_FALSE(foreign);
  CHECK(foreign.error().where == "192.0.2.1:0");
  CHECK(m.port() == 0);
  REQUIRE(m.listen("localhost:0"));  // a failed listen leaves it free to try again
  CHECK(m.port() != 0);
}

TEST_CASE("metrics: consumer_lag replaces the previous series", "[metrics]") {
  Metrics m(options());
  auto lag_series = [&] {
    std::map<std::string, double> out;  // "topic/partition" -> lag
    for (const auto& [key, value] : parse(m.scrape()).samples) {
      const auto& [name, labels] = key;
      if (name == "hanzo_hmmd_consumer_lag_messages") out[labels.at("topic") + "/" + labels.at("partition")] = value;
    }
    return out;
  };
  const std::vector<kafka::PartitionLag> first{{"t", 0, 0, 0, 0, 5}, {"t", 1, 0, 0, 0, 6}, {"u", 0, 0, 0, 0, 7}};
  m.consumer_lag(first);
  CHECK(lag_series() == std::map<std::string, double>{{"t/0", 5}, {"t/1", 6}, {"u/0", 7}});
  // t/0 and u/0 revoked, t/2 assigned, t/1 moved on.
  const std::vector<kafka::PartitionLag> second{{"t", 1, 0, 0, 0, 1}, {"t", 2, 0, 0, 0, 9}};
  m.consumer_lag(second);
  CHECK(lag_series() == std::map<std::string, double>{{"t/1", 1}, {"t/2", 9}});
  m.consumer_lag({});
  CHECK(lag_series().empty());
  m.consumer_lag(first);
  CHECK(lag_series() == std::map<std::string, double>{{"t/0", 5}, {"t/1", 6}, {"u/0", 7}});
}

TEST_CASE("metrics: with the quote service off there is no consumed series for it", "[metrics]") {
  MetricsOptions o = options();
  o.quotes_topic.clear();
  Metrics m(o);
  m.consumed(SourceTopic::quotes);  // not counted anywhere, and no crash
  m.consumed(SourceTopic::requests);
  const Exposition e = parse(m.scrape());
  std::size_t consumed_series = 0;
  for (const auto& [key, value] : e.samples)
    if (key.first == "hanzo_hmmd_messages_consumed_total") {
      ++consumed_series;
      CHECK(value == (key.second.at("topic") == "hanzo.hmm.requests" ? 1.0 : 0.0));
    }
  CHECK(consumed_series == 3);
}
