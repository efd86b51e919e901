// The daemon's Kafka footing for the raw benches: its client settings on the embedded cluster
// and the embedded cluster's topics. No CAF here: only daemon_settings.cpp includes the actors'
// headers, so the raw benches compile cheaply and link the daemon's own property functions.
#pragma once

#include <librdkafka/rdkafka.h>

#include <string>
#include <utility>
#include <vector>

#include "hanzo/hmm/daemon/topics.hpp"
#include "raw_kafka.hpp"

namespace daemon_settings {

// What hanzo-hmmd --embedded-kafka gives its clients, from its own functions (see the .cpp).
struct Clients {
  raw_kafka::Props consumer;   // requests/feedback consumer (with kafka::Consumer's defaults)
  raw_kafka::Props producer;   // decisions, prices, DLQ
  raw_kafka::Props changelog;  // tenant-state records
};
Clients embedded(const std::string& bootstrap);

// The embedded cluster's topics for the daemon's default names (daemon::embedded_layout, the
// list hanzo-hmmd --embedded-kafka creates).
using Topic = hanzo::hmm::daemon::EmbeddedTopic;
std::vector<Topic> embedded_topics();
std::string topic(const char* role);  // "requests", "decisions", "tenant_state"
int partitions(const char* role);

// Prints `props` as "label: k=v, k=v" after checking each value against what the client
// handle `rk` ended up with (librdkafka's own view): a mismatch is printed and makes it
// return false.
bool print_and_check(const char* label, const raw_kafka::Props& props, rd_kafka_t* rk);

}  // namespace daemon_settings
