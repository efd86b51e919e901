// hanzo-passthrough-bench: the Kafka ceiling for hanzo-hmmd on this machine (issue 4, section 8).
// Raw librdkafka (C API) on its in-process mock cluster, with the load generator's request
// messages (same keys and sizes as `hanzo-hmm loadgen`) and the daemon's client settings
// (librdkafka defaults: acks=all, linger.ms=5; no compression). Per repetition:
//   1. produce alone: M messages into a fresh input topic, timed from the first produce to the
//      last delivery report (this also pre-fills the input);
//   2. consume alone: one consumer reads the M messages back;
//   3. passthrough: one thread consumes each message and produces it to an output topic, timed
//      from the first message consumed to the last delivery report.
// Medians over the repetitions; ratios are against "produce alone" measured in the same run.
// The last line is one JSON object with the medians and every repetition's rate.
//   4. passthrough answering each input with a decision-sized output (--reply-bytes, default
//      2800: hanzo-hmmd's decisions with the default catalogue), on up to 100,000 messages.
// Usage: hanzo-passthrough-bench [--quick] [--messages M] [--partitions P] [--reps R] [--reply-bytes B]
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "hanzo/hmm/loadgen/generator.hpp"
#include "raw_kafka.hpp"

namespace {

using Clock = std::chrono::steady_clock;

struct Msg {
  std::string key, value;
};

constexpr const char* kProgram = "hanzo-passthrough-bench";
[[noreturn]] void die(const std::string& what) { raw_kafka::die(kProgram, what); }

void quiet_log(const rd_kafka_t*, int, const char*, const char*) {}

rd_kafka_conf_t* make_conf(const std::string& bootstrap, raw_kafka::Props extra) {
  extra.insert(extra.begin(), {"bootstrap.servers", bootstrap});
  return raw_kafka::make_conf(kProgram, extra);
}

// Delivery reports arrive in rd_kafka_poll on the calling thread: plain counters suffice.
struct Deliveries {
  std::size_t ok{0}, failed{0};
  Clock::time_point last;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* d = static_cast<Deliveries*>(opaque);
  ++(m->err ? d->failed : d->ok);
  d->last = Clock::now();
}

rd_kafka_t* make_producer(const std::string& bootstrap, Deliveries& d) {
  rd_kafka_conf_t* conf = make_conf(bootstrap, {});  // the daemon's producer: librdkafka defaults
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, &d);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) die(std::string("producer: ") + err);
  return rk;
}

// A client's first message to a topic waits for the topic's metadata (up to ~1 s); fetch it
// before the clock starts.
void warm_metadata(rd_kafka_t* rk, const std::string& topic) {
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, 10000)) die("metadata " + topic + ": " + rd_kafka_err2str(e));
  rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(t);
}

void produce(rd_kafka_t* rk, const std::string& topic, const void* key, std::size_t key_len, const void* value,
             std::size_t len) {
  for (;;) {
    const rd_kafka_resp_err_t e =
        rd_kafka_producev(rk, RD_KAFKA_V_TOPIC(topic.c_str()), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                          RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE(const_cast<void*>(value), len), RD_KAFKA_V_END);
    if (!e) return;
    if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) die("produce: " + std::string(rd_kafka_err2str(e)));
    rd_kafka_poll(rk, 1);  // the local queue drains as the broker acknowledges
  }
}

void wait_deliveries(rd_kafka_t* rk, const Deliveries& d, std::size_t n) {
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (d.ok + d.failed < n) {
    rd_kafka_poll(rk, 10);
    if (Clock::now() > deadline) die("deliveries did not complete within 120 s");
  }
  if (d.failed) die(std::to_string(d.failed) + " deliveries failed");
}

double produce_alone(const std::string& bootstrap, const std::string& topic, const std::vector<Msg>& msgs) {
  Deliveries d;
  rd_kafka_t* rk = make_producer(bootstrap, d);
  warm_metadata(rk, topic);
  const auto t0 = Clock::now();
  for (const auto& m : msgs) {
    produce(rk, topic, m.key.data(), m.key.size(), m.value.data(), m.value.size());
    rd_kafka_poll(rk, 0);
  }
  wait_deliveries(rk, d, msgs.size());
  const double s = std::chrono::duration<double>(d.last - t0).count();
  rd_kafka_destroy(rk);
  return s;
}

// The daemon's consumer settings (no auto commit or offset store), assigned every partition at
// offset 0: no group join and no offset lookup inside the timing.
rd_kafka_t* make_consumer(const std::string& bootstrap, const std::string& topic, int partitions, const std::string& group) {
  rd_kafka_conf_t* conf = make_conf(bootstrap, {{"group.id", group},
                                                {"enable.auto.commit", "false"},
                                                {"enable.auto.offset.store", "false"},
                                                {"auto.offset.reset", "earliest"}});
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) die(std::string("consumer: ") + err);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p) rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = 0;
  if (rd_kafka_resp_err_t e = rd_kafka_assign(rk, list)) die("assign: " + std::string(rd_kafka_err2str(e)));
  rd_kafka_topic_partition_list_destroy(list);
  return rk;
}

