// hanzo-hmmd's configuration as an operator meets it: --print-config and the shipped file,
// secrets kept out of what it prints and logs, librdkafka's lines with journald priorities.
#include <catch2/catch.hpp>

#include <signal.h>

#include <thread>

#include "daemon_process.hpp"

using namespace std::chrono_literals;
using hanzo::test::Child;
using hanzo::test::ScratchDir;

namespace {
std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size())) ++n;
  return n;
}
}  // namespace

TEST_CASE("hanzo-hmmd --print-config prints the shipped config/hanzo-hmmd.toml, byte for byte", "[hmmd][config]") {
  const auto printed = hanzo::test::run_to_end({HANZO_HMMD_PATH, "--print-config"});
  REQUIRE(printed.status == 0);
  // On a difference: hanzo-hmmd --print-config > config/hanzo-hmmd.toml (and review the diff).
  CHECK(printed.out == hanzo::test::read_file(std::string(HANZO_SOURCE_DIR) + "/config/hanzo-hmmd.toml"));
  // And what it prints is a configuration hanzo-hmmd accepts.
  ScratchDir dir;
  const auto file = dir.write("printed.toml", printed.out);
  CHECK(hanzo::test::run_to_end({HANZO_HMMD_PATH, "--config", file, "--check-config"}).status == 0);
}

TEST_CASE("secrets: never in --print-config, and a secret file that cannot be read stops start-up with 78", "[hmmd][config]") {
  ScratchDir dir;
  dir.write("kafka-sasl-password", "pw-from-credentials-dir\n");
  const auto config = dir.write("c.toml",
                                "[kafka]\n\"security.protocol\" = \"SASL_PLAINTEXT\"\n\"sasl.mechanism\" = \"PLAIN\"\n"
                                "\"sasl.username\" = \"hanzo\"\n"
                                "\"sasl.password_file\" = \"${CREDENTIALS_DIRECTORY}/kafka-sasl-password\"\n"
                                "\"ssl.key.password\" = \"inline-secret\"\n");
  const std::string creds = "CREDENTIALS_DIRECTORY=" + dir.path().string();
  const auto printed = hanzo::test::run_to_end({HANZO_HMMD_PATH, "--config", config, "--print-config"}, {creds});
  INFO(printed.err);
  REQUIRE(printed.status == 0);
  CHECK_THAT(printed.out, Catch::Contains("\"sasl.password_file\" = \"${CREDENTIALS_DIRECTORY}/kafka-sasl-password\""));
  CHECK_THAT(printed.out, !Catch::Contains("pw-from-credentials-dir") && !Catch::Contains("inline-secret"));
  CHECK(hanzo::test::run_to_end({HANZO_HMMD_PATH, "--config", config, "--check-config"}, {creds}).status == 0);
  // The same file where the credential is missing: configuration error, naming key and path.
  ScratchDir empty;
  const auto missing =
      hanzo::test::run_to_end({HANZO_HMMD_PATH, "--config", config}, {"CREDENTIALS_DIRECTORY=" + empty.path().string()});
  CHECK(missing.status == 78);
  CHECK_THAT(missing.err, Catch::Contains("kafka.sasl.password_file") &&
                              Catch::Contains(empty.path().string() + "/kafka-sasl-password"));
}

// Four clients (two producers, two consumers) fail to reach port 1 about once a second each.
TEST_CASE("librdkafka's lines carry journald priorities, repeats are held back, secrets stay out", "[hmmd][log]") {
  ScratchDir dir;
  const auto pw = dir.write("pw", "pw-in-a-file");
  const auto config = dir.write("c.toml",
                                "[kafka]\n\"bootstrap.servers\" = \"127.0.0.1:1\"\n"
                                "\"security.protocol\" = \"SASL_PLAINTEXT\"\n\"sasl.mechanism\" = \"PLAIN\"\n"
                                "\"sasl.username\" = \"hanzo\"\n\"sasl.password_file\" = \"" + pw + "\"\n"
                                "[metrics]\nlisten = \"127.0.0.1:0\"\n");
  Child daemon({HANZO_HMMD_PATH, "--config", config}, dir);
  std::this_thread::sleep_for(3s);
  daemon.signal(SIGTERM);
  const auto status = daemon.wait(10s);
  const std::string err = daemon.err();
  INFO(err);
  REQUIRE(status.has_value());
  CHECK(*status == 0);
  CHECK(count(err, "%3|") == 0);  // librdkafka's own printing, without a priority
  const std::string refused = "Connect to ipv4#127.0.0.1:1 failed: Connection refused";
  CHECK(count(err, "<3>hanzo-hmmd: kafka: ") >= 1);
  CHECK(count(err, refused) == 1);  // once, though each client reported it about three times
  CHECK(err.find("<3>hanzo-hmmd: kafka: ") < err.find(refused));
  CHECK_THAT(err, !Catch::Contains("pw-in-a-file"));
}

TEST_CASE("hanzo-hmmd --print-topics prints docs/topics.md, byte for byte", "[hmmd][topics]") {
  const auto printed = hanzo::test::run_to_end({HANZO_HMMD_PATH, "--print-topics"});
  REQUIRE(printed.status == 0);
  // On a difference: hanzo-hmmd --print-topics > docs/topics.md (and review the diff).
  CHECK(printed.out == hanzo::test::read_file(std::string(HANZO_SOURCE_DIR) + "/docs/topics.md"));
}
