// The changelog record codec: round trip, bounds, pruning, and every truncation refused.
#include <catch2/catch.hpp>

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
  t.add({"r-1", 10, R"({"request_id":"r-1","status":"routed"})"});
  t.add({"r-2", 11, R"({"request_id":"r-2","status":"rejected"})"});
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
  // Byte layout of the header, little-endian: "HZTR", version 1, sequence, partition.
  CHECK(std::to_integer<char>(bytes[0]) == 'H');
  CHECK(std::to_integer<char>(bytes[3]) == 'R');
  CHECK(std::to_integer<int>(bytes[4]) == 1);
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
  newer[4] = std::byte{2};
  auto r = TenantRecord::decode(newer);
  REQUIRE_FALSE(r);
  CHECK(r.error().to_string().find("version 2") != std::string::npos);
}

TEST_CASE("tenant record: find returns the newest answer for an id", "[daemon][changelog]") {
  TenantRecord t;
  t.add({"a", 1, "first"});
  t.add({"b", 2, "b"});
  t.add({"a", 3, "second"});
  REQUIRE(t.find("a"));
  CHECK(t.find("a")->decision == "second");
  CHECK(t.find("b")->offset == 2);
  CHECK(t.find("c") == nullptr);
}

TEST_CASE("tenant record: answers are bounded by count and bytes, oldest dropped first", "[daemon][changelog]") {
  TenantRecord t;
  for (std::size_t i = 0; i < TenantRecord::kMaxAnswers + 10; ++i) t.add({"r" + std::to_string(i), (long)i, "d"});
  REQUIRE(t.answers.size() == TenantRecord::kMaxAnswers);
  CHECK(t.answers.front().request_id == "r10");
  CHECK(t.answers.back().request_id == "r" + std::to_string(TenantRecord::kMaxAnswers + 9));

  TenantRecord big;
  const std::string decision(100 * 1024, 'x');
  for (int i = 0; i < 8; ++i) big.add({"b" + std::to_string(i), i, decision});
  std::size_t bytes = 0;
  for (const auto& a : big.answers) bytes += a.request_id.size() + a.decision.size();
  CHECK(bytes <= TenantRecord::kMaxAnswerBytes);
  CHECK(big.answers.size() == 5);  // 5 x ~100 KiB fit in 512 KiB, 6 do not
  CHECK(big.answers.back().request_id == "b7");
  // One answer larger than the byte bound is still kept: the newest must survive.
  TenantRecord huge;
  huge.add({"h", 0, std::string(TenantRecord::kMaxAnswerBytes + 1, 'y')});
  CHECK(huge.answers.size() == 1);
}

TEST_CASE("tenant record: prune drops answers Kafka will not redeliver", "[daemon][changelog]") {
  TenantRecord t;
  t.add({"a", 5, "x"});
  t.add({"b", 9, "x"});
  t.add({"c", 10, "x"});
  t.add({"local", -1, "x"});  // not from Kafka: only the bounds drop it
  t.prune(-1);                // nothing committed yet
  CHECK(t.answers.size() == 4);
  t.prune(10);  // next offset to read is 10: 5 and 9 are behind the group
  REQUIRE(t.answers.size() == 2);
  CHECK(t.answers[0].request_id == "c");
  CHECK(t.answers[1].request_id == "local");
}

TEST_CASE("mark_redelivered adds the mark and changes nothing else", "[daemon][changelog]") {
  CHECK(mark_redelivered(R"({"a":1})") == R"({"a":1,"redelivered":true})");
  CHECK(mark_redelivered("{}") == R"({"redelivered":true})");
  CHECK(mark_redelivered("{ }\n") == "{ \"redelivered\":true}\n");
  CHECK(mark_redelivered("[1]") == "[1]");
  CHECK(mark_redelivered("") == "");
  CHECK(mark_redelivered("}") == "}");
}
