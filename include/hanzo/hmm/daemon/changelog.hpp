// Reading a restore's inputs back from Kafka: the tenant-state changelog (each tenant's newest
// state, rebuilt from its last chain of records; state_frame.hpp) and the decisions topic (the
// answers to requests Kafka may still redeliver; answer_log.hpp). Both start where the group's
// commit metadata says (RestorePoint) and check the broker still has everything from there:
// records it deleted are reported as lost, never silently skipped. No CAF: the daemon calls
// these from its rebalance handling, tests and tools call them directly.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "hanzo/hmm/daemon/tenant_record.hpp"
#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/kafka/types.hpp"

namespace hanzo::hmm::daemon {

struct RestoredTenant {
  std::string id;
  std::vector<std::byte> state;  // TenantRecord bytes (answers empty)
  std::uint64_t sequence{0};
  std::int32_t partition{-1};
  std::int64_t full_offset{-1};  // offset of its chain's full record
};

// Folds state records, in offset order, into each tenant's newest state. Pure: the reader
// feeds it from Kafka, tests feed it directly.
class ChangelogMerger {
 public:
  // False if the record is not a state record: the tenant its key names is then broken
  // (reported, not restored) unless a newer full record of it follows.
  bool add(std::string_view key, std::span<const std::byte> value, std::int64_t offset);
  struct Broken {
    std::string id;
    std::string reason;
  };
  struct Merged {
    std::vector<RestoredTenant> tenants;
    std::vector<Broken> broken;  // a chain with a record missing or not matching its checksum
  };
  Merged finish();

 private:
  struct Tenant {
    RestoredTenant restored;
    std::uint64_t chain{0};
    std::string error;  // non-empty: broken unless a later full record mends it
  };
  std::unordered_map<std::string, Tenant> tenants_;
};

// What a read from Kafka saw.
struct ReadStats {
  std::size_t records{0};
  std::size_t bytes{0};     // value bytes
  std::size_t skipped{0};   // not records of this kind (foreign bytes, tombstones)
  bool complete{true};      // false: `keep_going` said stop before every partition's end
  std::vector<std::string> lost;  // ranges the broker deleted although they were needed
  std::map<std::int32_t, std::int64_t> ends;  // per partition: the offset it ended at
};

struct RestoredChangelog {
  std::vector<RestoredTenant> tenants;
  std::vector<ChangelogMerger::Broken> broken;
  ReadStats read;
};

// The partitions' answers, per tenant, for requests at or past the committed offsets.
struct RestoredAnswers {
  std::unordered_map<std::string, std::vector<TenantRecord::Answer>> answers;
  // Per requests partition, the highest request offset among the answers kept.
  std::map<std::int32_t, std::int64_t> answered_through;
  ReadStats read;
};

// Collects answers from decision records: those whose request (headers) is on one of
// `committed`'s partitions at or past its committed offset (-1: all). Pure, like the merger.
class AnswerCollector {
 public:
  explicit AnswerCollector(std::map<std::int32_t, std::int64_t> committed) : committed_(std::move(committed)) {}
  // False if the record carries no request headers (a repeated answer, or foreign).
  bool add(std::string_view tenant, const kafka::Headers& headers, std::string_view decision);
  std::unordered_map<std::string, std::vector<TenantRecord::Answer>> take() { return std::move(answers_); }
  // Per requests partition, the highest request offset among the answers kept.
  const std::map<std::int32_t, std::int64_t>& answered_through() const { return through_; }

 private:
  std::map<std::int32_t, std::int64_t> committed_;
  std::unordered_map<std::string, std::vector<TenantRecord::Answer>> answers_;
  std::map<std::int32_t, std::int64_t> through_;
};

// Each restored tenant as a TenantRecord (its state and its answers), in the form the tenant
// actors start from; a tenant with answers but no durable state yet gets an empty session.
// Errors name an undecodable state (the tenant is left out).
std::vector<std::pair<std::string, std::vector<std::byte>>> restored_records(
    std::vector<RestoredTenant> tenants, std::unordered_map<std::string, std::vector<TenantRecord::Answer>> answers,
    std::vector<std::string>& errors);

// Reads `starts` (partition -> first offset needed; kOffsetBeginning for all) of `topic` to
// its end. `consumer_config`: bootstrap and client properties (a group.id is added if missing;
// no group is joined). `keep_going` is called about every 100 ms (progress hook; false stops
// early). Errors: unknown topic/partition, or a consumer error that persists for `timeout`.
Result<RestoredChangelog> read_changelog(const kafka::Config& consumer_config, const std::string& topic,
                                         const std::map<std::int32_t, std::int64_t>& starts,
                                         const std::function<bool()>& keep_going,
                                         std::chrono::milliseconds timeout = std::chrono::minutes(5));

// Reads decisions partitions `starts` to their end, keeping each decision whose request
// (headers) is on one of `committed`'s partitions at or past its committed offset (-1: all).
Result<RestoredAnswers> read_answers(const kafka::Config& consumer_config, const std::string& topic,
                                     const std::map<std::int32_t, std::int64_t>& starts,
                                     const std::map<std::int32_t, std::int64_t>& committed,
                                     const std::function<bool()>& keep_going,
                                     std::chrono::milliseconds timeout = std::chrono::minutes(5));

}  // namespace hanzo::hmm::daemon
