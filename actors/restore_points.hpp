// Where a restore of a requests partition must start reading (daemon::RestorePoint), kept up
// to date as the daemon works and written into the metadata of each offset commit. No CAF, no
// librdkafka; not thread-safe (the owner locks).
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <string>
#include <unordered_map>

#include "hanzo/hmm/daemon/answer_log.hpp"

namespace hanzo::hmm::actors {

// Per tenant-state partition: the offset of each tenant's chain's full record (a restore needs
// everything from the oldest of them), and the next offset the partition will write.
class ChangelogIndex {
 public:
  // A full record of `tenant` is being produced: until it is durable the tenant still needs its
  // old chain, and a tenant with none needs at most what comes after `next`.
  void full_produced(std::int32_t p, const std::string& tenant);
  // A record of `tenant` is durable at `offset` (`full`: the start of its new chain).
  void delivered(std::int32_t p, const std::string& tenant, bool full, std::int64_t offset);
  // Seeds a partition after a restore: each tenant's full record offset, and the end read.
  void restored(std::int32_t p, const std::string& tenant, std::int64_t full_offset);
  void seen_end(std::int32_t p, std::int64_t end);
  // The lowest offset a restore of `p` needs (-1: unknown).
  std::int64_t floor(std::int32_t p) const;
  void forget(std::int32_t p) { parts_.erase(p); }

 private:
  struct Part {
    std::unordered_map<std::string, std::int64_t> full_at;
    std::map<std::int64_t, std::uint32_t> offsets;  // multiset of full_at's values
    std::int64_t next{-1};
  };
  void set(Part& part, const std::string& tenant, std::int64_t offset);
  std::map<std::int32_t, Part> parts_;
};

// Per requests partition: the decisions partitions' next offsets when each poll round began
// dispatching it, so a commit at offset C can name an offset at or below the first answer to
// every request at or past C. Answers to requests first dispatched later come later; but a
// request answered before a restore has its first answer behind the restore's own floors, so
// those floors hold until dispatching passes the last request answered before.
class DecisionFloors {
 public:
  using Floors = std::map<std::int32_t, std::int64_t>;  // decisions partition -> offset
  // After a restore of `p`: the committed offset and the floors the restore read from, and the
  // highest request offset whose first answer it found (-1: none).
  void restored(std::int32_t p, std::int64_t committed, Floors floors, std::int64_t answered_through);
  // A round starts dispatching requests partition `p` at `offset` with these floors.
  void round(std::int32_t p, std::int64_t offset, Floors floors);
  // The floors for a commit of `p` at `committed`; drops what no later commit needs.
  Floors at(std::int32_t p, std::int64_t committed);
  void forget(std::int32_t p) { parts_.erase(p); }

 private:
  struct Part {
    std::deque<std::pair<std::int64_t, Floors>> rounds;
    std::int64_t answered_through{-1};  // rounds starting at or below it keep the older floors
  };
  std::map<std::int32_t, Part> parts_;
};

}  // namespace hanzo::hmm::actors
