// DLQ records: original key/value untouched, the four hanzo.error.* headers, stale ones dropped.
#include <catch2/catch.hpp>

#include <algorithm>

#include "hanzo/hmm/kafka/dlq.hpp"

using namespace hanzo::hmm::kafka;

TEST_CASE("dlq: key and value unchanged plus the error headers", "[kafka][dlq]") {
  Message m;
  m.topic = "hanzo.hmm.requests";
  m.partition = 3;
  m.offset = 123456789012;
  m.key = "tenant-a";
  m.value = std::string("{not json\0", 10);
  m.headers = {{"trace", "abc"}, {"hanzo.error.reason", "stale"}};
  const Record r = make_dlq_record(m, "invalid JSON at 1:2", "hanzo.hmm.dlq");
  CHECK(r.topic == "hanzo.hmm.dlq");
  CHECK(r.key == m.key);
  CHECK(r.value == m.value);
  CHECK(r.partition == -1);
  CHECK(find_header(r.headers, "trace") == "abc");
  CHECK(find_header(r.headers, dlq_reason_header) == "invalid JSON at 1:2");
  CHECK(find_header(r.headers, dlq_topic_header) == "hanzo.hmm.requests");
  CHECK(find_header(r.headers, dlq_partition_header) == "3");
  CHECK(find_header(r.headers, dlq_offset_header) == "123456789012");
  CHECK(std::count_if(r.headers.begin(), r.headers.end(),
                      [](const Header& h) { return h.key == dlq_reason_header; }) == 1);
  CHECK(r.headers.size() == 5);
}

TEST_CASE("dlq: a null key stays null and an empty key stays empty", "[kafka][dlq]") {
  Message m;
  m.topic = "t";
  CHECK_FALSE(make_dlq_record(m, "empty tenant id", "d").key.has_value());
  m.key = "";
  CHECK(make_dlq_record(m, "empty tenant id", "d").key == std::string());
}

TEST_CASE("dlq: a null value (tombstone) stays null and an empty one stays empty", "[kafka][dlq]") {
  Message m;
  m.topic = "t";
  m.null_value = true;
  CHECK(make_dlq_record(m, "schema", "d").null_value);
  m.null_value = false;
  CHECK_FALSE(make_dlq_record(m, "schema", "d").null_value);
}

TEST_CASE("headers: find_header returns the last occurrence", "[kafka][dlq]") {
  const Headers h = {{"a", "1"}, {"b", "2"}, {"a", "3"}};
  CHECK(find_header(h, "a") == "3");
  CHECK(find_header(h, "b") == "2");
  CHECK_FALSE(find_header(h, "c"));
}

TEST_CASE("dlq: the last resort for an oversized record drops only the value and says how big it was",
          "[kafka][dlq]") {
  Message m;
  m.topic = "requests";
  m.partition = 2;
  m.offset = 17;
  m.key = "tenant-a";
  m.value = std::string(5000, 'x');
  auto r = make_dlq_record(m, "too_large", "d");
  REQUIRE(drop_value(r));
  CHECK(r.value.empty());
  CHECK(r.key == std::optional<std::string>("tenant-a"));
  CHECK(find_header(r.headers, dlq_value_dropped_header) == "5000 bytes");
  CHECK(find_header(r.headers, dlq_offset_header) == "17");
  CHECK_FALSE(drop_value(r));  // nothing left to drop: the caller stops trying
}
