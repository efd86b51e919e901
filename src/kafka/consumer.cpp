#include "hanzo/hmm/kafka/consumer.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <cstring>
#include <memory>
#include <mutex>

#include "detail.hpp"

namespace hanzo::hmm::kafka {
namespace {

using PartitionList = std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)>;

PartitionList make_list(int size) {
  return PartitionList(rd_kafka_topic_partition_list_new(size), &rd_kafka_topic_partition_list_destroy);
}

Message copy_message(const rd_kafka_message_t* m) {
  Message out;
  out.topic = rd_kafka_topic_name(m->rkt);
  out.partition = m->partition;
  out.offset = m->offset;
  if (m->key) out.key.emplace(static_cast<const char*>(m->key), m->key_len);
  if (m->payload) out.value.assign(static_cast<const char*>(m->payload), m->len);
  else out.null_value = true;
  out.headers = detail::copy_headers(m);
  rd_kafka_timestamp_type_t type;
  const std::int64_t ts = rd_kafka_message_timestamp(m, &type);
  if (type != RD_KAFKA_TIMESTAMP_NOT_AVAILABLE && ts >= 0) out.timestamp_ms = ts;
  return out;
}

// Per-partition lag from a statistics JSON document: topics.*.partitions.* with desired=true
// (assigned to us) and a real partition id (librdkafka lists -1, its unassigned-messages queue).
// Broker connections in state "UP" (nodeid >= 0: not the bootstrap placeholders; the group
// coordinator's connection counts too); -1 if the document has no brokers object.
int brokers_up_from_statistics(const boost::json::value& doc) {
  const auto* brokers = doc.is_object() ? doc.as_object().if_contains("brokers") : nullptr;
  if (!brokers || !brokers->is_object()) return -1;
  int up = 0;
  for (const auto& [name, b] : brokers->as_object()) {
    if (!b.is_object()) continue;
    const auto* id = b.as_object().if_contains("nodeid");
    const auto* state = b.as_object().if_contains("state");
    if (id && id->is_int64() && id->as_int64() >= 0 && state && state->is_string() && state->as_string() == "UP") ++up;
  }
  return up;
}

std::vector<PartitionLag> lag_from_statistics(const boost::json::value& doc) {
  std::vector<PartitionLag> out;
  if (!doc.is_object()) return out;
  const auto* topics = doc.as_object().if_contains("topics");
  if (!topics || !topics->is_object()) return out;
  const auto num = [](const boost::json::object& o, const char* key) -> std::int64_t {
    const auto* v = o.if_contains(key);
    return v && v->is_int64() ? v->as_int64() : -1;
  };
  for (const auto& [name, topic] : topics->as_object()) {
    const auto* parts = topic.is_object() ? topic.as_object().if_contains("partitions") : nullptr;
    if (!parts || !parts->is_object()) continue;
    for (const auto& [id, p] : parts->as_object()) {
      if (!p.is_object()) continue;
      const auto& o = p.as_object();
      const auto* desired = o.if_contains("desired");
      const std::int64_t partition = num(o, "partition");
      if (partition < 0 || !desired || !desired->is_bool() || !desired->as_bool()) continue;
      PartitionLag l{std::string(name), static_cast<std::int32_t>(partition), num(o, "lo_offset"), num(o, "hi_offset"),
                     num(o, "committed_offset"), num(o, "consumer_lag")};
      if (l.lag < 0) l.lag = 0;  // -1: not known yet (no fetch or no commit)
      out.push_back(std::move(l));
    }
  }
  return out;
}

}  // namespace

struct Consumer::Impl {
  rd_kafka_t* rk{nullptr};
  RebalanceCallbacks callbacks;
  bool closed{false};
  // Where auto.offset.reset sends a partition without a committed offset (seek to kOffsetStored):
  // BEGINNING, END, or INVALID for "error".
  std::int64_t reset_to{RD_KAFKA_OFFSET_BEGINNING};
  mutable std::mutex stats_mutex;
  std::vector<PartitionLag> stats_lag;
  int stats_brokers_up{-1};
  std::chrono::steady_clock::time_point stats_time{};

