// Plain value types shared by the Kafka layer. No librdkafka types here: the daemon's CAF
// translation units include these headers and must not pay for rdkafka.h.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::kafka {

// librdkafka properties, applied in order (a later entry overrides an earlier one). A key may
// carry the configuration file's "kafka." prefix, which is stripped: "kafka.sasl.mechanism" and
// "sasl.mechanism" set the same property, so SASL/TLS need no code changes.
using Config = std::vector<std::pair<std::string, std::string>>;

struct Header {
  std::string key;
  std::string value;
  friend bool operator==(const Header&, const Header&) = default;
};
using Headers = std::vector<Header>;

// The last header named `key` (Kafka allows repeats; the last one is the most recent word).
std::optional<std::string_view> find_header(const Headers& headers, std::string_view key);

struct TopicPartition {
  std::string topic;
  std::int32_t partition{0};
  friend auto operator<=>(const TopicPartition&, const TopicPartition&) = default;
  friend bool operator==(const TopicPartition&, const TopicPartition&) = default;
};

// `offset` is the next offset to read, i.e. what Kafka commits (last processed + 1).
// `metadata` travels with a commit and comes back from committed(): the daemon stores there
// where a restore of this partition has to start reading its other topics.
struct TopicPartitionOffset {
  std::string topic;
  std::int32_t partition{0};
  std::int64_t offset{0};
  std::string metadata{};
  friend bool operator==(const TopicPartitionOffset&, const TopicPartitionOffset&) = default;
};

// A consumed message, copied out of librdkafka's buffer (a few hundred bytes per request; the
// copy keeps rd_kafka_message_t out of this header and frees the fetch buffer at once).
// A null key stays distinct from an empty one, so a DLQ record reproduces it exactly; a null
// value reads as empty.
struct Message {
  std::string topic;
  std::int32_t partition{0};
  std::int64_t offset{0};
  std::optional<std::string> key;
  std::string value;
  bool null_value{false};  // a tombstone: no value at all (value is then empty)
  Headers headers;
  std::optional<std::int64_t> timestamp_ms;  // create or log-append time, if the broker gave one
  // Not a message: the consumer reached the end of `partition` at `offset` (only with
  // enable.partition.eof=true).
  bool end_of_partition{false};
};

// What the producer sends. partition -1 lets the partitioner hash the key (tenant affinity).
struct Record {
  std::string topic;
  std::optional<std::string> key;
  std::string value;
  Headers headers;
  std::int32_t partition{-1};
  bool null_value{false};  // send no value (a tombstone), e.g. a DLQ copy of one
  // Not sent: the Kafka timestamp (ms) of the input this record answers, so the request->decision
  // latency can be observed when the record is finally produced (-1: none).
  std::int64_t input_timestamp_ms{-1};
};

// Kafka failures are Errc::io_error with `row` holding librdkafka's rd_kafka_resp_err_t, so a
// caller can react to a specific condition without including rdkafka.h.
inline constexpr std::ptrdiff_t err_queue_full = -184;  // RD_KAFKA_RESP_ERR__QUEUE_FULL
inline constexpr std::ptrdiff_t err_timed_out = -185;   // RD_KAFKA_RESP_ERR__TIMED_OUT
inline constexpr std::ptrdiff_t err_msg_size_too_large = 10;  // RD_KAFKA_RESP_ERR_MSG_SIZE_TOO_LARGE
inline bool is_too_large(const Error& e) { return e.code == Errc::io_error && e.row == err_msg_size_too_large; }
// Whether librdkafka accepts every property (names and values), without creating a client:
// the first bad one is an Error whose `where` is the key as written.
Result<void> check_config(const Config& config);
// Sets property `name` to `value` where `config` already sets it (with or without the "kafka."
// prefix), keeping its place, or appends it: each property once, rather than a second entry
// that only wins by coming later.
void set_property(Config& config, std::string_view name, std::string value);
inline bool is_queue_full(const Error& e) { return e.code == Errc::io_error && e.row == err_queue_full; }
inline bool is_timed_out(const Error& e) { return e.code == Errc::io_error && e.row == err_timed_out; }

}  // namespace hanzo::hmm::kafka
