#include "hanzo/hmm/kafka/producer.hpp"

#include <cstring>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <utility>
#include <vector>

#include "detail.hpp"
#include "hanzo/hmm/kafka/consumer.hpp"

namespace hanzo::hmm::kafka {

static_assert(err_queue_full == RD_KAFKA_RESP_ERR__QUEUE_FULL);
static_assert(err_timed_out == RD_KAFKA_RESP_ERR__TIMED_OUT);
static_assert(err_msg_size_too_large == RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE);

namespace {

int to_ms(std::chrono::milliseconds timeout) { return static_cast<int>(timeout.count()); }

// Takes ownership of `error` (null: success). The flags are checked in librdkafka's documented
// order: a fatal error may also carry txn_requires_abort, and an abortable one may be retriable.
TxnResult classify(const char* where, rd_kafka_error_t* error) {
  if (!error) return std::nullopt;
  TxnError out;
  if (rd_kafka_error_is_fatal(error)) out.action = TxnAction::fatal;
  else if (rd_kafka_error_txn_requires_abort(error)) out.action = TxnAction::abort;
  else if (rd_kafka_error_is_retriable(error)) out.action = TxnAction::retry;
  else out.action = TxnAction::abort;  // e.g. a state error: the transaction cannot be trusted
  const rd_kafka_resp_err_t code = rd_kafka_error_code(error);
  const char* text = rd_kafka_error_string(error);
  out.error = make_error(Errc::io_error, where, text && *text ? text : rd_kafka_err2str(code),
                         static_cast<std::ptrdiff_t>(code));
  rd_kafka_error_destroy(error);
  return out;
}

}  // namespace

struct Producer::Impl {
  rd_kafka_t* rk{nullptr};
  DeliveryCallback on_delivery;
  bool transactional{false};

  // Without transactional.id librdkafka answers __NOT_CONFIGURED with no fatal flag, which
  // would read as "abort"; a configuration mistake must stop the caller instead.
  std::optional<TxnError> not_transactional(const char* where) const {
    if (transactional) return std::nullopt;
    return TxnError{TxnAction::fatal, make_error(Errc::io_error, where, "transactional.id is not set",
                                                 static_cast<std::ptrdiff_t>(RD_KAFKA_RESP_ERR__NOT_CONFIGURED))};
  }

  // Topic handles by name, made on first use. Producing by name (RD_KAFKA_V_TOPIC) takes the
  // client's write lock on every message to look the name up; a handle only counts a reference.
  std::shared_mutex topics_mutex;
  std::vector<std::pair<std::string, rd_kafka_topic_t*>> topics;

  rd_kafka_topic_t* topic(const std::string& name) {
    const auto find = [&]() -> rd_kafka_topic_t* {
      for (const auto& [n, t] : topics)
        if (n == name) return t;
      return nullptr;
    };
    {
      std::shared_lock lock(topics_mutex);
      if (auto* t = find()) return t;
    }
    std::unique_lock lock(topics_mutex);
    if (auto* t = find()) return t;
    rd_kafka_topic_t* t = rd_kafka_topic_new(rk, name.c_str(), nullptr);
    if (t) topics.emplace_back(name, t);
    return t;
  }

  ~Impl() {
    if (!rk) return;
    rd_kafka_flush(rk, 5000);  // bounded: a dead cluster must not hang shutdown
    for (auto& [name, t] : topics) rd_kafka_topic_destroy(t);
    rd_kafka_destroy(rk);
  }

  // librdkafka's dr_msg_cb; the opaque is this Impl (stable: Impl lives on the heap).
  static void delivered(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque) {
    auto* self = static_cast<Impl*>(opaque);
    if (!self->on_delivery) return;
    DeliveryReport report;
    report.token = static_cast<std::uint64_t>(reinterpret_cast<std::uintptr_t>(msg->_private));
    if (msg->err) report.result = detail::kafka_error("delivery", msg->err);
    if (msg->rkt) report.topic = rd_kafka_topic_name(msg->rkt);
    report.partition = msg->partition;
    report.offset = msg->err ? -1 : msg->offset;
    if (msg->err) {
      Record r;
      r.topic = report.topic;
      if (msg->key) r.key.emplace(static_cast<const char*>(msg->key), msg->key_len);
      if (msg->payload) r.value.assign(static_cast<const char*>(msg->payload), msg->len);
      else r.null_value = true;
      r.headers = detail::copy_headers(msg);
      report.undelivered = std::move(r);
    }
    self->on_delivery(report);
  }
};

Producer::Producer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Producer::Producer(Producer&&) noexcept = default;
Producer& Producer::operator=(Producer&&) noexcept = default;
Producer::~Producer() = default;

Result<Producer> Producer::create(const Config& config, DeliveryCallback on_delivery) {
  auto impl = std::make_unique<Impl>();
  impl->on_delivery = std::move(on_delivery);
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  detail::route_log(conf);
  if (auto r = detail::apply(conf, config); !r) {
    rd_kafka_conf_destroy(conf);
    return std::move(r).error();
  }
  rd_kafka_conf_set_opaque(conf, impl.get());
  rd_kafka_conf_set_dr_msg_cb(conf, &Impl::delivered);
  char errstr[512];
  impl->rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof errstr);  // owns conf on success
  if (!impl->rk) {
    rd_kafka_conf_destroy(conf);
    return make_error(Errc::invalid_value, "producer", errstr);
  }
  // Read back from the handle's final configuration, whichever spelling of the key was used.
  char txn_id[512];
  size_t txn_id_size = sizeof txn_id;
  impl->transactional = rd_kafka_conf_get(rd_kafka_conf(impl->rk), "transactional.id", txn_id, &txn_id_size) ==
                            RD_KAFKA_CONF_OK &&
                        txn_id_size > 1;  // the size includes the terminating NUL
  return Producer(std::move(impl));
}

