// The changelog record codec: round trip, bounds, pruning, and every truncation refused.
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

TEST_CASE("changelog merge: newest state by sequence, answers from every record past the commit",
          "[daemon][changelog]") {
  using hanzo::hmm::daemon::ChangelogMerger;
  auto rec = [](std::uint64_t seq, std::int32_t partition, std::vector<TenantRecord::Answer> answers, std::byte tag) {
    TenantRecord t;
    t.sequence = seq;
    t.partition = partition;
    t.requests_through = static_cast<std::int64_t>(seq);
    t.answers = std::move(answers);
    t.session = {tag};
    return t.encode();
  };
  ChangelogMerger m(std::map<std::int32_t, std::int64_t>{{0, 5}});  // partition 0: offsets below 5 are committed
  REQUIRE(m.add("a", rec(1, 0, {{"x", 3, "dx"}, {"y", 5, "dy"}}, std::byte{1})));
  REQUIRE(m.add("a", rec(3, 0, {{"z", 7, "dz"}}, std::byte{3})));
  // A retried produce landing late: an older sequence after a newer one; its answers still count.
  REQUIRE(m.add("a", rec(2, 0, {{"w", 6, "dw"}, {"y", 5, "dy2"}}, std::byte{2})));
  REQUIRE(m.add("b", rec(1, 1, {{"q", 0, "dq"}}, std::byte{9})));  // partition 1: nothing committed
  const std::vector<std::byte> junk{std::byte{1}, std::byte{2}};
  CHECK_FALSE(m.add("c", junk));
  auto out = m.finish();
  std::sort(out.begin(), out.end());
  REQUIRE(out.size() == 2);
  auto a = TenantRecord::decode(out[0].second);
  REQUIRE(a);
  CHECK(a->sequence == 3);
  CHECK(a->session == std::vector<std::byte>{std::byte{3}});
  std::vector<std::string> ids;
  for (const auto& x : a->answers) ids.push_back(x.request_id + "=" + x.decision);
  CHECK(ids == std::vector<std::string>{"z=dz", "w=dw", "y=dy2"});  // x committed; y's last copy
  auto b = TenantRecord::decode(out[1].second);
  REQUIRE(b);
  REQUIRE(b->answers.size() == 1);
  CHECK(b->answers[0].request_id == "q");
}