  static int statistics(rd_kafka_t*, char* json, size_t len, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    boost::system::error_code ec;
    const auto doc = boost::json::parse(std::string_view(json, len), ec);
    if (ec) return 0;
    auto lag = lag_from_statistics(doc);
    const int up = brokers_up_from_statistics(doc);
    std::lock_guard lock(self->stats_mutex);
    self->stats_lag = std::move(lag);
    self->stats_brokers_up = up;
    self->stats_time = std::chrono::steady_clock::now();
    return 0;  // librdkafka frees `json`
  }

  ~Impl() {
    if (!rk) return;
    if (!closed) rd_kafka_consumer_close(rk);
    rd_kafka_destroy(rk);
  }

  // Eager: revoke everything, then assign the new set. Cooperative (if configured): increments.
  // The user hooks run first on assign (restore before any fetch is served) and first on
  // revoke (flush and commit while the partitions are still ours).
  static void rebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* parts,
                        void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    const bool cooperative = std::strcmp(rd_kafka_rebalance_protocol(rk), "COOPERATIVE") == 0;
    if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
      if (self->callbacks.assigned) self->callbacks.assigned(detail::to_partitions(parts));
      if (cooperative) {
        if (auto* e = rd_kafka_incremental_assign(rk, parts)) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, parts);
      }
    } else {
      // REVOKE, or an error (e.g. lost assignment): either way the partitions are gone.
      if (self->callbacks.revoked) self->callbacks.revoked(detail::to_partitions(parts));
      if (cooperative) {
        if (auto* e = rd_kafka_incremental_unassign(rk, parts)) rd_kafka_error_destroy(e);
      } else {
        rd_kafka_assign(rk, nullptr);
      }
    }
  }

  static void offsets_committed(rd_kafka_t*, rd_kafka_resp_err_t err, rd_kafka_topic_partition_list_t* offsets,
                                void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    if (!self->callbacks.committed) return;
    Result<void> result;
    if (err && err != RD_KAFKA_RESP_ERR__NO_OFFSET) result = detail::kafka_error("commit", err);
    self->callbacks.committed(result, detail::to_offsets(offsets));
  }
};

static_assert(Consumer::kOffsetBeginning == RD_KAFKA_OFFSET_BEGINNING);
static_assert(Consumer::kOffsetEnd == RD_KAFKA_OFFSET_END);
static_assert(Consumer::kOffsetStored == RD_KAFKA_OFFSET_STORED);

rd_kafka_t* detail::ConsumerAccess::handle(const Consumer& consumer) {
  return consumer.impl_ ? consumer.impl_->rk : nullptr;
}

Consumer::Consumer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Consumer::Consumer(Consumer&&) noexcept = default;
Consumer& Consumer::operator=(Consumer&&) noexcept = default;
Consumer::~Consumer() = default;

