// Reading the tenant-state changelog back (issue 5, section 2): on assignment, an instance
// reads its new partitions from the beginning to their end and keeps, per tenant, the record
// with the highest sequence (the mock cluster does not compact, and a retried produce may land
// after a newer record). No CAF: the ingest thread calls it inside the rebalance callback.
#pragma once
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <map>
#include <span>
#include <unordered_map>

#include "hanzo/hmm/daemon/tenant_record.hpp"
#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/kafka/types.hpp"

namespace hanzo::hmm::daemon {

// Folds changelog records (in offset order) into one record per tenant: the state of the
// highest sequence, carrying every answer of any of the tenant's records whose offset is at or
// past the group's committed offset on its partition (what Kafka may still redeliver). Pure:
// read_changelog feeds it from Kafka, tests feed it directly.
class ChangelogMerger {
 public:
  // `committed`: partition -> the group's next offset to read (absent: keep every answer).
  explicit ChangelogMerger(std::map<std::int32_t, std::int64_t> committed = {}) : committed_(std::move(committed)) {}
  // False if `bytes` is not a tenant record (skipped).
  bool add(const std::string& tenant, std::span<const std::byte> bytes);
  std::vector<std::pair<std::string, std::vector<std::byte>>> finish();

 private:
  struct Tenant {
    std::uint64_t sequence{0};
    bool seen{false};
    TenantRecord newest;
    std::vector<TenantRecord::Answer> answers;
  };
  std::map<std::int32_t, std::int64_t> committed_;
  std::unordered_map<std::string, Tenant> tenants_;
};

struct RestoredChangelog {
  std::vector<std::pair<std::string, std::vector<std::byte>>> states;  // tenant → newest record
  std::size_t records{0};   // records read
  std::size_t bytes{0};     // their value bytes
  std::size_t skipped{0};   // not tenant records (no key, tombstone, foreign bytes)
  bool complete{true};      // false: `keep_going` said stop before every partition's end
};

// `consumer_config`: bootstrap and client properties (a group.id is added if missing; no group
// is joined). `keep_going` is called about every 100 ms (progress hook; false stops early).
// Errors: unknown topic/partition, or a consumer error that persists for `timeout`.
Result<RestoredChangelog> read_changelog(const kafka::Config& consumer_config, const std::string& topic,
                                         const std::vector<std::int32_t>& partitions,
                                         std::map<std::int32_t, std::int64_t> committed,
                                         const std::function<bool()>& keep_going,
                                         std::chrono::milliseconds timeout = std::chrono::minutes(5));

}  // namespace hanzo::hmm::daemon
