#include "topic_bytes.hpp"

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <vector>

#include "raw_kafka.hpp"

namespace topic_bytes {

Usage measure(const std::string& bootstrap, const std::string& topic, std::string& error) {
  Usage u;
  rd_kafka_conf_t* conf = raw_kafka::make_conf("topic_bytes", {{"bootstrap.servers", bootstrap},
                                                                {"group.id", "bench-topic-bytes"},
                                                                {"enable.auto.commit", "false"},
                                                                {"enable.partition.eof", "true"}});
  char err[512];
  rd_kafka_t* rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (!rk) return error = err, u;
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_t* t = rd_kafka_topic_new(rk, topic.c_str(), nullptr);
  const rd_kafka_metadata_t* md = nullptr;
  if (rd_kafka_resp_err_t e = rd_kafka_metadata(rk, 0, t, &md, 10000); e || md->topic_cnt != 1) {
    error = "metadata " + topic + ": " + rd_kafka_err2str(e);
  } else {
    u.partitions = md->topics[0].partition_cnt;
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(u.partitions);
    int pending = 0;
    for (int p = 0; p < u.partitions && error.empty(); ++p) {
      std::int64_t low = 0, high = 0;
      if (rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk, topic.c_str(), p, &low, &high, 10000))
        error = "watermarks " + topic + ": " + rd_kafka_err2str(e);
      u.records += static_cast<std::uint64_t>(high);
      if (high > low) {
        rd_kafka_topic_partition_list_add(list, topic.c_str(), p)->offset = low;
        ++pending;
      }
    }
    if (error.empty() && pending) rd_kafka_assign(rk, list);
    rd_kafka_topic_partition_list_destroy(list);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (error.empty() && pending > 0) {
      if (std::chrono::steady_clock::now() > deadline) error = "reading " + topic + " took over 60 s";
      rd_kafka_message_t* m = rd_kafka_consumer_poll(rk, 100);
      if (!m) continue;
      if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
        --pending;
      } else if (!m->err) {
        ++u.retained;
        u.retained_bytes += m->key_len + m->len;
        rd_kafka_headers_t* hdrs = nullptr;
        if (rd_kafka_message_headers(m, &hdrs) == RD_KAFKA_RESP_ERR_NO_ERROR) {
          const char* name;
          const void* value;
          std::size_t size;
          for (std::size_t i = 0; !rd_kafka_header_get_all(hdrs, i, &name, &value, &size); ++i)
            u.retained_bytes += std::char_traits<char>::length(name) + size;
        }
      }
      rd_kafka_message_destroy(m);
    }
  }
  if (md) rd_kafka_metadata_destroy(md);
  rd_kafka_topic_destroy(t);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return u;
}

}  // namespace topic_bytes
