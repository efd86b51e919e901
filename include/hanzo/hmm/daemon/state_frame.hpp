// A tenant-state changelog record (topic hanzo.hmm.tenant-state): either the tenant's whole
// state (a TenantRecord without answers) or a patch against its previous record (state_patch.hpp).
// A chain is one full record and the deltas after it; a tenant starts a new chain every
// `full_every` records and whenever its actor starts, so a restore reads a bounded tail.
//
// Keys keep chains intact on a compacted topic: a full record is keyed by the tenant id, the
// i-th delta of a chain by tenant id + NUL + i. Compaction keeps the newest full record and the
// newest delta of each index; deltas left from an older chain name that chain and are ignored.
// (Tenant ids with a NUL byte are refused at ingest, so the two kinds of key never collide.)
// No CAF, no librdkafka.
#pragma once
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::daemon {

struct StateFrame {
  enum class Kind : std::uint8_t { full = 0, delta = 1 };
  Kind kind{Kind::full};
  std::uint64_t sequence{0};  // the tenant's record number (TenantRecord::sequence of the result)
  std::uint64_t chain{0};     // sequence of the chain's full record (== sequence for a full one)
  std::int32_t partition{-1}; // the tenant's home partition
  std::uint32_t crc{0};       // CRC-32 of the whole state this record leads to
  std::span<const std::byte> payload;  // the state (full) or the patch (delta); views the input

  // Errors say which field is bad ("state record: ...").
  static Result<StateFrame> decode(std::span<const std::byte> bytes);
  // Header then `payload`, appended to `out`.
  void encode_into(std::string& out) const;
};

// The record key: the tenant id for a full record, tenant id + NUL + index for a delta.
std::string state_key(std::string_view tenant, std::uint64_t index_in_chain);
// The tenant id of a record key (everything before the first NUL).
std::string_view tenant_of_state_key(std::string_view key) noexcept;

// A tenant's side of the chain: turns its state bytes into its next record.
class StateWriter {
 public:
  explicit StateWriter(std::uint32_t full_every) : full_every_(full_every < 1 ? 1 : full_every) {}
  // The next record for `state` (a TenantRecord's bytes, sequence `sequence`): full if the
  // chain is new, long enough, or `force_full`; else a patch against the previous record's
  // state. Returns whether it is full.
  bool next(std::string_view tenant, std::int32_t partition, std::uint64_t sequence, std::vector<std::byte> state,
            bool force_full, std::string& key, std::string& value);
  // The state bytes of the last record written (what the next delta patches).
  std::span<const std::byte> base() const noexcept { return base_; }
  std::size_t memory_bytes() const noexcept { return base_.capacity(); }

 private:
  std::uint32_t full_every_;
  std::uint32_t in_chain_{0};  // records of the current chain so far (0: none yet)
  std::uint64_t chain_{0};
  std::vector<std::byte> base_;
};

}  // namespace hanzo::hmm::daemon
