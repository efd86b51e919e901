// Private helpers shared by the librdkafka wrappers; the only place besides the .cpp files
// that includes rdkafka.h.
#pragma once

#include <chrono>
#include <string>

#include <librdkafka/rdkafka.h>

#include "hanzo/hmm/kafka/types.hpp"

namespace hanzo::hmm::kafka {
class Consumer;
}

namespace hanzo::hmm::kafka::detail {

// The consumer's handle (its group metadata goes into a transaction); null if moved from.
// Defined in consumer.cpp, where Consumer::Impl is complete.
struct ConsumerAccess {
  static rd_kafka_t* handle(const Consumer& consumer);
};

// Kafka failure as a value: io_error, row = the rd_kafka_resp_err_t code (see types.hpp).
Error kafka_error(std::string where, rd_kafka_resp_err_t err, const std::string& detail = {});

// Sets one property; the Error names the key as the user wrote it.
Result<void> set(rd_kafka_conf_t* conf, const std::string& key, const std::string& value);
// Sends the client's log lines to the sink of set_log_sink(), if one is installed.
void route_log(rd_kafka_conf_t* conf);
// Applies a Config (stripping "kafka." prefixes).
Result<void> apply(rd_kafka_conf_t* conf, const Config& config);
// The value `key` ends up with in `config` (after prefix stripping), if any.
const std::string* lookup(const Config& config, const std::string& key);

// Copies librdkafka headers out / builds librdkafka headers (caller owns the result).
Headers copy_headers(const rd_kafka_message_t* msg);
rd_kafka_headers_t* make_headers(const Headers& headers);

// The partition count of `topic` from the broker's metadata, asked through client `rk`
// (errors name the topic: unknown topic, timeout). Producers use it to warm up a topic.
Result<int> partition_count(rd_kafka_t* rk, const std::string& topic, std::chrono::milliseconds timeout);

std::vector<TopicPartition> to_partitions(const rd_kafka_topic_partition_list_t* list);
std::vector<TopicPartitionOffset> to_offsets(const rd_kafka_topic_partition_list_t* list);
// Appends `o` (offset and metadata) to `list`.
void add_offset(rd_kafka_topic_partition_list_t* list, const TopicPartitionOffset& o);

}  // namespace hanzo::hmm::kafka::detail
