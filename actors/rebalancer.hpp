// Rebalancer: the consumer group's assignment changes. On assignment it restores the new
// partitions' tenants (changelog states, then the answers decided after them) before their
// first message is dispatched, and detects records the broker lost; on revoke it forgets the
// partitions and their tenants. Called inside librdkafka's rebalance callback, so it never
// waits on an actor: what it tells the actors goes through RebalanceTargets. No CAF.
#pragma once
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <vector>

#include "delivery.hpp"
#include "engine.hpp"
#include "hanzo/hmm/daemon/changelog.hpp"
#include "hanzo/hmm/daemon/notify.hpp"
#include "messages.hpp"
#include "poller.hpp"

namespace hanzo::hmm::actors {

// What the Rebalancer tells others (the tenant manager in the daemon). Mailbox order is
// relied on: both arrive before any item polled after the callback.
struct RebalanceTargets {
  std::function<void(RestoredStates&&)> restored;            // tenants of new partitions
  std::function<void(std::vector<std::int32_t>)> dropped;   // forget these partitions' tenants
};

class Rebalancer {
 public:
  // `stop` cuts a restore short (the partitions then stay held back, uncommitted);
  // `keep_alive` runs often during long restores (watchdog, start timeout, deliveries).
  Rebalancer(const Engine& engine, Poller& poller, Delivery& delivery, const std::atomic<bool>& stop,
             std::function<void()> keep_alive)
      : engine_(engine), poller_(poller), delivery_(delivery), stop_(stop), keep_alive_(std::move(keep_alive)) {}

  void set_targets(RebalanceTargets targets) { targets_ = std::move(targets); }
  // Restores the tenants of the requests/feedback partitions among `assigned`. Until it
  // succeeds, their messages are held back (Poller::hold).
  void restore(const std::vector<kafka::TopicPartition>& assigned);
  // Forgets partitions: their late acknowledgements, restore points and tenants.
  void forget(const std::vector<kafka::TopicPartition>& tps);
  // The requests/feedback partition numbers among `tps`, each once.
  std::vector<std::int32_t> partitions_of(const std::vector<kafka::TopicPartition>& tps) const;

 private:
  // False (and loudly reported) if the broker deleted records the restore needed.
  bool complete(const daemon::RestoredChangelog& states, const daemon::RestoredAnswers& answers);
  std::vector<std::int32_t> answer_partitions(std::int32_t partition) const;

  const Engine& engine_;
  Poller& poller_;
  Delivery& delivery_;
  const std::atomic<bool>& stop_;
  std::function<void()> keep_alive_;
  RebalanceTargets targets_;
};

}  // namespace hanzo::hmm::actors
