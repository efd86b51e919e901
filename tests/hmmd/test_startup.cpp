// hanzo-hmmd as a process: --version, and a stop request while it is still connecting.
#include <catch2/catch.hpp>

#include <signal.h>

#include <thread>

#include "daemon_process.hpp"

using namespace std::chrono_literals;
using hanzo::test::Child;
using hanzo::test::ScratchDir;

TEST_CASE("hanzo-hmmd and hanzo-hmm --version print the CMake project version on both binaries and exit 0", "[hmmd]") {
  const auto d = hanzo::test::run_to_end({HANZO_HMMD_PATH, "--version"});
  CHECK(d.status == 0);
  const std::string first = std::string("hanzo-hmmd ") + HANZO_PROJECT_VERSION + "\n";
  REQUIRE(d.out.rfind(first, 0) == 0);
  // The daemon names the malloc that actually serves it (the build links jemalloc unless the
  // sanitizers are on).
  const std::string allocator = d.out.substr(first.size());
  if (HANZO_USES_JEMALLOC)
    CHECK(allocator.rfind("allocator: jemalloc 5.", 0) == 0);
  else
    CHECK(allocator == "allocator: glibc malloc\n");
  const auto c = hanzo::test::run_to_end({HANZO_CLI_PATH, "--version"});
  CHECK(c.status == 0);
  CHECK(c.out == std::string("hanzo-hmm ") + HANZO_PROJECT_VERSION + "\n");
}

// Nothing listens on port 1 of the loopback: librdkafka keeps retrying, and start-up waits for the
// group coordinator. A stop request then must not wait for that.
TEST_CASE("SIGTERM or SIGINT while the brokers are unreachable: exit 0 at once", "[hmmd]") {
  const int sig = GENERATE(SIGTERM, SIGINT);
  ScratchDir dir;
  const auto config = dir.write("unreachable.toml",
                                "[kafka]\n\"bootstrap.servers\" = \"127.0.0.1:1\"\n"
                                "[metrics]\nlisten = \"127.0.0.1:0\"\n");
  Child daemon({HANZO_HMMD_PATH, "--config", config}, dir);
  std::this_thread::sleep_for(1s);
  REQUIRE_FALSE(daemon.wait(0ms).has_value());  // still starting, as the brokers are away
  daemon.signal(sig);
  // Generous: only a daemon that ignores the signal (it used to for up to 60 s) takes this long.
  const auto status = daemon.wait(10s);
  INFO(daemon.err());
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  CHECK(daemon.err().find("during start-up") != std::string::npos);
}
