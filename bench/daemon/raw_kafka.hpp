// What the raw librdkafka benches (passthrough, responder) share: a fatal error that names the
// program, and a client configuration from key/value pairs (a bad key is fatal, named).
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace raw_kafka {

using Props = std::vector<std::pair<std::string, std::string>>;

[[noreturn]] inline void die(const char* program, const std::string& what) {
  std::fprintf(stderr, "%s: %s\n", program, what.c_str());
  std::exit(1);
}

inline rd_kafka_conf_t* make_conf(const char* program, const Props& props) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : props)
    if (rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err) != RD_KAFKA_CONF_OK) die(program, k + ": " + err);
  return conf;
}

}  // namespace raw_kafka
