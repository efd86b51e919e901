// The decisions topic is the answer log. Each decision carries its request's partition and
// offset (and the routed model) in headers, and goes to a decisions partition chosen from the
// request's partition, so a restore reads only the decisions partitions of the requests
// partitions it takes over, from the position its group commit recorded (RestorePoint), and
// answers a redelivered request with the decision it was first given.
// No CAF, no librdkafka.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace hanzo::hmm::daemon {

inline constexpr std::string_view kRequestPartitionHeader = "hanzo.request.partition";
inline constexpr std::string_view kRequestOffsetHeader = "hanzo.request.offset";
inline constexpr std::string_view kRoutedModelHeader = "hanzo.model";  // absent unless routed

// The decisions partitions that hold answers to requests partition `p`, with `requests`
// partitions in and `decisions` partitions out: p itself when the counts match (tenant keys
// then stay co-partitioned), every q < decisions with q ≡ p (mod requests) when there are more
// decisions partitions, p mod decisions when there are fewer.
std::vector<std::int32_t> answer_partitions(std::int32_t p, std::int32_t requests, std::int32_t decisions);
// The one of those a tenant's answers go to (stable per tenant, spread by its id's hash).
std::int32_t answer_partition(std::int32_t p, std::int32_t requests, std::int32_t decisions,
                              std::string_view tenant) noexcept;

// Where a restore of one requests partition starts reading, stored as the metadata of the
// group's commit of that partition: per decisions partition, an offset at or below the first
// answer to any request at or past the committed offset; and the changelog offset at or below
// every record the partition's tenants need (the oldest full record of a live chain).
struct RestorePoint {
  std::map<std::int32_t, std::int64_t> decisions;
  std::int64_t changelog{-1};  // -1: unknown (read from the beginning)
  std::string encode() const;  // "hzrp1 c=<offset> d=<q>:<offset>,<q>:<offset>"
  // nullopt for empty or foreign metadata (e.g. a commit by an older version).
  static std::optional<RestorePoint> decode(std::string_view metadata);
  friend bool operator==(const RestorePoint&, const RestorePoint&) = default;
};

}  // namespace hanzo::hmm::daemon
