// decode_request's fast path against its document decoder: whatever the fast path accepts, the
// document decoder accepts and reads identically (doubles bit for bit); what it does not
// understand it leaves to the document decoder, so errors keep their paths and messages.
#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "request_fast.hpp"

using namespace hanzo::hmm;
using wire::detail::decode_request_document;
using wire::detail::decode_request_fast;

namespace {

bool same_number(const std::optional<double>& a, const std::optional<double>& b) {
  if (a.has_value() != b.has_value()) return false;
  return !a || std::bit_cast<std::uint64_t>(*a) == std::bit_cast<std::uint64_t>(*b);
}

bool same(const wire::RequestMessage& a, const wire::RequestMessage& b) {
  const auto &x = a.request, &y = b.request;
  std::vector<std::uint64_t> xo, yo;
  for (double v : x.observations) xo.push_back(std::bit_cast<std::uint64_t>(v));
  for (double v : y.observations) yo.push_back(std::bit_cast<std::uint64_t>(v));
  return a.tenant == b.tenant && x.request_id == y.request_id && x.input == y.input && x.context == y.context &&
         same_number(x.preferences.max_latency_ms, y.preferences.max_latency_ms) &&
         same_number(x.preferences.max_cost_per_token, y.preferences.max_cost_per_token) &&
         x.preferences.preferred_models == y.preferences.preferred_models &&
         same_number(x.preferences.quality_threshold, y.preferences.quality_threshold) &&
         same_number(x.requirements.min_tokens_per_second, y.requirements.min_tokens_per_second) &&
         same_number(x.requirements.max_memory_gb, y.requirements.max_memory_gb) &&
         x.requirements.requires_function_calling == y.requirements.requires_function_calling &&
         x.requirements.requires_vision == y.requirements.requires_vision &&
         x.requirements.region == y.requirements.region && x.requirements.hard_budget == y.requirements.hard_budget &&
         xo == yo;
}

enum class Outcome { fast, document_only, refused };

// The contract for one text; which path decided it.
Outcome check(const std::string& text, const wire::Limits& limits = {}) {
  wire::RequestMessage fast;
  const bool taken = decode_request_fast(text, limits, fast);
  const auto doc = decode_request_document(text, limits);
  const auto pub = wire::decode_request(text, limits);
  INFO(text);
  if (taken && doc) REQUIRE(same(fast, *doc));
  REQUIRE(bool(pub) == bool(doc));
  if (pub) REQUIRE(same(*pub, *doc));
  else REQUIRE(pub.error().to_string() == doc.error().to_string());
  if (!pub) return Outcome::refused;
  return taken ? Outcome::fast : Outcome::document_only;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// A random request using any subset of the fields, with text that needs escaping now and then.
std::string random_request(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> coin(0, 1), small(0, 5);
  std::uniform_real_distribution<double> real(-3, 3);
  const char* texts[] = {"plain", "quote \" and \\ backslash", "line\nbreak", "caf\xc3\xa9", "tab\there", ""};
  wire::RequestMessage m;
  auto& q = m.request;
  q.request_id = "r-" + std::to_string(rng() % 100000);
  if (coin(rng)) m.tenant = "tenant-" + std::to_string(rng() % 50);
  q.input = texts[small(rng)];
  if (coin(rng)) q.context = texts[small(rng)];
  if (coin(rng)) q.preferences.max_latency_ms = std::exp(real(rng) * 3);
  if (coin(rng)) q.preferences.max_cost_per_token = std::exp(real(rng) * 5);
  for (int i = small(rng); i > 0; --i) q.preferences.preferred_models.push_back("model-" + std::to_string(i));
  if (coin(rng)) q.preferences.quality_threshold = std::fabs(real(rng)) / 3;
  if (coin(rng)) q.requirements.min_tokens_per_second = std::exp(real(rng));
  if (coin(rng)) q.requirements.max_memory_gb = 1 + small(rng) * 16;
  q.requirements.requires_function_calling = coin(rng);
  q.requirements.requires_vision = coin(rng);
  if (coin(rng)) q.requirements.region = "us-east";
  for (int i = small(rng); i > 0; --i) q.observations.push_back(real(rng) * std::pow(10.0, small(rng) - 3));
  return wire::encode_request(m);
}

// The same document with every object's members in reverse order.
boost::json::value reversed(const boost::json::value& v) {
  if (v.is_object()) {
    boost::json::object out;
    const auto& o = v.get_object();
    for (auto it = o.end(); it != o.begin();) {
      --it;
      out.emplace(it->key(), reversed(it->value()));
    }
    return out;
  }
  return v;
}

}  // namespace

TEST_CASE("request fast path: takes the examples and agrees with the document decoder", "[wire][request]") {
  for (const char* name : {"request.json", "request.minimal.json"})
    CHECK(check(slurp(std::string(HANZO_SCHEMA_DIR) + "/examples/" + name)) == Outcome::fast);
  // The crate's example sends context as a list of turns: the document decoder joins them.
  CHECK(check(slurp(std::string(HANZO_SCHEMA_DIR) + "/examples/request.crate.json")) == Outcome::document_only);
}

TEST_CASE("request fast path: random requests, in either key order, decode identically", "[wire][request]") {
  std::mt19937_64 rng(20261207);
  for (int i = 0; i < 3000; ++i) {
    const std::string text = random_request(rng);
    REQUIRE(check(text) == Outcome::fast);
    REQUIRE(check(boost::json::serialize(reversed(boost::json::parse(text)))) == Outcome::fast);
  }
}

TEST_CASE("request fast path: leaves what it does not understand to the document decoder", "[wire][request]") {
  const std::string base = R"({"request_id":"r","input":"x")";
  // Accepted by the document decoder, not by the fast path.
  CHECK(check(base + R"(,"tenant":null})") == Outcome::document_only);
  CHECK(check(base + R"(,"context":["a","b"]})") == Outcome::document_only);
  CHECK(check(base + R"(,"observations":[1e-400]})") == Outcome::document_only);  // rounds to 0
  // Refused, with the document decoder's message.
  CHECK(check(base + R"(,"input":"y"})") == Outcome::refused);  // repeated key
  CHECK(check(base + R"(,"inputs":"y"})") == Outcome::refused);
  CHECK(check(base + R"(,"observations":[1e999]})") == Outcome::refused);
  CHECK(check(base + R"(,"preferences":{"max_latency_ms":"fast"}})") == Outcome::refused);
  CHECK(check(base + R"(,"requirements":{"requires_vision":1}})") == Outcome::refused);
  CHECK(check(R"({"input":"x"})") == Outcome::refused);
  CHECK(check(base + "} trailing") == Outcome::refused);
  CHECK(check(base + R"(,"preferences":{"max_latency_ms":-1}})") == Outcome::refused);  // validate()
  CHECK(check("[]") == Outcome::refused);
  CHECK(check("") == Outcome::refused);
}

TEST_CASE("request fast path: limits hold at their bounds", "[wire][request]") {
  wire::Limits limits;
  limits.max_id_bytes = 8;
  limits.max_observations = 3;
  limits.max_preferred_models = 2;
  limits.max_input_bytes = 10;
  const auto req = [](const std::string& id, const std::string& input, const std::string& rest) {
    return R"({"request_id":")" + id + R"(","input":")" + input + "\"" + rest + "}";
  };
  CHECK(check(req("12345678", "0123456789", ""), limits) == Outcome::fast);
  CHECK(check(req("123456789", "x", ""), limits) == Outcome::refused);
  CHECK(check(req("r", "0123456789A", ""), limits) == Outcome::refused);
  CHECK(check(req("r", "x", R"(,"observations":[1,2,3])"), limits) == Outcome::fast);
  CHECK(check(req("r", "x", R"(,"observations":[1,2,3,4])"), limits) == Outcome::refused);
  CHECK(check(req("r", "x", R"(,"preferences":{"preferred_models":["a","b"]})"), limits) == Outcome::fast);
  CHECK(check(req("r", "x", R"(,"preferences":{"preferred_models":["a","b","c"]})"), limits) == Outcome::refused);
  CHECK(check(req("r", "x", R"(,"preferences":{"preferred_models":[""]})"), limits) == Outcome::refused);
  limits.max_document_bytes = 20;
  CHECK(check(req("r", "x", ""), limits) == Outcome::refused);
}

TEST_CASE("request fast path: mutated requests never decode differently", "[wire][request]") {
  std::mt19937_64 rng(7);
  const std::string alphabet = "{}[]:,\"\\0123456789.eE+-ntrufals ";
  int fast = 0, other = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string text = random_request(rng);
    for (int k = 1 + static_cast<int>(rng() % 3); k > 0 && !text.empty(); --k) {
      const std::size_t at = rng() % text.size();
      switch (rng() % 3) {
        case 0: text[at] = alphabet[rng() % alphabet.size()]; break;
        case 1: text.erase(at, 1 + rng() % 4); break;
        default: text.insert(at, 1, alphabet[rng() % alphabet.size()]);
      }
    }
    (check(text) == Outcome::fast ? fast : other)++;
  }
  // Both paths were exercised (a mutation that keeps the request valid is common: a digit).
  CHECK(fast > 1000);
  CHECK(other > 1000);
}