Result<void> Producer::produce(const Record& record, std::uint64_t token) {
  rd_kafka_topic_t* rkt = impl_->topic(record.topic);
  if (!rkt) return detail::kafka_error("produce " + record.topic, rd_kafka_last_error());
  rd_kafka_headers_t* hdrs = record.headers.empty() ? nullptr : detail::make_headers(record.headers);
  void* opaque = reinterpret_cast<void*>(static_cast<std::uintptr_t>(token));
  const void* key = record.key ? record.key->data() : nullptr;
  const size_t key_len = record.key ? record.key->size() : 0;
  void* value = record.null_value ? nullptr : const_cast<char*>(record.value.data());
  const size_t value_len = record.null_value ? 0 : record.value.size();
  rd_kafka_resp_err_t err;
  // RD_KAFKA_V_HEADERS with a null list is not allowed, hence two calls.
  if (hdrs)
    err = rd_kafka_producev(impl_->rk, RD_KAFKA_V_RKT(rkt),
                            RD_KAFKA_V_PARTITION(record.partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                            RD_KAFKA_V_KEY(key, key_len),
                            RD_KAFKA_V_VALUE(value, value_len),
                            RD_KAFKA_V_HEADERS(hdrs), RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
  else
    err = rd_kafka_producev(impl_->rk, RD_KAFKA_V_RKT(rkt),
                            RD_KAFKA_V_PARTITION(record.partition), RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY),
                            RD_KAFKA_V_KEY(key, key_len),
                            RD_KAFKA_V_VALUE(value, value_len),
                            RD_KAFKA_V_OPAQUE(opaque), RD_KAFKA_V_END);
  if (err) {
    if (hdrs) rd_kafka_headers_destroy(hdrs);  // ownership passes to librdkafka only on success
    return detail::kafka_error("produce " + record.topic, err);
  }
  return {};
}

Result<void> Producer::warm_up(const std::string& topic, std::chrono::milliseconds timeout) {
  if (auto n = detail::partition_count(impl_->rk, topic, timeout); !n) return std::move(n).error();
  return {};
}

int Producer::poll(std::chrono::milliseconds timeout) {
  return rd_kafka_poll(impl_->rk, static_cast<int>(timeout.count()));
}

Result<void> Producer::flush(std::chrono::milliseconds timeout) {
  auto err = rd_kafka_flush(impl_->rk, static_cast<int>(timeout.count()));
  if (err) return detail::kafka_error("flush", err, std::to_string(rd_kafka_outq_len(impl_->rk)) + " outstanding");
  return {};
}

std::size_t Producer::queue_length() const { return static_cast<std::size_t>(rd_kafka_outq_len(impl_->rk)); }

bool Producer::transactional() const noexcept { return impl_->transactional; }

TxnResult Producer::init_transactions(std::chrono::milliseconds timeout) {
  if (auto e = impl_->not_transactional("init_transactions")) return e;
  return classify("init_transactions", rd_kafka_init_transactions(impl_->rk, to_ms(timeout)));
}

TxnResult Producer::begin_transaction() {
  if (auto e = impl_->not_transactional("begin_transaction")) return e;
  return classify("begin_transaction", rd_kafka_begin_transaction(impl_->rk));
}

TxnResult Producer::send_offsets_to_transaction(const std::vector<TopicPartitionOffset>& offsets,
                                                const Consumer& consumer, std::chrono::milliseconds timeout) {
  constexpr const char* where = "send_offsets_to_transaction";
  if (auto e = impl_->not_transactional(where)) return e;
  if (offsets.empty()) return std::nullopt;  // librdkafka would reject an empty list as an invalid argument
  rd_kafka_t* consumer_rk = detail::ConsumerAccess::handle(consumer);
  using Metadata = std::unique_ptr<rd_kafka_consumer_group_metadata_t, decltype(&rd_kafka_consumer_group_metadata_destroy)>;
  Metadata group(consumer_rk ? rd_kafka_consumer_group_metadata(consumer_rk) : nullptr,
                 &rd_kafka_consumer_group_metadata_destroy);
  if (!group)  // moved-from consumer, or one without group.id: a caller bug, not a broker state
    return TxnError{TxnAction::fatal, make_error(Errc::io_error, where, "the consumer has no group metadata (no group.id)",
                                                 static_cast<std::ptrdiff_t>(RD_KAFKA_RESP_ERR__INVALID_ARG))};
  using List = std::unique_ptr<rd_kafka_topic_partition_list_t, decltype(&rd_kafka_topic_partition_list_destroy)>;
  List list(rd_kafka_topic_partition_list_new(static_cast<int>(offsets.size())), &rd_kafka_topic_partition_list_destroy);
  for (const auto& o : offsets) detail::add_offset(list.get(), o);
  return classify(where, rd_kafka_send_offsets_to_transaction(impl_->rk, list.get(), group.get(), to_ms(timeout)));
}

TxnResult Producer::commit_transaction(std::chrono::milliseconds timeout) {
  if (auto e = impl_->not_transactional("commit_transaction")) return e;
  return classify("commit_transaction", rd_kafka_commit_transaction(impl_->rk, to_ms(timeout)));
}

TxnResult Producer::abort_transaction(std::chrono::milliseconds timeout) {
  if (auto e = impl_->not_transactional("abort_transaction")) return e;
  return classify("abort_transaction", rd_kafka_abort_transaction(impl_->rk, to_ms(timeout)));
}

}  // namespace hanzo::hmm::kafka
