#include "passthrough_loop.hpp"

#include <librdkafka/rdkafka.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "cpu_time.hpp"
#include "daemon_settings.hpp"
#include "feeder.hpp"
#include "hanzo/hmm/kafka/mock_cluster.hpp"
#include "cpu_time.hpp"
#include "raw_kafka.hpp"

namespace passthrough {

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kProgram = "hanzo-passthrough-bench";
[[noreturn]] void die(const std::string& what) { raw_kafka::die(kProgram, what); }

// As actors/ingest.cpp's kMaxPollRound: messages taken per poll round before they are handed on.
constexpr std::size_t kMaxPollRound = 2048;

struct Deliveries {
  std::uint64_t ok{0}, failed{0};
  Clock::time_point last;
};

void on_delivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
  auto* d = static_cast<Deliveries*>(opaque);
  ++(m->err ? d->failed : d->ok);
  d->last = Clock::now();
}

// The daemon parses each statistics report for consumer lag; receiving it is the part that
// happens here too.
int on_statistics(rd_kafka_t*, char*, size_t, void*) { return 0; }

rd_kafka_t* producer(const raw_kafka::Props& props, Deliveries& d) {
  rd_kafka_conf_t* conf = raw_kafka::make_conf(kProgram, props);
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_conf_set_opaque(conf, &d);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (!rk) die(std::string("producer: ") + err);
  return rk;
}

// The daemon's consumer settings, assigned every requests partition from the start instead of
// joining the group: no rebalance inside the timing.
rd_kafka_t* consumer(const raw_kafka::Props& props, const std::string& topic, int partitions) {
  rd_kafka_conf_t* conf = raw_kafka::make_conf(kProgram, props);
  rd_kafka_conf_set_stats_cb(conf, on_statistics);
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) die(std::string("consumer: ") + err);
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; ++p)
    rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  if (rd_kafka_resp_err_t e = rd_kafka_assign(rk, list)) die(std::string("assign: ") + rd_kafka_err2str(e));
  rd_kafka_topic_partition_list_destroy(list);
  return rk;
}

// The topic handle the loop produces through, as the daemon's producer does (by name, each
// message would take the client's topic lock). A client's first message to a topic waits for
// its metadata (up to ~1 s): fetched before the clock starts, as the daemon does at start-up.
rd_kafka_topic_t* topic_handle(rd_kafka_t* rk, const std::string& topic) {
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, 10000)) die("metadata " + topic + ": " + rd_kafka_err2str(e));
  rd_kafka_metadata_destroy(md);
  return t;
}

void produce(rd_kafka_t* rk, rd_kafka_topic_t* topic, int partition, const void* key, std::size_t key_len,
             const void* value, std::size_t len) {
  for (;;) {
    const rd_kafka_resp_err_t e = rd_kafka_producev(
        rk, RD_KAFKA_V_RKT(topic), RD_KAFKA_V_PARTITION(partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
        RD_KAFKA_V_KEY(key, key_len), RD_KAFKA_V_VALUE(const_cast<void*>(value), len), RD_KAFKA_V_END);
    if (!e) return;
    if (e != RD_KAFKA_RESP_ERR__QUEUE_FULL) die(std::string("produce: ") + rd_kafka_err2str(e));
    rd_kafka_poll(rk, 1);  // the local queue drains as the broker acknowledges
  }
}

void wait_deliveries(rd_kafka_t* rk, const Deliveries& d, std::uint64_t n) {
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (d.ok + d.failed < n) {
    rd_kafka_poll(rk, 10);
    if (Clock::now() > deadline) die("deliveries did not complete within 120 s");
  }
  if (d.failed) die(std::to_string(d.failed) + " deliveries failed");
}

}  // namespace

