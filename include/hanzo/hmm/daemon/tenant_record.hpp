// A tenant's whole state as the daemon keeps it: the TenantSession checkpoint plus what crash
// safety needs:
//  - a sequence number (one per changelog record; see state_frame.hpp for chains);
//  - the tenant's home partition (requests and feedback are co-partitioned by tenant id);
//  - the highest request and feedback offsets already applied, so a redelivered message is
//    never applied twice (no double learning, no double outcome counts);
//  - in memory only, never in the changelog: the answers a restore found in the decisions
//    topic for requests Kafka may still redeliver (answer_log.hpp), so a redelivered request is
//    answered again with the same decision, marked "redelivered": true.
// No CAF, no librdkafka.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::daemon {

struct TenantRecord {
  struct Answer {
    std::int64_t offset{-1};  // the request's offset on the home partition
    std::string model;        // the routed model's id ("" if the request was not routed)
    std::string decision;     // the decision record's value as first produced
    friend bool operator==(const Answer&, const Answer&) = default;
  };
  // Sanity bound when decoding (every uncommitted answer of a tenant).
  static constexpr std::size_t kMaxAnswers = 1u << 20;

  std::uint64_t sequence{0};
  std::int32_t partition{-1};
  std::int64_t requests_through{-1};  // highest request offset applied (-1: none)
  std::int64_t feedback_through{-1};  // highest feedback offset applied (-1: none)
  std::vector<Answer> answers;        // oldest first
  std::vector<std::byte> session;     // TenantSession::checkpoint().state
  std::vector<std::byte> progress;    // TenantSession::checkpoint().progress (may be empty)

  // The answer to the request at `offset` on the home partition, if kept.
  static const Answer* find(const std::vector<Answer>& answers, std::int64_t offset) noexcept;
  void add(Answer a) { answers.push_back(std::move(a)); }
  // Drops answers below `committed` (the group's next offset to read on the home partition):
  // Kafka never redelivers them, so they need not travel in the changelog any more.
  void prune(std::int64_t committed);

  std::vector<std::byte> encode() const;
  // Errors say which field is bad ("tenant record: ...").
  static Result<TenantRecord> decode(std::span<const std::byte> bytes);
  // The fixed header without decoding the rest (restore and revoke look at many records).
  struct Head {
    std::uint64_t sequence{0};
    std::int32_t partition{-1};
    std::uint32_t answers{0};
  };
  static std::optional<Head> peek(std::span<const std::byte> bytes) noexcept;

  friend bool operator==(const TenantRecord&, const TenantRecord&) = default;

 private:
  std::size_t encoded_size() const noexcept;
  void encode_to(std::byte* out) const noexcept;
};

// `decision` (a JSON object) with "redelivered": true added before its closing brace: byte-
// identical to the first answer apart from the mark. Unchanged if it is not an object.
std::string mark_redelivered(std::string_view decision);

}  // namespace hanzo::hmm::daemon