Result<Consumer> Consumer::create(const Config& config, RebalanceCallbacks callbacks) {
  // Committing is explicit and behind producer acks; auto-commit would silently break that.
  for (const char* key : {"enable.auto.commit", "enable.auto.offset.store"})
    if (const auto* v = detail::lookup(config, key); v && *v != "false")
      return make_error(Errc::invalid_value, std::string("kafka.") + key,
                        "must be false: offsets are committed only behind producer acknowledgements");

  auto impl = std::make_unique<Impl>();
  impl->callbacks = std::move(callbacks);
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  detail::route_log(conf);
  const Config defaults = {{"partition.assignment.strategy", "range"},
                           {"auto.offset.reset", "earliest"},
                           {"enable.auto.commit", "false"},
                           {"enable.auto.offset.store", "false"}};
  Result<void> r = detail::apply(conf, defaults);
  if (r) r = detail::apply(conf, config);
  if (!r) {
    rd_kafka_conf_destroy(conf);
    return std::move(r).error();
  }
  if (const auto* reset = detail::lookup(config, "auto.offset.reset")) {  // librdkafka has checked the value
    if (*reset == "latest" || *reset == "largest" || *reset == "end") impl->reset_to = RD_KAFKA_OFFSET_END;
    else if (*reset == "error") impl->reset_to = RD_KAFKA_OFFSET_INVALID;
  }
  rd_kafka_conf_set_opaque(conf, impl.get());
  rd_kafka_conf_set_rebalance_cb(conf, &Impl::rebalance);
  rd_kafka_conf_set_offset_commit_cb(conf, &Impl::offsets_committed);
  rd_kafka_conf_set_stats_cb(conf, &Impl::statistics);
  char errstr[512];
  impl->rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, errstr, sizeof errstr);
  if (!impl->rk) {
    rd_kafka_conf_destroy(conf);
    return make_error(Errc::invalid_value, "consumer", errstr);
  }
  // One queue: rebalance and commit callbacks are served by poll() on the polling thread.
  rd_kafka_poll_set_consumer(impl->rk);
  return Consumer(std::move(impl));
}

Result<void> Consumer::subscribe(const std::vector<std::string>& topics) {
  auto list = make_list(static_cast<int>(topics.size()));
  for (const auto& t : topics) rd_kafka_topic_partition_list_add(list.get(), t.c_str(), RD_KAFKA_PARTITION_UA);
  if (auto err = rd_kafka_subscribe(impl_->rk, list.get())) return detail::kafka_error("subscribe", err);
  return {};
}

Result<void> Consumer::assign(const std::vector<TopicPartitionOffset>& partitions) {
  auto list = make_list(static_cast<int>(partitions.size()));
  for (const auto& p : partitions)
    rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.partition)->offset = p.offset;
  if (auto err = rd_kafka_assign(impl_->rk, list.get())) return detail::kafka_error("assign", err);
  return {};
}

Result<void> Consumer::seek(const std::vector<TopicPartitionOffset>& offsets, std::chrono::milliseconds timeout) {
  if (offsets.empty()) return {};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto name = [](const std::string& topic, std::int32_t partition) {
    return topic + "[" + std::to_string(partition) + "]";
  };
  // librdkafka 2.0.2 rejects a seek to RD_KAFKA_OFFSET_STORED (invalid argument), so the
  // committed offsets are looked up here and sought as absolute ones.
  std::vector<TopicPartition> stored;
  for (const auto& o : offsets)
    if (o.offset == kOffsetStored) stored.push_back({o.topic, o.partition});
  std::vector<TopicPartitionOffset> resolved = offsets;
  if (!stored.empty()) {
    auto list = make_list(static_cast<int>(stored.size()));
    for (const auto& p : stored) rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.partition);
    if (auto err = rd_kafka_committed(impl_->rk, list.get(), static_cast<int>(timeout.count())))
      return detail::kafka_error("seek: committed offsets", err);
    for (int i = 0; i < list->cnt; ++i) {
      const auto& e = list->elems[i];
      if (e.err) return detail::kafka_error("seek " + name(e.topic, e.partition) + ": committed offset", e.err);
      if (e.offset < 0 && impl_->reset_to == RD_KAFKA_OFFSET_INVALID)
        return make_error(Errc::io_error, "seek " + name(e.topic, e.partition),
                          "nothing committed and auto.offset.reset=error",
                          static_cast<std::ptrdiff_t>(RD_KAFKA_RESP_ERR__AUTO_OFFSET_RESET));
      for (auto& o : resolved)
        if (o.offset == kOffsetStored && o.topic == e.topic && o.partition == e.partition)
          o.offset = e.offset >= 0 ? e.offset : impl_->reset_to;
    }
  }
  auto list = make_list(static_cast<int>(resolved.size()));
  for (const auto& o : resolved)
    rd_kafka_topic_partition_list_add(list.get(), o.topic.c_str(), o.partition)->offset = o.offset;
  // What is left of the timeout, but never 0: that would make the seek asynchronous, unchecked.
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  const int left_ms = static_cast<int>(std::max<std::int64_t>(left.count(), 1));
  if (rd_kafka_error_t* error = rd_kafka_seek_partitions(impl_->rk, list.get(), left_ms)) {
    auto out = detail::kafka_error("seek", rd_kafka_error_code(error), rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
    return out;
  }
  // `where` names the first failed partition; the message lists any others.
  std::optional<Error> failed;
  for (int i = 0; i < list->cnt; ++i) {
    const auto& e = list->elems[i];
    if (!e.err) continue;
    if (!failed) failed = detail::kafka_error("seek " + name(e.topic, e.partition), e.err);
    else failed->message += "; " + name(e.topic, e.partition) + ": " + rd_kafka_err2str(e.err);
  }
  if (failed) return std::move(*failed);
  return {};
}

