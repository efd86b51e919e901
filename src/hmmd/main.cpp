// hanzo-hmmd: the streaming daemon. A thin main: options here, everything else in actors/.
#include <cstdlib>
#include <exception>
#include <iostream>
#include <string>
#include <string_view>

#include "daemon.hpp"
#include "hanzo/hmm/daemon/allocator.hpp"

namespace {

constexpr std::string_view kUsage = R"(usage: hanzo-hmmd [--config FILE] [--metrics-listen HOST:PORT] [--embedded-kafka]
                  [--check-config] [--print-config] [--print-topics] [--threads N]
                  [--scheduler sharing|stealing] [--version]

  --config FILE             TOML configuration (see config/hanzo-hmmd.toml); default: built-in defaults
  --metrics-listen ADDR     serve /metrics on ADDR (overrides metrics.listen; port 0 picks one)
  --embedded-kafka          start librdkafka's mock cluster in-process and print
                            "bootstrap.servers=HOST:PORT" on stdout (no broker needed)
  --check-config            validate the configuration and exit (78 if invalid)
  --print-config            print the configuration as documented TOML (every key, its
                            description and value; secrets are not printed) and exit
  --print-topics            print the Kafka topics, ACLs and provisioning commands and exit
  --version                 print the version and exit
  --threads N               actor scheduler threads (default: number of cores)
  --scheduler POLICY        actor scheduler: sharing (default; idle workers sleep) or stealing

Exit status: 0 after an orderly SIGTERM/SIGINT (also one received during start-up), 78 for configuration errors, 64 for usage
errors, 1 for runtime failures.
)";

}  // namespace

int main(int argc, char** argv) {
  using namespace hanzo::hmm::actors;
  DaemonOptions o;
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&](std::string_view flag) -> const char* {
      if (i + 1 >= argc) {
        std::cerr << "hanzo-hmmd: " << flag << " needs a value\n";
        std::exit(kExitUsage);
      }
      return argv[++i];
    };
    if (a == "--config") {
      o.config_path = value(a);
    } else if (a == "--metrics-listen") {
      o.metrics_listen = value(a);
    } else if (a == "--embedded-kafka") {
      o.embedded_kafka = true;
    } else if (a == "--check-config") {
      o.check_config = true;
    } else if (a == "--threads") {
      const std::string v = value(a);
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (*end != '\0' || n < 1 || n > 256) {
        std::cerr << "hanzo-hmmd: --threads: expected 1..256, got \"" << v << "\"\n";
        return kExitUsage;
      }
      o.scheduler_threads = static_cast<std::size_t>(n);
    } else if (a == "--scheduler") {
      const std::string v = value(a);
      if (v != "sharing" && v != "stealing") {
        std::cerr << "hanzo-hmmd: --scheduler: expected sharing or stealing, got \"" << v << "\"\n";
        return kExitUsage;
      }
      o.scheduler_policy = v;
    } else if (a == "--print-config") {
      o.print_config = true;
    } else if (a == "--print-topics") {
      o.print_topics = true;
    } else if (a == "--version") {
      std::cout << "hanzo-hmmd " << HANZO_HMM_VERSION << "\nallocator: " << hanzo::hmm::allocator_name() << '\n';
      return kExitOk;
    } else if (a == "-h" || a == "--help") {
      std::cout << kUsage;
      return kExitOk;
    } else {
      std::cerr << "hanzo-hmmd: unknown option \"" << a << "\"\n" << kUsage;
      return kExitUsage;
    }
  }
  try {
    return run_daemon(o);
  } catch (const std::exception& e) {  // start-up only: the data path returns errors as values
    std::cerr << "hanzo-hmmd: fatal: " << e.what() << '\n';
    return kExitFailure;
  }
}