// Polls until `n` messages were handed to `each`; dies if the input stops short (the mock
// cluster dropped data: 5 MiB or 100,000 message sets per partition).
template <class Fn>
Clock::time_point consume(rd_kafka_t* rk, std::size_t n, Fn&& each) {
  Clock::time_point first{}, last_progress = Clock::now();
  for (std::size_t got = 0; got < n;) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
    if (!m) {
      if (Clock::now() - last_progress > std::chrono::seconds(10))
        die("only " + std::to_string(got) + " of " + std::to_string(n) +
            " messages readable: the mock keeps 5 MiB per partition; use more --partitions or fewer --messages");
      continue;
    }
    if (m->err) {
      if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) std::fprintf(stderr, "consume: %s\n", rd_kafka_message_errstr(m));
    } else {
      if (got++ == 0) first = Clock::now();
      last_progress = Clock::now();
      each(m);
    }
    rd_kafka_message_destroy(m);
  }
  return first;
}

double consume_alone(const std::string& bootstrap, const std::string& topic, int partitions, std::size_t n,
                     const std::string& group) {
  rd_kafka_t* rk = make_consumer(bootstrap, topic, partitions, group);
  const auto t0 = consume(rk, n, [](const rd_kafka_message_t*) {});
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return s;
}

// `reply`: if non-empty, each consumed message is answered with this payload (a decision-sized
// output) instead of echoed, as hanzo-hmmd answers a ~270-byte request with a ~2.8 KB decision.
double passthrough(const std::string& bootstrap, const std::string& in, const std::string& out, int partitions,
                   std::size_t n, const std::string& group, const std::string& reply = {}) {
  Deliveries d;
  rd_kafka_t* producer = make_producer(bootstrap, d);
  warm_metadata(producer, out);
  rd_kafka_t* consumer = make_consumer(bootstrap, in, partitions, group);
  const auto t0 = consume(consumer, n, [&](const rd_kafka_message_t* m) {
    if (reply.empty())
      produce(producer, out, m->key, m->key_len, m->payload, m->len);  // keyed like the daemon's decisions
    else
      produce(producer, out, m->key, m->key_len, reply.data(), reply.size());
    rd_kafka_poll(producer, 0);
  });
  wait_deliveries(producer, d, n);
  const double s = std::chrono::duration<double>(d.last - t0).count();
  rd_kafka_consumer_close(consumer);
  rd_kafka_destroy(consumer);
  rd_kafka_destroy(producer);
  return s;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

// Every repetition's rate, for judging the noise of a shared machine: "[812000,830000,...]".
std::string rates(const std::vector<double>& seconds, double n) {
  std::string out = "[";
  for (const double s : seconds) out += (out.size() > 1 ? "," : "") + std::to_string(static_cast<long long>(n / s));
  return out + "]";
}

std::size_t arg_size(int argc, char** argv, const char* name, std::size_t fallback) {
  for (int i = 1; i + 1 < argc; ++i)
    if (!std::strcmp(argv[i], name)) return std::strtoull(argv[i + 1], nullptr, 10);
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  for (int i = 1; i < argc; ++i) quick |= !std::strcmp(argv[i], "--quick");
  const std::size_t n = arg_size(argc, argv, "--messages", quick ? 20000 : 400000);
  const std::size_t reps = std::max<std::size_t>(1, arg_size(argc, argv, "--reps", quick ? 1 : 5));
  if (n == 0) die("--messages must be >= 1");

  // The load generator's requests: the daemon's input, byte for byte.
  hanzo::hmm::loadgen::GeneratorOptions go;
  go.run_id = "lg-bench";
  go.tenants = 10000;
  auto gen = hanzo::hmm::loadgen::Generator::create(go);
  if (!gen) die(gen.error().to_string());
  std::vector<Msg> msgs(n);
  std::size_t key_bytes = 0, value_bytes = 0;
  for (std::size_t i = 0; i < n; ++i) {
    auto r = gen->request_record(i);
    msgs[i] = {std::move(r.key), std::move(r.value)};
    key_bytes += msgs[i].key.size();
    value_bytes += msgs[i].value.size();
  }
  const double avg_key = static_cast<double>(key_bytes) / static_cast<double>(n);
  const double avg_value = static_cast<double>(value_bytes) / static_cast<double>(n);
  // Partitions so the input fits the mock's retention (5 MiB each) with room for batch overhead.
  const double per_partition = 4.0 * 1024 * 1024;
  const std::size_t need = static_cast<std::size_t>(static_cast<double>(n) * (avg_key + avg_value + 70.0) / per_partition) + 1;
  const int partitions = static_cast<int>(arg_size(argc, argv, "--partitions", std::max<std::size_t>(8, (need + 7) / 8 * 8)));

  rd_kafka_conf_t* mock_conf = rd_kafka_conf_new();
  rd_kafka_conf_set_log_cb(mock_conf, quiet_log);  // the owning handle has no brokers on purpose
  char err[512];
  rd_kafka_t* mock_rk = rd_kafka_new(RD_KAFKA_PRODUCER, mock_conf, err, sizeof err);
  if (!mock_rk) die(std::string("mock handle: ") + err);
  rd_kafka_mock_cluster_t* cluster = rd_kafka_mock_cluster_new(mock_rk, 1);
  if (!cluster) die("rd_kafka_mock_cluster_new failed");
  const std::string bootstrap = rd_kafka_mock_cluster_bootstraps(cluster);

  const std::size_t reply_bytes = arg_size(argc, argv, "--reply-bytes", 2800);
  const std::size_t n_reply = std::min<std::size_t>(n, 100000);
  const std::string reply(reply_bytes, 'x');
  const int reply_partitions = static_cast<int>(
      (static_cast<std::size_t>(static_cast<double>(n_reply) * (static_cast<double>(reply_bytes) + avg_key + 70.0) /
                                per_partition) + 8) / 8 * 8);
  std::vector<double> produce_s, consume_s, pass_s, reply_s;
  for (std::size_t r = 0; r < reps; ++r) {
    const std::string in = "bench.in." + std::to_string(r), out = "bench.out." + std::to_string(r);
    for (const auto& t : {in, out})
      if (rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(cluster, t.c_str(), partitions, 1))
        die("create " + t + ": " + rd_kafka_err2str(e));
    produce_s.push_back(produce_alone(bootstrap, in, msgs));
    consume_s.push_back(consume_alone(bootstrap, in, partitions, n, "bench-consume-" + std::to_string(r)));
    pass_s.push_back(passthrough(bootstrap, in, out, partitions, n, "bench-pass-" + std::to_string(r)));
    if (reply_bytes > 0) {
      const std::string big = "bench.reply." + std::to_string(r);
      if (rd_kafka_resp_err_t e = rd_kafka_mock_topic_create(cluster, big.c_str(), reply_partitions, 1))
        die("create " + big + ": " + rd_kafka_err2str(e));
      reply_s.push_back(
          passthrough(bootstrap, in, big, partitions, n_reply, "bench-reply-" + std::to_string(r), reply));
    }
  }
  rd_kafka_mock_cluster_destroy(cluster);
  rd_kafka_destroy(mock_rk);

  const double dn = static_cast<double>(n);
  const double produce_rate = dn / median(produce_s), consume_rate = dn / median(consume_s),
               pass_rate = dn / median(pass_s);
  const double mb = (avg_key + avg_value) / 1e6;
  std::printf("Raw librdkafka %s on its mock cluster (1 broker, in-process): %zu loadgen requests (value %.0f B, "
              "key %.0f B on average), %d partitions, median of %zu runs; client settings as hanzo-hmmd "
              "(librdkafka defaults: acks=all, linger.ms=5, no compression)\n\n",
              rd_kafka_version_str(), n, avg_value, avg_key, partitions, reps);
  std::printf("| phase | messages/s | MB/s | vs produce alone |\n|---|---:|---:|---:|\n");
  std::printf("| produce alone | %.0f | %.1f | 1.00x |\n", produce_rate, produce_rate * mb);
  std::printf("| consume alone | %.0f | %.1f | %.2fx |\n", consume_rate, consume_rate * mb, consume_rate / produce_rate);
  std::printf("| consume -> produce passthrough, one thread | %.0f | %.1f | %.2fx |\n\n", pass_rate, pass_rate * mb,
              pass_rate / produce_rate);
  const double reply_rate = reply_s.empty() ? 0.0 : static_cast<double>(n_reply) / median(reply_s);
  if (!reply_s.empty())
    std::printf("| consume -> produce a %zu-byte reply (decision-sized), one thread, %zu messages | %.0f | %.1f | %.2fx |\n\n",
                reply_bytes, n_reply, reply_rate, reply_rate * (static_cast<double>(reply_bytes) + avg_key) / 1e6,
                reply_rate / produce_rate);
  std::printf("hanzo-hmmd's target: >= 50%% of the passthrough, i.e. >= %.0f decisions/s on this machine "
              "(>= %.0f against the decision-sized passthrough).\n",
              0.5 * pass_rate, 0.5 * reply_rate);
  std::printf("{\"bench\":\"daemon_passthrough\",\"librdkafka\":\"%s\",\"messages\":%zu,\"partitions\":%d,"
              "\"reps\":%zu,\"value_bytes\":%.1f,\"key_bytes\":%.1f,\"produce_per_s\":%.0f,\"consume_per_s\":%.0f,"
              "\"passthrough_per_s\":%.0f,\"passthrough_vs_produce\":%.3f,\"daemon_target_per_s\":%.0f,"
              "\"reply_bytes\":%zu,\"reply_passthrough_per_s\":%.0f,"
              "\"runs\":{\"produce\":%s,\"consume\":%s,\"passthrough\":%s}}\n",
              rd_kafka_version_str(), n, partitions, reps, avg_value, avg_key, produce_rate, consume_rate, pass_rate,
              pass_rate / produce_rate, 0.5 * pass_rate, reply_bytes, reply_rate, rates(produce_s, dn).c_str(), rates(consume_s, dn).c_str(),
              rates(pass_s, dn).c_str());
  return 0;
}