Result<int> Consumer::partition_count(const std::string& topic, std::chrono::milliseconds timeout) {
  return detail::partition_count(impl_->rk, topic, timeout);
}

Result<std::pair<std::int64_t, std::int64_t>> Consumer::watermarks(const std::string& topic, std::int32_t partition,
                                                                   std::chrono::milliseconds timeout) {
  std::int64_t low = -1, high = -1;
  if (auto err = rd_kafka_query_watermark_offsets(impl_->rk, topic.c_str(), partition, &low, &high,
                                                  static_cast<int>(timeout.count())))
    return detail::kafka_error("watermarks " + topic + "[" + std::to_string(partition) + "]", err);
  return std::pair{low, high};
}

Result<std::optional<Message>> Consumer::poll(std::chrono::milliseconds timeout) {
  rd_kafka_message_t* m = rd_kafka_consumer_poll(impl_->rk, static_cast<int>(timeout.count()));
  if (!m) return std::optional<Message>{};
  std::unique_ptr<rd_kafka_message_t, decltype(&rd_kafka_message_destroy)> guard(m, &rd_kafka_message_destroy);
  if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
    Message eof;
    if (m->rkt) eof.topic = rd_kafka_topic_name(m->rkt);
    eof.partition = m->partition;
    eof.offset = m->offset;
    eof.end_of_partition = true;
    return std::optional<Message>{std::move(eof)};
  }
  if (m->err) {
    std::string where = "consume";
    if (m->rkt) where += " " + std::string(rd_kafka_topic_name(m->rkt)) + "[" + std::to_string(m->partition) + "]";
    return detail::kafka_error(std::move(where), m->err, rd_kafka_message_errstr(m));
  }
  return std::optional<Message>{copy_message(m)};
}

static Result<void> pause_resume(rd_kafka_t* rk, const std::string& topic, std::int32_t partition, bool pause) {
  auto list = make_list(1);
  rd_kafka_topic_partition_list_add(list.get(), topic.c_str(), partition);
  auto err = pause ? rd_kafka_pause_partitions(rk, list.get()) : rd_kafka_resume_partitions(rk, list.get());
  if (!err) err = list->elems[0].err;
  if (err) return detail::kafka_error((pause ? "pause " : "resume ") + topic + "[" + std::to_string(partition) + "]", err);
  return {};
}

Result<void> Consumer::pause(const std::string& topic, std::int32_t partition) {
  return pause_resume(impl_->rk, topic, partition, true);
}

Result<void> Consumer::resume(const std::string& topic, std::int32_t partition) {
  return pause_resume(impl_->rk, topic, partition, false);
}

Result<void> Consumer::commit(const std::string& topic, std::int32_t partition, std::int64_t next_offset,
                              CommitMode mode) {
  return commit(std::vector<TopicPartitionOffset>{{topic, partition, next_offset}}, mode);
}

