#include "detail.hpp"

#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <string_view>

#include "hanzo/hmm/kafka/log.hpp"

namespace hanzo::hmm::kafka {

std::optional<std::string_view> find_header(const Headers& headers, std::string_view key) {
  for (auto it = headers.rbegin(); it != headers.rend(); ++it)
    if (it->key == key) return std::string_view(it->value);
  return std::nullopt;
}

namespace {
std::mutex log_mutex;
std::shared_ptr<const LogSink> log_sink;  // null: librdkafka prints to stderr itself

std::shared_ptr<const LogSink> current_sink() {
  std::lock_guard lock(log_mutex);
  return log_sink;
}
}  // namespace

void set_log_sink(LogSink sink) {
  std::lock_guard lock(log_mutex);
  log_sink = sink ? std::make_shared<const LogSink>(std::move(sink)) : nullptr;
}

namespace detail {
namespace {
constexpr std::string_view prefix = "kafka.";

std::string strip(const std::string& key) {
  return key.starts_with(prefix) ? key.substr(prefix.size()) : key;
}
}  // namespace

Error kafka_error(std::string where, rd_kafka_resp_err_t err, const std::string& detail) {
  std::string message = rd_kafka_err2str(err);
  if (!detail.empty()) message += ": " + detail;
  return make_error(Errc::io_error, std::move(where), std::move(message), static_cast<std::ptrdiff_t>(err));
}

Result<void> set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value) {
  char errstr[512];
  if (rd_kafka_conf_set(conf, strip(key).c_str(), value.c_str(), errstr, sizeof errstr) != RD_KAFKA_CONF_OK)
    return make_error(Errc::invalid_value, key, errstr);
  return {};
}

void route_log(rd_kafka_conf_t* conf) {
  if (!current_sink()) return;
  rd_kafka_conf_set_log_cb(conf, [](const rd_kafka_t* rk, int level, const char* facility, const char* message) {
    // Looked up per line: a sink replaced later (tests) is used by existing clients too.
    if (const auto sink = current_sink())
      (*sink)(level, facility ? facility : "", rk ? rd_kafka_name(rk) : "", message ? message : "");
  });
}

Result<void> apply(rd_kafka_conf_t* conf, const Config& config) {
  for (const auto& [key, value] : config)
    if (auto r = set(conf, key, value); !r) return r;
  return {};
}

}  // namespace detail

Result<void> check_config(const Config& config) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  auto ok = detail::apply(conf, config);
  rd_kafka_conf_destroy(conf);
  return ok;
}

void set_property(Config& config, std::string_view name, std::string value) {
  bool found = false;
  for (auto& [k, v] : config)
    if (detail::strip(k) == name) {
      v = value;
      found = true;
    }
  if (!found) config.emplace_back(std::string(name), std::move(value));
}

namespace detail {

const std::string* lookup(const Config& config, const std::string& key) {
  const std::string* found = nullptr;
  for (const auto& [k, v] : config)
    if (strip(k) == key) found = &v;
  return found;
}

Headers copy_headers(const rd_kafka_message_t* msg) {
  Headers out;
  rd_kafka_headers_t* hdrs = nullptr;  // owned by the message
  if (rd_kafka_message_headers(msg, &hdrs) != RD_KAFKA_RESP_ERR_NO_ERROR) return out;
  const char* name = nullptr;
  const void* value = nullptr;
  size_t size = 0;
  for (size_t i = 0; rd_kafka_header_get_all(hdrs, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i)
    out.push_back({name, value ? std::string(static_cast<const char*>(value), size) : std::string()});
  return out;
}

rd_kafka_headers_t* make_headers(const Headers& headers) {
  rd_kafka_headers_t* hdrs = rd_kafka_headers_new(headers.size());
  for (const auto& h : headers)
    rd_kafka_header_add(hdrs, h.key.data(), static_cast<ssize_t>(h.key.size()), h.value.data(),
                        static_cast<ssize_t>(h.value.size()));
  return hdrs;
}

std::vector<TopicPartition> to_partitions(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartition> out;
  if (!list) return out;
  out.reserve(static_cast<size_t>(list->cnt));
  for (int i = 0; i < list->cnt; ++i) out.push_back({list->elems[i].topic, list->elems[i].partition});
  return out;
}

std::vector<TopicPartitionOffset> to_offsets(const rd_kafka_topic_partition_list_t* list) {
  std::vector<TopicPartitionOffset> out;
  if (!list) return out;
  out.reserve(static_cast<size_t>(list->cnt));
  for (int i = 0; i < list->cnt; ++i) {
    const auto& e = list->elems[i];
    out.push_back({e.topic, e.partition, e.offset,
                   e.metadata ? std::string(static_cast<const char*>(e.metadata), e.metadata_size) : std::string()});
  }
  return out;
}

void add_offset(rd_kafka_topic_partition_list_t* list, const TopicPartitionOffset& o) {
  auto* e = rd_kafka_topic_partition_list_add(list, o.topic.c_str(), o.partition);
  e->offset = o.offset;
  if (!o.metadata.empty()) {
    // librdkafka frees it with the list (rd_free, i.e. free).
    e->metadata = std::malloc(o.metadata.size());
    if (e->metadata) {
      std::memcpy(e->metadata, o.metadata.data(), o.metadata.size());
      e->metadata_size = o.metadata.size();
    }
  }
}

Result<int> partition_count(rd_kafka_t* rk, const std::string& topic, std::chrono::milliseconds timeout) {
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  if (!t) return kafka_error("metadata " + topic, rd_kafka_last_error());
  const rd_kafka_metadata_t* md = nullptr;
  const rd_kafka_resp_err_t err = rd_kafka_metadata(rk, 0, t, &md, static_cast<int>(timeout.count()));
  Result<int> result = 0;
  if (err)
    result = kafka_error("metadata " + topic, err);
  else if (md->topic_cnt != 1 || md->topics[0].err)
    result = kafka_error("metadata " + topic, md->topic_cnt == 1 ? md->topics[0].err : RD_KAFKA_RESP_ERR__UNKNOWN_TOPIC);
  else
    result = md->topics[0].partition_cnt;
  if (md) rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(t);
  return result;
}

}  // namespace detail
}  // namespace hanzo::hmm::kafka
