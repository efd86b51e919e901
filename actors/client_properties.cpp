// The daemon's [kafka] table split for its clients (client_properties.hpp): librdkafka warns
// about keys of the other kind, so each client gets only its own.
#include <algorithm>
#include <cstdlib>
#include <charconv>
#include <string>
#include <string_view>

#include "client_properties.hpp"

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

// `key`'s value in `props` as a byte count, or `fallback` if unset or not a number (librdkafka
// then refuses the configuration anyway).
std::size_t bytes_of(const kafka::Config& props, std::string_view key, std::size_t fallback) {
  for (const auto& [k, v] : props) {
    std::size_t n = 0;
    if (k == key && std::from_chars(v.data(), v.data() + v.size(), n).ec == std::errc{}) fallback = n;
  }
  return fallback;
}

// The largest Kafka response the consumer accepts, so a bound on any message it can fetch: a
// broker returns the first record batch whole however large (fetch.max.bytes and
// max.partition.fetch.bytes are soft), but the response must fit receive.message.max.bytes,
// which librdkafka raises to fetch.max.bytes + 512 unless it is set. librdkafka 2.0.2's defaults.
std::size_t consumer_receive_bytes(const kafka::Config& props) {
  constexpr std::size_t default_receive = 100000000, default_fetch = 52428800;
  const std::size_t set = bytes_of(props, "receive.message.max.bytes", 0);
  return set > 0 ? set : std::max(default_receive, bytes_of(props, "fetch.max.bytes", default_fetch) + 512);
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

kafka::Config tick_consumer_properties(const kafka::Config& props) {
  kafka::Config out = consumer_properties(props);
  kafka::set_property(out, "statistics.interval.ms", "0");  // its lag is not reported
  // Ticks are a slow stream: a long poll costs a real broker's client nothing (the broker
  // answers as soon as data arrives) and spares the embedded mock a fetch per millisecond; the
  // mock holds the whole wait, so there a tick waits at most this long.
  long wait = 0;
  for (const auto& [k, v] : out)
    if (k == "fetch.wait.max.ms") wait = std::strtol(v.c_str(), nullptr, 10);
  if (wait < kTickFetchWaitMs) kafka::set_property(out, "fetch.wait.max.ms", std::to_string(kTickFetchWaitMs));
  return out;
}

// The shared [kafka] table minus the consumer-only keys librdkafka warns about on a producer.
kafka::Config producer_properties(const kafka::Config& props, std::size_t max_message_bytes) {
  static constexpr std::string_view consumer_only[] = {
      "group.id", "group.instance.id", "auto.offset.reset", "enable.auto.commit", "enable.auto.offset.store",
      "partition.assignment.strategy", "session.timeout.ms", "heartbeat.interval.ms", "max.poll.interval.ms",
      "isolation.level", "fetch.min.bytes", "fetch.wait.max.ms", "fetch.max.bytes", "max.partition.fetch.bytes"};
  kafka::Config out = without(props, consumer_only);
  // A DLQ record is a consumed message unchanged, however large (one over
  // daemon.max_message_bytes is dead-lettered as too_large), plus the hanzo.error.* headers. Let
  // the producer take any message the consumer can fetch, plus 64 KiB for those headers, so that
  // only the broker (its message.max.bytes, the DLQ topic's max.message.bytes) can refuse one;
  // librdkafka's default is 1,000,000 bytes and its ceiling 1,000,000,000. The limit is checked
  // per message; produce requests stay bounded by batch.size. A configured value is kept.
  if (std::none_of(out.begin(), out.end(), [](const auto& kv) { return kv.first == "message.max.bytes"; })) {
    const std::size_t largest_input = std::max(consumer_receive_bytes(props), max_message_bytes);
    out.emplace_back("message.max.bytes", std::to_string(std::min<std::size_t>(largest_input + 65536, 1000000000)));
  }
  return out;
}

kafka::Config compressed_properties(const kafka::Config& producer_props, const daemon::DaemonConfig& config) {
  kafka::Config out = producer_props;
  if (!config.sets_kafka_property({"compression.type", "compression.codec"})) kafka::set_property(out, "compression.type", "lz4");
  return out;
}

kafka::Config changelog_properties(const kafka::Config& producer_props, const daemon::DaemonConfig& config) {
  kafka::Config out = compressed_properties(producer_props, config);
  // A state record's acknowledgement makes its inputs committable and lets its tenant's next
  // record go (write_gate.hpp); decisions do not wait for it. Records are few (at most one per
  // tenant per state interval) and still batch while a produce request is in flight, so no
  // linger: 5 ms did not lower p99 at 17,500 requests/s (two paired runs).
  if (!config.sets_kafka_property({"linger.ms", "queue.buffering.max.ms"})) kafka::set_property(out, "linger.ms", "0");
  return out;
}

}  // namespace hanzo::hmm::actors
