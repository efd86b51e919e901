// The tenant record codec (the daemon's in-memory and dormant form): round trip, bounds,
// pruning, and every truncation refused.
#include <catch2/catch.hpp>

#include <algorithm>

#include "hanzo/hmm/daemon/changelog.hpp"
#include "hanzo/hmm/daemon/tenant_record.hpp"

using hanzo::hmm::daemon::mark_redelivered;
using hanzo::hmm::daemon::TenantRecord;

namespace {

TenantRecord sample() {
  TenantRecord t;
  t.sequence = 0x0102030405060708ull;
  t.partition = 5;
  t.requests_through = 1234567890123;
  t.feedback_through = -1;
  t.add({10, "gpt-4o", R"({"request_id":"r-1","status":"routed"})"});
  t.add({11, "", R"({"request_id":"r-2","status":"rejected"})"});
  for (int i = 0; i < 40; ++i) t.session.push_back(static_cast<std::byte>(i * 7));
  for (int i = 0; i < 12; ++i) t.progress.push_back(static_cast<std::byte>(255 - i));
  return t;
}

}  // namespace

TEST_CASE("tenant record: encode/decode round trip and peek", "[daemon][changelog]") {
  const TenantRecord t = sample();
  const auto bytes = t.encode();
  auto back = TenantRecord::decode(bytes);
  REQUIRE(back);
  CHECK(*back == t);
  auto head = TenantRecord::peek(bytes);
  REQUIRE(head);
  CHECK(head->sequence == 0x0102030405060708ull);
  CHECK(head->partition == 5);
  CHECK(head->answers == 2);
  // Byte layout of the header, little-endian: "HZTR", version 2, sequence, partition.
  CHECK(std::to_integer<char>(bytes[0]) == 'H');
  CHECK(std::to_integer<char>(bytes[3]) == 'R');
  CHECK(std::to_integer<int>(bytes[4]) == 2);
  CHECK(std::to_integer<int>(bytes[5]) == 0x08);
  CHECK(std::to_integer<int>(bytes[12]) == 0x01);
  CHECK(std::to_integer<int>(bytes[13]) == 5);
}

TEST_CASE("tenant record: every truncation and a foreign header are errors, never a crash", "[daemon][changelog]") {
  const auto bytes = sample().encode();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto r = TenantRecord::decode(std::span(bytes).first(n));
    INFO("length " << n);
    REQUIRE_FALSE(r);
    CHECK(r.error().to_string().find("tenant record") != std::string::npos);
  }
  auto longer = bytes;
  longer.push_back(std::byte{0});
  CHECK_FALSE(TenantRecord::decode(longer));
  auto other = bytes;
  other[2] = std::byte{'M'};  // "HZMM": a bare session snapshot is not a record
  CHECK_FALSE(TenantRecord::decode(other));
  CHECK_FALSE(TenantRecord::peek(other));
  auto newer = bytes;
  newer[4] = std::byte{3};
  auto r = TenantRecord::decode(newer);
  REQUIRE_FALSE(r);
  CHECK(r.error().to_string().find("version 3") != std::string::npos);
}

TEST_CASE("tenant record: find returns the answer to a request offset", "[daemon][changelog]") {
  TenantRecord t;
  t.add({1, "m", "first"});
  t.add({2, "", "b"});
  REQUIRE(TenantRecord::find(t.answers, 1));
  CHECK(TenantRecord::find(t.answers, 1)->decision == "first");
  CHECK(TenantRecord::find(t.answers, 2)->model.empty());
  CHECK(TenantRecord::find(t.answers, 3) == nullptr);
}

TEST_CASE("tenant record: prune drops answers Kafka will not redeliver", "[daemon][changelog]") {
  TenantRecord t;
  t.add({5, "", "a"});
  t.add({9, "", "b"});
  t.add({10, "", "c"});
  t.add({-1, "", "local"});  // not from Kafka: only the bounds drop it
  t.prune(-1);               // nothing committed yet
  CHECK(t.answers.size() == 4);
  t.prune(10);  // next offset to read is 10: 5 and 9 are behind the group
  REQUIRE(t.answers.size() == 2);
  CHECK(t.answers[0].decision == "c");
  CHECK(t.answers[1].decision == "local");
}

TEST_CASE("mark_redelivered adds the mark and changes nothing else", "[daemon][changelog]") {
  CHECK(mark_redelivered(R"({"a":1})") == R"({"a":1,"redelivered":true})");
  CHECK(mark_redelivered("{}") == R"({"redelivered":true})");
  CHECK(mark_redelivered("{ }\n") == "{ \"redelivered\":true}\n");
  CHECK(mark_redelivered("[1]") == "[1]");
  CHECK(mark_redelivered("") == "");
  CHECK(mark_redelivered("}") == "}");
}
