// The daemon's [kafka] table split for its clients (declared in ingest.hpp): librdkafka warns
// about keys of the other kind, so each client gets only its own.
#include <algorithm>
#include <string>
#include <string_view>

#include "ingest.hpp"

namespace hanzo::hmm::actors {

namespace {

// `props` minus `keys`. The names are plain: DaemonConfig::kafka_properties() has already
// dropped the file's "kafka." prefix.
template <std::size_t N>
kafka::Config without(const kafka::Config& props, const std::string_view (&keys)[N]) {
  kafka::Config out;
  for (const auto& [k, v] : props)
    if (std::find(std::begin(keys), std::end(keys), k) == std::end(keys)) out.emplace_back(k, v);
  return out;
}

}  // namespace

// The shared [kafka] table minus the producer-only keys librdkafka warns about on a consumer.
kafka::Config consumer_properties(const kafka::Config& props) {
  static constexpr std::string_view producer_only[] = {
      "linger.ms", "queue.buffering.max.ms", "batch.num.messages", "batch.size", "acks", "request.required.acks",
      "compression.type", "compression.codec", "compression.level", "enable.idempotence", "message.timeout.ms",
      "delivery.timeout.ms", "queue.buffering.max.messages", "queue.buffering.max.kbytes", "retries",
      "message.send.max.retries", "transactional.id", "transaction.timeout.ms", "partitioner",
      "sticky.partitioning.linger.ms", "delivery.report.only.error", "request.timeout.ms"};
  kafka::Config out = without(props, producer_only);
  // Consumer lag comes from librdkafka's statistics (served by poll, once a second by default).
  if (std::none_of(out.begin(), out.end(), [](const auto& kv) { return kv.first == "statistics.interval.ms"; }))
    out.emplace_back("statistics.interval.ms", "1000");
  return out;
}

// The shared [kafka] table minus the consumer-only keys librdkafka warns about on a producer.
kafka::Config producer_properties(const kafka::Config& props, std::size_t max_message_bytes) {
  static constexpr std::string_view consumer_only[] = {
      "group.id", "group.instance.id", "auto.offset.reset", "enable.auto.commit", "enable.auto.offset.store",
      "partition.assignment.strategy", "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms",
      "isolation.level", "fetch.min.bytes", "fetch.wait.max.ms", "fetch.max.bytes", "max.partition.fetch.bytes"};
  kafka::Config out = without(props, consumer_only);
  // A DLQ record carries an input of up to daemon.max_message_bytes plus headers: let the
  // producer take it (librdkafka's default is 1,000,000 bytes) unless configured otherwise.
  if (std::none_of(out.begin(), out.end(), [](const auto& kv) { return kv.first == "message.max.bytes"; }))
    out.emplace_back("message.max.bytes", std::to_string(std::min<std::size_t>(max_message_bytes + 65536, 1000000000)));
  return out;
}

kafka::Config compressed_properties(const kafka::Config& producer_props, const daemon::DaemonConfig& config) {
  kafka::Config out = producer_props;
  if (!config.sets_kafka_property({"compression.type", "compression.codec"})) kafka::set_property(out, "compression.type", "lz4");
  return out;
}

kafka::Config changelog_properties(const kafka::Config& producer_props, const daemon::DaemonConfig& config) {
  kafka::Config out = compressed_properties(producer_props, config);
  // Every decision waits for its tenant's state record to be acknowledged, so lingering here
  // would add to every decision's latency; under load records still batch while a produce
  // request is in flight.
  if (!config.sets_kafka_property({"linger.ms", "queue.buffering.max.ms"})) kafka::set_property(out, "linger.ms", "0");
  return out;
}

}  // namespace hanzo::hmm::actors