Result<void> Consumer::commit(const std::vector<TopicPartitionOffset>& offsets, CommitMode mode) {
  if (offsets.empty()) return {};
  auto list = make_list(static_cast<int>(offsets.size()));
  for (const auto& o : offsets) detail::add_offset(list.get(), o);
  auto err = rd_kafka_commit(impl_->rk, list.get(), mode == CommitMode::async ? 1 : 0);
  if (!err && mode == CommitMode::sync)
    for (int i = 0; i < list->cnt && !err; ++i) err = list->elems[i].err;
  if (err) return detail::kafka_error("commit", err);
  return {};
}

Result<std::vector<TopicPartitionOffset>> Consumer::committed(const std::vector<TopicPartition>& partitions,
                                                              std::chrono::milliseconds timeout) {
  auto list = make_list(static_cast<int>(partitions.size()));
  for (const auto& p : partitions) rd_kafka_topic_partition_list_add(list.get(), p.topic.c_str(), p.partition);
  if (auto err = rd_kafka_committed(impl_->rk, list.get(), static_cast<int>(timeout.count())))
    return detail::kafka_error("committed", err);
  auto out = detail::to_offsets(list.get());
  for (auto& o : out)
    if (o.offset < 0) o.offset = -1;  // RD_KAFKA_OFFSET_INVALID: nothing committed
  return out;
}

bool Consumer::assignment_lost() const { return rd_kafka_assignment_lost(impl_->rk) != 0; }

Result<std::vector<TopicPartition>> Consumer::assignment() const {
  rd_kafka_topic_partition_list_t* raw = nullptr;
  if (auto err = rd_kafka_assignment(impl_->rk, &raw)) return detail::kafka_error("assignment", err);
  PartitionList list(raw, &rd_kafka_topic_partition_list_destroy);
  return detail::to_partitions(list.get());
}

Result<std::vector<PartitionLag>> Consumer::lag(std::chrono::milliseconds timeout) {
  auto parts = assignment();
  if (!parts) return std::move(parts).error();
  auto offsets = committed(*parts, timeout);
  if (!offsets) return std::move(offsets).error();
  std::vector<PartitionLag> out;
  out.reserve(offsets->size());
  for (const auto& o : *offsets) {
    PartitionLag l{o.topic, o.partition, -1, -1, o.offset, 0};
    // The watermarks cached from the last fetch response cost nothing (a metrics scrape must
    // not block); ask the broker only for a partition not fetched yet (the mock answers
    // ListOffsets slowly, ~0.5 s).
    auto err = rd_kafka_get_watermark_offsets(impl_->rk, o.topic.c_str(), o.partition, &l.low, &l.high);
    if (err || l.high < 0 || l.low < 0)
      err = rd_kafka_query_watermark_offsets(impl_->rk, o.topic.c_str(), o.partition, &l.low, &l.high,
                                             static_cast<int>(timeout.count()));
    if (err) return detail::kafka_error("watermarks " + o.topic + "[" + std::to_string(o.partition) + "]", err);
    l.lag = l.high - (l.committed >= 0 ? l.committed : l.low);
    if (l.lag < 0) l.lag = 0;
    out.push_back(std::move(l));
  }
  return out;
}

std::vector<PartitionLag> Consumer::statistics_lag() const {
  std::lock_guard lock(impl_->stats_mutex);
  return impl_->stats_lag;
}

std::optional<bool> Consumer::statistics_connected(std::chrono::steady_clock::duration max_age) const {
  std::lock_guard lock(impl_->stats_mutex);
  if (impl_->stats_brokers_up < 0) return std::nullopt;
  return impl_->stats_brokers_up > 0 && std::chrono::steady_clock::now() - impl_->stats_time <= max_age;
}

Result<void> Consumer::close() {
  if (impl_->closed) return {};
  impl_->closed = true;
  if (auto err = rd_kafka_consumer_close(impl_->rk)) return detail::kafka_error("close", err);
  return {};
}

}  // namespace hanzo::hmm::kafka
