// Option declarations: reading TOML onto fields, error paths, and self-documentation.
#include <boost/json.hpp>
#include <catch2/catch.hpp>
#include <map>

#include "hanzo/hmm/config/schema.hpp"

using namespace hanzo::hmm;
using namespace hanzo::hmm::config;

namespace {

struct Model {
  std::string name = "default";
  double tokens_per_second = 10.0;
  bool vision = false;
};

struct Settings {
  double lambda = 0.1;
  std::size_t workers = 2;
  std::optional<double> cap;
  std::string mode = "fast";
  std::vector<double> weights{1.0, 2.0};
  std::vector<Model> models{Model{}};
  std::vector<std::pair<std::string, std::string>> kafka;

  Schema schema() {
    Schema s;
    s.number("lambda", lambda, "curvature", between(0.0, 1.0))
        .count("workers", workers, "worker threads", at_least(1))
        .optional_number("cap", cap, "optional cap", greater_than(0.0))
        .text("mode", mode, "speed", {"fast", "slow"})
        .numbers("weights", weights, "weights", greater_than(0.0))
        .tables<Model>("models", models, "models",
                       [](Schema& m, Model& x) {
                         m.text("name", x.name, "name")
                             .number("tokens_per_second", x.tokens_per_second, "speed", greater_than(0.0))
                             .flag("vision", x.vision, "vision");
                       })
        .passthrough("kafka", kafka, "librdkafka properties");
    return s;
  }
};

Result<void> load(Settings& s, const std::string& toml) {
  auto doc = parse_toml(toml, "test.toml");
  if (!doc) return std::move(doc).error();
  return s.schema().apply(*doc);
}

}  // namespace

TEST_CASE("schema: values land in their fields, defaults stay otherwise", "[config]") {
  Settings s;
  REQUIRE(load(s, "lambda = 0.25\nworkers = 4\nmode = \"slow\"\n[[models]]\nname = \"a\"\ntokens_per_second = 50\n"
                  "[[models]]\nname = \"b\"\nvision = true\n"));
  CHECK(s.lambda == 0.25);
  CHECK(s.workers == 4);
  CHECK(s.mode == "slow");
  CHECK(!s.cap);
  CHECK(s.weights == std::vector<double>{1.0, 2.0});
  REQUIRE(s.models.size() == 2);  // a configured array replaces the default one
  CHECK(s.models[0].name == "a");
  CHECK(s.models[0].tokens_per_second == 50.0);
  CHECK(s.models[1].tokens_per_second == 10.0);  // element defaults
  CHECK(s.models[1].vision);
}

TEST_CASE("schema: errors name the key path", "[config]") {
  Settings s;
  auto e = load(s, "lambda = 1.5\n");
  REQUIRE(!e);
  CHECK(e.error().where == "lambda");
  CHECK_THAT(e.error().message, Catch::Contains(">= 0 and <= 1"));

  e = load(s, "[[models]]\nname = \"a\"\n[[models]]\ntokens_per_second = -1\n");
  REQUIRE(!e);
  CHECK(e.error().where == "models[1].tokens_per_second");

  e = load(s, "lamda = 0.2\n");
  REQUIRE(!e);
  CHECK(e.error().where == "lamda");
  CHECK_THAT(e.error().message, Catch::Contains("did you mean \"lambda\""));

  e = load(s, "workers = 2.5\n");
  REQUIRE(!e);
  CHECK(e.error().where == "workers");

  e = load(s, "mode = \"medium\"\n");
  REQUIRE(!e);
  CHECK_THAT(e.error().message, Catch::Contains("one of fast, slow"));

  e = load(s, "weights = [1.0, 0.0]\n");
  REQUIRE(!e);
  CHECK(e.error().where == "weights[1]");

  e = load(s, "lambda = \"x\"\n");
  REQUIRE(!e);
  CHECK(e.error().message == "must be a number");

  e = load(s, "lambda = = 2\n");
  REQUIRE(!e);
  CHECK(e.error().code == Errc::parse_error);
  CHECK_THAT(e.error().where, Catch::StartsWith("test.toml:1:"));
}

TEST_CASE("schema: passthrough flattens nested keys to dotted strings", "[config]") {
  Settings s;
  REQUIRE(load(s, "[kafka]\n\"bootstrap.servers\" = \"h:1\"\nsasl.mechanism = \"PLAIN\"\n\"linger.ms\" = 5\n"));
  std::map<std::string, std::string> got(s.kafka.begin(), s.kafka.end());
  CHECK(got == std::map<std::string, std::string>{{"bootstrap.servers", "h:1"}, {"sasl.mechanism", "PLAIN"}, {"linger.ms", "5"}});
}

TEST_CASE("schema: describe lists every option with default and bounds", "[config]") {
  Settings s;
  const auto opts = s.schema().describe();
  std::map<std::string, OptionInfo> by_key;
  for (const auto& o : opts) by_key[o.key] = o;
  REQUIRE(by_key.count("lambda"));
  CHECK(by_key["lambda"].default_value == "0.1");
  CHECK(by_key["lambda"].bounds == ">= 0 and <= 1");
  CHECK(by_key.count("models[].tokens_per_second"));
  CHECK(by_key["models[].tokens_per_second"].bounds == "> 0");
  CHECK_THAT(render_toml(opts), Catch::Contains("# workers (integer), >= 1"));
}
