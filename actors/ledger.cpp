#include "ledger.hpp"

#include <thread>

#include "hanzo/hmm/daemon/metrics.hpp"
#include "log.hpp"

namespace hanzo::hmm::actors {

namespace {
constexpr int kOffsetBits = 48;
constexpr std::uint64_t kOffsetMask = (std::uint64_t{1} << kOffsetBits) - 1;
}  // namespace

Result<std::uint64_t> Ledger::dispatch(const kafka::TopicPartition& tp, std::int64_t offset) {
  if (offset < 0 || static_cast<std::uint64_t>(offset) > kOffsetMask)
    return make_error(Errc::invalid_value, tp.topic, "offset " + std::to_string(offset) + " out of range");
  auto it = slot_of_.find(tp);
  if (it == slot_of_.end()) {
    if (slots_.size() >= 0x8000) return make_error(Errc::invalid_value, tp.topic, "more than 32768 partitions");
    it = slot_of_.emplace(tp, static_cast<std::uint16_t>(slots_.size())).first;
    slots_.push_back(tp);
  }
  if (auto ok = tracker_.dispatched(tp, offset); !ok) return std::move(ok).error();
  return (std::uint64_t{it->second} << kOffsetBits) | static_cast<std::uint64_t>(offset);
}

void Ledger::acknowledge(std::uint64_t token) {
  ++acks_;
  const auto slot = token >> kOffsetBits;
  if (slot >= slots_.size()) return;
  tracker_.acknowledged(slots_[slot], static_cast<std::int64_t>(token & kOffsetMask));
}

void KafkaSink::produce(kafka::Record record, std::uint64_t token) {
  // The in-flight bound (daemon.max_in_flight) keeps the queue below its limit; a full queue
  // means deliveries are stuck, so wait for room rather than drop a result.
  for (int attempt = 0;; ++attempt) {
    auto ok = (record.topic == changelog_topic_ ? changelog_ : producer_).produce(record, token);
    if (ok) return;
    if (transactional_ && !kafka::is_queue_full(ok.error()) && !kafka::is_too_large(ok.error())) {
      log_warning("produce to " + record.topic + " refused (" + ok.error().to_string() + "); the transaction is aborted");
      return discard(token);
    }
    if (kafka::is_too_large(ok.error()) && !record.value.empty()) {
      // Only a DLQ record can be this large (it carries the bad input unchanged). Rather than
      // hold the stream, send it without the value and say so: key, headers and offsets still
      // point at the original.
      log_error("record for " + record.topic + " too large (" + std::to_string(record.value.size()) +
                " bytes); sending it without its value");
      record.headers.push_back({"hanzo.error.value_dropped", std::to_string(record.value.size()) + " bytes"});
      record.value.clear();
      continue;
    }
    if (!kafka::is_queue_full(ok.error())) {
      if (attempt >= 20) {
        // Not transient (e.g. the topic does not exist). The message stays unacknowledged, so
        // its offset is never committed and a restart processes it again: held, not lost.
        log_error("produce to " + record.topic + " failed for good: " + ok.error().to_string() +
                  "; its input will be redelivered after a restart");
        return;
      }
    } else if (attempt == 0) {
      log_warning("producer queue full; waiting for deliveries");
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(attempt < 10 ? 1 : 100));
  }
}

void KafkaSink::done(std::uint64_t token) {
  std::lock_guard lock(mutex_);
  done_.push_back(token);
}

void KafkaSink::produce_after(kafka::Record state, std::vector<std::pair<kafka::Record, std::uint64_t>> then,
                              std::vector<std::uint64_t> done, std::function<void()> durable) {
  std::uint64_t token;
  {
    std::lock_guard lock(mutex_);
    token = (std::uint64_t{1} << 63) | next_state_++;
    waiting_.emplace(token, Waiting{std::move(then), std::move(done), std::move(durable), std::chrono::steady_clock::now()});
  }
  produce(std::move(state), token);
}

void KafkaSink::state_delivered(std::uint64_t token) {
  std::function<void()> durable;
  std::chrono::steady_clock::time_point produced;
  {
    std::lock_guard lock(mutex_);
    auto it = waiting_.find(token);
    if (it == waiting_.end()) return;
    produced = it->second.produced;
    for (auto& r : it->second.then) ready_.push_back(std::move(r));
    done_.insert(done_.end(), it->second.done.begin(), it->second.done.end());
    durable = std::move(it->second.durable);
    waiting_.erase(it);
  }
  // Outside the lock, which actor threads producing state records wait on.
  if (metrics_) metrics_->state_write(std::chrono::duration<double>(std::chrono::steady_clock::now() - produced).count());
  if (durable) durable();  // it messages an actor
}

void KafkaSink::discard(std::uint64_t token) {
  doomed_.store(true, std::memory_order_relaxed);
  std::lock_guard lock(mutex_);
  if (!is_state_token(token)) return done_.push_back(token);
  auto it = waiting_.find(token);
  if (it == waiting_.end()) return;
  for (const auto& r : it->second.then) done_.push_back(r.second);
  done_.insert(done_.end(), it->second.done.begin(), it->second.done.end());
  waiting_.erase(it);
}

void KafkaSink::drop_pending() {
  std::lock_guard lock(mutex_);
  waiting_.clear();
  ready_.clear();
}

std::vector<std::pair<kafka::Record, std::uint64_t>> KafkaSink::take_ready() {
  std::vector<std::pair<kafka::Record, std::uint64_t>> out;
  std::lock_guard lock(mutex_);
  out.swap(ready_);
  return out;
}

std::size_t KafkaSink::states_pending() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

std::vector<std::uint64_t> KafkaSink::take_done() {
  std::vector<std::uint64_t> out;
  std::lock_guard lock(mutex_);
  out.swap(done_);
  return out;
}

}  // namespace hanzo::hmm::actors
