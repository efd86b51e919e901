// What the raw librdkafka benches (passthrough, responder) share: a fatal error that names the
// program, a client configuration from key/value pairs (a bad key is fatal, named), and a scan
// for a string field of compact JSON.
#pragma once

#include <librdkafka/rdkafka.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
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

// The value of the top-level string field `"name":"..."` in compact JSON, if present.
inline std::string_view string_field(std::string_view json, std::string_view name) {
  const std::string key = "\"" + std::string(name) + "\":\"";
  const auto at = json.find(key);
  if (at == std::string_view::npos) return {};
  const auto begin = at + key.size();
  const auto end = json.find('"', begin);
  return end == std::string_view::npos ? std::string_view{} : json.substr(begin, end - begin);
}

}  // namespace raw_kafka
