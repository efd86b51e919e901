// Secret kafka properties from files (PROPERTY_file) and from systemd credentials.
#include <catch2/catch.hpp>

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "hanzo/hmm/daemon/config.hpp"

using namespace hanzo::hmm;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    std::string t = (fs::temp_directory_path() / "hanzo-secrets-XXXXXX").string();
    REQUIRE(mkdtemp(t.data()));
    path = t;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string write(const std::string& name, const std::string& text) const {
    std::ofstream(path / name, std::ios::binary) << text;
    return (path / name).string();
  }
};

// The value librdkafka is given for `property`, or "" if none.
std::string given(const daemon::DaemonConfig& c, const std::string& property) {
  std::string out;
  for (const auto& [k, v] : c.kafka_properties())
    if (k == property) out = v;
  return out;
}

bool mentions(const daemon::DaemonConfig& c, const std::string& property) {
  for (const auto& [k, v] : c.kafka_properties())
    if (k == property) return true;
  return false;
}

}  // namespace

TEST_CASE("secrets: PROPERTY_file gives librdkafka the file's contents, one trailing newline dropped", "[daemon][config]") {
  TempDir dir;
  const auto pw = dir.write("password", "s3cret pass\n");
  const auto key = dir.write("key-pass", "k3y\r\n");
  auto c = daemon::daemon_config_from_toml("[kafka]\n\"security.protocol\" = \"SASL_SSL\"\n\"sasl.mechanism\" = \"PLAIN\"\n"
                                           "\"sasl.username\" = \"u\"\n\"sasl.password_file\" = \"" + pw + "\"\n"
                                           "\"ssl.key.password_file\" = \"" + key + "\"\n",
                                           "c.toml");
  INFO((c ? std::string() : c.error().to_string()));
  REQUIRE(c);
  CHECK(given(*c, "sasl.password") == "s3cret pass");
  CHECK(given(*c, "ssl.key.password") == "k3y");
  // The _file keys themselves are ours, not librdkafka's: they are not passed on (it would refuse them).
  CHECK_FALSE(mentions(*c, "sasl.password_file"));
  CHECK_FALSE(mentions(*c, "ssl.key.password_file"));
  CHECK(kafka::check_config(c->kafka_properties()));
  // Printing shows where the secret comes from, never the secret.
  const auto text = daemon::render_config(*c);
  CHECK_THAT(text, Catch::Contains("\"sasl.password_file\" = \"" + pw + "\""));
  CHECK_THAT(text, !Catch::Contains("s3cret") && !Catch::Contains("k3y"));
}

TEST_CASE("secrets: ${CREDENTIALS_DIRECTORY} is where systemd's LoadCredential= put them", "[daemon][config]") {
  TempDir dir;
  dir.write("kafka-sasl-password", "from-systemd");
  const std::string toml = "[kafka]\n\"sasl.password_file\" = \"${CREDENTIALS_DIRECTORY}/kafka-sasl-password\"\n";
  REQUIRE(setenv("CREDENTIALS_DIRECTORY", dir.path.c_str(), 1) == 0);
  auto c = daemon::daemon_config_from_toml(toml, "c.toml");
  unsetenv("CREDENTIALS_DIRECTORY");
  INFO((c ? std::string() : c.error().to_string()));
  REQUIRE(c);
  CHECK(given(*c, "sasl.password") == "from-systemd");
  // Outside systemd the variable is unset: a clear error, not a path starting with "${".
  auto unset = daemon::daemon_config_from_toml(toml, "c.toml");
  REQUIRE_FALSE(unset);
  CHECK(unset.error().where == "c.toml: kafka.sasl.password_file");
  CHECK_THAT(unset.error().message, Catch::Contains("CREDENTIALS_DIRECTORY") && Catch::Contains("LoadCredential="));
}

TEST_CASE("secrets: a missing, unreadable or empty file, or the secret given twice, is an error naming the key", "[daemon][config]") {
  TempDir dir;
  const auto empty = dir.write("empty", "\n");
  const auto pw = dir.write("pw", "x");
  const struct {
    std::string toml, says;
  } cases[] = {
      {"[kafka]\n\"sasl.password_file\" = \"" + (dir.path / "missing").string() + "\"\n", "does not exist"},
      {"[kafka]\n\"sasl.password_file\" = \"" + dir.path.string() + "\"\n", "not a regular file"},
      {"[kafka]\n\"sasl.password_file\" = \"" + empty + "\"\n", "is empty"},
      {"[kafka]\n\"sasl.password\" = \"y\"\n\"sasl.password_file\" = \"" + pw + "\"\n", "give the secret one way"},
  };
  for (const auto& c : cases) {
    INFO(c.toml);
    auto r = daemon::daemon_config_from_toml(c.toml, "c.toml");
    REQUIRE_FALSE(r);
    CHECK(r.error().where == "c.toml: kafka.sasl.password_file");
    CHECK_THAT(r.error().message, Catch::Contains(c.says));
  }
  // A _file key of an unknown property is refused by librdkafka's own check, under the key as written.
  auto unknown = daemon::daemon_config_from_toml("[kafka]\n\"no.such_file\" = \"" + pw + "\"\n", "c.toml");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().where == "c.toml: kafka.no.such");
}

TEST_CASE("secrets: a config built in code with a _file key must have read it", "[daemon][config]") {
  TempDir dir;
  daemon::DaemonConfig c;
  c.kafka = {{"sasl.password_file", dir.write("pw", "p")}};
  auto unread = c.validate();
  REQUIRE_FALSE(unread);
  CHECK(unread.error().where == "kafka.sasl.password_file");
  REQUIRE(c.read_secret_files());
  CHECK(c.validate());
  CHECK(given(c, "sasl.password") == "p");
}
