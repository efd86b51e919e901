// hanzo-hmmd as a function: start the services in order, run until SIGTERM/SIGINT, stop them in
// reverse (the terminator). No CAF in this header: src/hmmd/main.cpp stays a thin main.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>

namespace hanzo::hmm::actors {

// Exit codes (sysexits.h): 78 is EX_CONFIG, which the unit's RestartPreventExitStatus= names.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 64;
inline constexpr int kExitTempFail = 75;  // exactly_once: fenced or a transaction stuck; restart me
inline constexpr int kExitConfig = 78;

struct DaemonOptions {
  std::optional<std::string> config_path;     // --config FILE; none: built-in defaults
  std::optional<std::string> metrics_listen;  // --metrics-listen ADDR (overrides the config)
  bool embedded_kafka{false};                 // --embedded-kafka: librdkafka's mock cluster in-process
  bool check_config{false};                   // --check-config: validate and exit
  bool print_config{false};                   // --print-config: documented TOML of the configuration
  bool print_topics{false};                   // --print-topics: topics, ACLs and how to create them
  std::size_t scheduler_threads{0};           // CAF worker threads; 0: the number of cores
  std::string scheduler_policy{"sharing"};    // CAF scheduler: "sharing" or "stealing"
  // Benchmarks and tests only (hermetic runs without a signal):
  // called with bootstrap.servers once the embedded cluster is up, before anything is consumed;
  std::function<void(const std::string&)> on_embedded_cluster;
  // polled every 10 ms with (messages consumed, messages in flight): true stops the daemon as
  // SIGTERM would.
  std::function<bool(std::uint64_t, std::uint64_t)> stop_when;
};

// Returns the process exit code.
int run_daemon(const DaemonOptions& options);

}  // namespace hanzo::hmm::actors
