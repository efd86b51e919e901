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

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/kafka/types.hpp"

namespace hanzo::hmm::daemon {

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
                                         const std::function<bool()>& keep_going,
                                         std::chrono::milliseconds timeout = std::chrono::minutes(5));

}  // namespace hanzo::hmm::daemon
