// A tenant's changelog record (topic hanzo.hmm.tenant-state, keyed by tenant id): the
// TenantSession snapshot plus what crash safety needs (issue 5, section 2):
//  - a sequence number, so restore keeps the newest record per tenant even if a retried
//    produce lands after a later one (the mock cluster does not compact: restore takes the
//    highest sequence per key, not merely the last record);
//  - the tenant's home partition (requests and feedback are co-partitioned by tenant id);
//  - the highest request and feedback offsets already applied, so a redelivered message is
//    never applied twice (no double learning, no double outcome counts);
//  - the answers decided since the previous record: request_id, offset and the decision's
//    bytes. Each record carries only its own new answers (so changelog bytes grow with traffic,
//    not with how far commits lag); a restore gathers every answer not yet committed from all
//    of a tenant's records, so a redelivered request is answered again with the same decision,
//    marked "redelivered": true.
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
    std::string request_id;
    std::int64_t offset{-1};  // the request's offset on the home partition (-1: not from Kafka)
    std::string decision;     // the decision record's value as first produced
    friend bool operator==(const Answer&, const Answer&) = default;
  };
  // Sanity bound when decoding (a run has at most a few hundred answers; a restore's merge of
  // every uncommitted answer of a tenant more).
  static constexpr std::size_t kMaxAnswers = 1u << 20;

  std::uint64_t sequence{0};
  std::int32_t partition{-1};
  std::int64_t requests_through{-1};  // highest request offset applied (-1: none)
  std::int64_t feedback_through{-1};  // highest feedback offset applied (-1: none)
  std::vector<Answer> answers;        // oldest first
  std::vector<std::byte> session;     // TenantSession::checkpoint().state
  std::vector<std::byte> progress;    // TenantSession::checkpoint().progress (may be empty)

  // The answer for `request_id`, if still kept (the newest, should a client reuse an id).
  const Answer* find(std::string_view request_id) const noexcept { return find(answers, request_id); }
  static const Answer* find(const std::vector<Answer>& answers, std::string_view request_id) noexcept;
  void add(Answer a) { answers.push_back(std::move(a)); }
  // Drops answers below `committed` (the group's next offset to read on the home partition):
  // Kafka never redelivers them, so they need not travel in the changelog any more.
  void prune(std::int64_t committed);

  std::vector<std::byte> encode() const;
  void encode_into(std::string& out) const;  // the same bytes, as a record value (no copy)
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