Result run(const Options& o, const hanzo::hmm::loadgen::Generator& gen) {
  auto cluster = hanzo::hmm::kafka::MockCluster::create(1);  // one broker, as the daemon's
  if (!cluster) die(cluster.error().to_string());
  (void)cluster->set_nice(hanzo::hmm::kafka::MockCluster::kEmbeddedNice);  // as hanzo-hmmd, when allowed
  for (const auto& t : daemon_settings::embedded_topics())
    if (auto ok = cluster->create_topic(t.name, t.partitions); !ok) die(ok.error().to_string());
  const std::string bootstrap = cluster->bootstrap_servers();
  const auto settings = daemon_settings::embedded(bootstrap);
  const std::string in = daemon_settings::topic("requests"), out = daemon_settings::topic("decisions"),
                    state_topic = daemon_settings::topic("tenant_state");
  const bool ceiling = o.decisions && !o.decisions->empty();
  const std::size_t state_bytes = ceiling ? o.state_bytes : 0;

  std::atomic<std::uint64_t> consumed{0};
  feeder::Feeder feed(bootstrap, in, o.messages,
                      [&gen](std::uint64_t i) {
                        auto r = gen.request_record(i);
                        return feeder::Record{std::move(r.key), std::move(r.value)};
                      },
                      o.ahead_bytes, consumed);
  feed.prefill();

  Deliveries answers, states;
  rd_kafka_t* answer_rk = producer(settings.producer, answers);
  rd_kafka_t* state_rk = state_bytes ? producer(settings.changelog, states) : nullptr;
  rd_kafka_topic_t* answer_topic = topic_handle(answer_rk, out);
  rd_kafka_topic_t* state_handle = state_rk ? topic_handle(state_rk, state_topic) : nullptr;
  rd_kafka_t* consumer_rk = consumer(settings.consumer, in, daemon_settings::partitions("requests"));
  Result result;
  result.prefilled = feed.prefilled();
  if (o.print_settings) {
    std::fprintf(stderr, "client settings (the daemon's, from its own functions; checked on the handles):\n");
    result.settings_as_daemon &= daemon_settings::print_and_check("consumer", settings.consumer, consumer_rk);
    result.settings_as_daemon &= daemon_settings::print_and_check("producer", settings.producer, answer_rk);
    if (state_rk)
      result.settings_as_daemon &= daemon_settings::print_and_check("changelog producer", settings.changelog, state_rk);
  }
  feed.start();

  const std::string state(state_bytes, 's');
  std::vector<rd_kafka_message_t*> round;
  std::unordered_set<std::string_view> tenants;
  // Per tenant: when its last state record went, whether inputs came after it, and its
  // requests partition (the state partition of a record at the end).
  struct Recorded {
    Clock::time_point at{};
    bool behind{false};
    std::int32_t partition{-1};
  };
  std::unordered_map<std::string, Recorded> recorded;
  const auto interval = std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(o.state_interval));
  auto produce_state = [&](const void* key, std::size_t key_len, std::int32_t partition) {
    produce(state_rk, state_handle, partition, key, key_len, state.data(), state.size());
    result.state_bytes += key_len + state.size();
    ++result.state_records;
  };
  Clock::time_point first{}, last_progress = Clock::now();
  double cpu_first = 0;
  while (consumed < o.messages) {
    // One poll round: wait for the first message, then take what is already fetched.
    for (rd_kafka_message_t* m = rd_kafka_consumer_poll(consumer_rk, 100); m;
         m = round.size() < kMaxPollRound ? rd_kafka_consumer_poll(consumer_rk, 0) : nullptr) {
      if (m->err) {
        rd_kafka_message_destroy(m);
        continue;
      }
      if (first == Clock::time_point{}) first = Clock::now(), cpu_first = cpu_time::process_seconds();
      round.push_back(m);
    }
    if (round.empty()) {
      if (Clock::now() - last_progress > std::chrono::seconds(10))
        die("no request for 10 s after " + std::to_string(consumed.load()) + " of " + std::to_string(o.messages) +
            ": the mock cluster dropped unconsumed requests (it keeps 5 MiB per partition)");
      continue;
    }
    last_progress = Clock::now();
    // The state record goes out before the decisions, as in the daemon (which also waits for
    // its acknowledgement: this loop does not).
    if (state_rk) {
      const auto now = Clock::now();
      for (const auto* m : round) {
        if (!tenants.emplace(static_cast<const char*>(m->key), m->key_len).second) continue;
        auto& r = recorded[std::string(static_cast<const char*>(m->key), m->key_len)];
        if (r.at != Clock::time_point{} && now - r.at < interval) {
          r.behind = true;
          continue;
        }
        produce_state(m->key, m->key_len, m->partition);
        r = {now, false, m->partition};
      }
      tenants.clear();
    }
    for (auto* m : round) {
      const void* value = m->payload;
      std::size_t len = m->len;
      if (ceiling) {
        const std::string_view json(static_cast<const char*>(m->payload), m->len);
        const auto index = gen.parse_request_id(raw_kafka::string_field(json, "request_id"));
        if (!index) die("a request without this run's request_id");
        const std::string& d = (*o.decisions)[*index % o.decisions->size()];
        value = d.data();
        len = d.size();
      }
      produce(answer_rk, answer_topic, m->partition, m->key, m->key_len, value, len);
      result.answer_bytes += m->key_len + len;
      rd_kafka_message_destroy(m);
    }
    consumed += round.size();
    round.clear();
    rd_kafka_poll(answer_rk, 0);
    if (state_rk) rd_kafka_poll(state_rk, 0);
  }
  if (state_rk)
    for (const auto& [tenant, r] : recorded)
      if (r.behind) produce_state(tenant.data(), tenant.size(), r.partition);
  wait_deliveries(answer_rk, answers, o.messages);
  Clock::time_point last = answers.last;
  if (state_rk) {
    wait_deliveries(state_rk, states, result.state_records);
    last = std::max(last, states.last);
  }
  result.seconds = std::chrono::duration<double>(last - first).count();
  result.cpu_seconds = cpu_time::process_seconds() - cpu_first;
  feed.join();
  rd_kafka_consumer_close(consumer_rk);
  rd_kafka_destroy(consumer_rk);
  rd_kafka_topic_destroy(answer_topic);
  rd_kafka_destroy(answer_rk);
  if (state_rk) {
    rd_kafka_topic_destroy(state_handle);
    rd_kafka_destroy(state_rk);
  }
  return result;
}

}  // namespace passthrough
