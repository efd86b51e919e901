// hanzo-responder-bench: the latency ceiling for hanzo-hmmd on this machine.
// The throughput ceiling is a raw consume->produce loop; this is the same loop as a stand-in
// for the daemon under `hanzo-hmm loadgen --rate R`, so the half-load latency can be compared
// with what Kafka alone (the mock cluster, librdkafka, the load generator) costs at that rate.
// It starts a mock cluster with the embedded daemon's topics and partition counts, prints
// `bootstrap.servers=...`, and answers every request with a copy of a real decision (--decision
// FILE: one JSON object, e.g. a loadgen report's sample_decision) carrying the request's
// request_id and tenant: same sizes, same keys, no routing, no changelog. Client settings are
// the embedded daemon's, from its own functions (daemon_settings.cpp), printed at start; the
// decision goes to the decisions partition equal to the request's. It reads feedback and ticks
// too, and drops them. Runs until SIGINT/SIGTERM; prints counts on exit.
// Usage: hanzo-responder-bench --decision FILE [--linger-ms MS]
#include <librdkafka/rdkafka.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "daemon_settings.hpp"
#include "hanzo/hmm/kafka/mock_cluster.hpp"
#include "raw_kafka.hpp"

namespace {

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

constexpr const char* kProgram = "hanzo-responder-bench";
[[noreturn]] void die(const std::string& what) { raw_kafka::die(kProgram, what); }
rd_kafka_conf_t* make_conf(const raw_kafka::Props& props) { return raw_kafka::make_conf(kProgram, props); }

using raw_kafka::string_field;

// The decision split around its request_id and tenant values, so each answer is three copies.
struct Template {
  std::string head, middle, tail;  // head + request_id + middle + tenant + tail
  bool id_first{true};
};

Template load_template(const std::string& path) {
  std::ifstream in(path);
  if (!in) die("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string json = ss.str();
  const auto id = string_field(json, "request_id");
  const auto tenant = string_field(json, "tenant");
  if (id.empty() || tenant.empty()) die(path + ": no \"request_id\" or \"tenant\" string (compact JSON expected)");
  const auto id_at = static_cast<std::size_t>(id.data() - json.data());
  const auto tenant_at = static_cast<std::size_t>(tenant.data() - json.data());
  Template t;
  t.id_first = id_at < tenant_at;
  const auto [a, a_len, b, b_len] = t.id_first ? std::tuple{id_at, id.size(), tenant_at, tenant.size()}
                                               : std::tuple{tenant_at, tenant.size(), id_at, id.size()};
  t.head = json.substr(0, a);
  t.middle = json.substr(a + a_len, b - a - a_len);
  t.tail = json.substr(b + b_len);
  return t;
}

}  // namespace

int main(int argc, char** argv) {
  std::string decision_path, linger;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--decision")) decision_path = argv[i + 1];
    else if (!std::strcmp(argv[i], "--linger-ms")) linger = argv[i + 1];
    else die(std::string("unknown option ") + argv[i]);
  }
  if (decision_path.empty()) die("usage: hanzo-responder-bench --decision FILE [--linger-ms MS]");
  const Template tpl = load_template(decision_path);
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  // The embedded daemon's cluster: one broker, the same topics and partition counts, the same
  // priority for its thread.
  auto cluster = hanzo::hmm::kafka::MockCluster::create(1);
  if (!cluster) die(cluster.error().to_string());
  (void)cluster->set_nice(hanzo::hmm::kafka::MockCluster::kEmbeddedNice);  // as hanzo-hmmd does, when allowed
  for (const auto& t : daemon_settings::embedded_topics())
    if (auto ok = cluster->create_topic(t.name, t.partitions); !ok) die(ok.error().to_string());
  const std::string bootstrap = cluster->bootstrap_servers();
  auto settings = daemon_settings::embedded(bootstrap);
  if (!linger.empty()) settings.producer.emplace_back("linger.ms", linger);  // an experiment, not the daemon
  char err[512];

  rd_kafka_conf_t* pconf = make_conf(settings.producer);
  rd_kafka_t* producer = rd_kafka_new(RD_KAFKA_PRODUCER, pconf, err, sizeof err);
  if (!producer) die(std::string("producer: ") + err);
  rd_kafka_conf_t* cconf = make_conf(settings.consumer);
  rd_kafka_t* consumer = rd_kafka_new(RD_KAFKA_CONSUMER, cconf, err, sizeof err);
  if (!consumer) die(std::string("consumer: ") + err);
  daemon_settings::print_and_check("consumer", settings.consumer, consumer);
  daemon_settings::print_and_check("producer", settings.producer, producer);
  rd_kafka_poll_set_consumer(consumer);
  rd_kafka_topic_partition_list_t* topics = rd_kafka_topic_partition_list_new(3);
  for (const char* t : {"hanzo.hmm.requests", "hanzo.hmm.feedback", "hanzo.hmm.ticks"})
    rd_kafka_topic_partition_list_add(topics, t, RD_KAFKA_PARTITION_UA);
  if (rd_kafka_resp_err_t e = rd_kafka_subscribe(consumer, topics)) die(std::string("subscribe: ") + rd_kafka_err2str(e));
  rd_kafka_topic_partition_list_destroy(topics);

  std::printf("bootstrap.servers=%s\n", bootstrap.c_str());
  std::fflush(stdout);
  std::fprintf(stderr, "hanzo-responder-bench: ready\n");

  // By handle, as the daemon's producer: by name each message takes the client's topic lock.
  rd_kafka_topic_t* decisions = rd_kafka_topic_new(producer, "hanzo.hmm.decisions", nullptr);
  std::size_t answered = 0, other = 0;
  std::string value;
  while (!g_stop) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer, 1);
    rd_kafka_poll(producer, 0);
    if (!m) continue;
    if (!m->err && std::strcmp(rd_kafka_topic_name(m->rkt), "hanzo.hmm.requests") == 0) {
      const std::string_view in(static_cast<const char*>(m->payload), m->len);
      const std::string_view id = string_field(in, "request_id");
      const std::string_view tenant(static_cast<const char*>(m->key), m->key_len);
      value.assign(tpl.head).append(tpl.id_first ? id : tenant).append(tpl.middle).append(tpl.id_first ? tenant : id)
          .append(tpl.tail);
      for (;;) {
        const rd_kafka_resp_err_t e = rd_kafka_producev(
            producer, RD_KAFKA_V_RKT(decisions), RD_KAFKA_V_PARTITION(m->partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
            RD_KAFKA_V_KEY(m->key, m->key_len), RD_KAFKA_V_VALUE(value.data(), value.size()), RD_KAFKA_V_END);
        if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) break;
        rd_kafka_poll(producer, 1);
      }
      ++answered;
    } else {
      ++other;
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_flush(producer, 10000);
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  rd_kafka_topic_destroy(decisions);
  rd_kafka_destroy(producer);
  std::fprintf(stderr, "hanzo-responder-bench: answered %zu requests, read %zu other messages\n", answered, other);
  return 0;
}
