#include "ledger.hpp"

#include <thread>

#include "hanzo/hmm/daemon/metrics.hpp"
#include "hanzo/hmm/kafka/dlq.hpp"
#include "hanzo/hmm/daemon/state_frame.hpp"
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
    if (slots_.size() >= 0x4000) return make_error(Errc::invalid_value, tp.topic, "more than 16384 partitions");
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

void KafkaSink::produce(kafka::Record record, std::uint64_t token) { send(record, token); }

void KafkaSink::send(const kafka::Record& record, std::uint64_t token) {
  // The in-flight bound (daemon.max_in_flight) keeps the queue below its limit; a full queue
  // means deliveries are stuck, so wait for room rather than drop a result.
  auto& producer = kind(token) == Kind::state ? changelog_ : producer_;
  for (int attempt = 0;; ++attempt) {
    auto ok = producer.produce(record, token);
    if (ok) return;
    if (transactional_ && !kafka::is_queue_full(ok.error()) && !kafka::is_too_large(ok.error())) {
      log_warning("produce to " + record.topic + " refused (" + ok.error().to_string() + "); the transaction is aborted");
      return discard(token);
    }
    if (kafka::is_too_large(ok.error())) {
      kafka::Record smaller = record;  // rare: the caller's record stays as it was
      if (kafka::drop_value(smaller)) {
        log_error("record for " + record.topic + " too large for the producer (" + std::to_string(record.value.size()) +
                  " bytes); sending it without its value");
        return send(smaller, token);
      }
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

void KafkaSink::produce_decision(const kafka::Record& record, WriteGate& gate) {
  if (metrics_ && record.input_timestamp_ms >= 0)
    metrics_->request_latency(static_cast<double>(now_ms() - record.input_timestamp_ms) / 1000.0);
  gate.retain();  // released when its delivery report is served
  send(record, (std::uint64_t{1} << 62) | reinterpret_cast<std::uintptr_t>(&gate));
}

void KafkaSink::produce_state(kafka::Record state, std::vector<std::uint64_t> covered, WriteGate& gate, bool full) {
  std::uint64_t token;
  gate.retain();
  {
    std::lock_guard lock(mutex_);
    token = (std::uint64_t{1} << 63) | next_state_++;
    std::string tenant(daemon::tenant_of_state_key(state.key ? *state.key : std::string()));
    if (full) index_.full_produced(state.partition, tenant);
    waiting_.emplace(token, Waiting{std::move(covered), &gate, std::move(tenant), state.partition, full,
                                    std::chrono::steady_clock::now()});
  }
  send(state, token);
}

void KafkaSink::delivered(const kafka::DeliveryReport& r) {
  if (kind(r.token) == Kind::decision) {
    WriteGate* gate = gate_of(r.token);
    {
      std::lock_guard lock(mutex_);
      auto& next = decisions_next_[r.partition];
      next = std::max(next, r.offset + 1);
    }
    gate->decision_acked();  // may message the tenant
    WriteGate::release(gate);
    return;
  }
  Waiting w;
  {
    std::lock_guard lock(mutex_);
    auto it = waiting_.find(r.token);
    if (it == waiting_.end()) return;
    w = std::move(it->second);
    waiting_.erase(it);
    done_.insert(done_.end(), w.covered.begin(), w.covered.end());
    if (r.offset >= 0) index_.delivered(r.partition, w.tenant, w.full, r.offset);
  }
  // Outside the lock, which actor threads producing records wait on.
  if (metrics_) metrics_->state_write(std::chrono::duration<double>(std::chrono::steady_clock::now() - w.produced).count());
  w.gate->state_acked();  // may message the tenant
  WriteGate::release(w.gate);
}

void KafkaSink::discard(std::uint64_t token) {
  doomed_.store(true, std::memory_order_relaxed);
  if (kind(token) == Kind::decision) return WriteGate::release(gate_of(token));
  std::lock_guard lock(mutex_);
  if (kind(token) == Kind::input) return done_.push_back(token);
  auto it = waiting_.find(token);
  if (it == waiting_.end()) return;
  done_.insert(done_.end(), it->second.covered.begin(), it->second.covered.end());
  WriteGate::release(it->second.gate);
  waiting_.erase(it);
}

void KafkaSink::drop_pending() {
  std::lock_guard lock(mutex_);
  for (auto& [token, w] : waiting_) WriteGate::release(w.gate);
  waiting_.clear();
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

DecisionFloors::Floors KafkaSink::decision_floors(const std::vector<std::int32_t>& partitions) const {
  DecisionFloors::Floors out;
  std::lock_guard lock(mutex_);
  for (auto q : partitions)
    if (auto it = decisions_next_.find(q); it != decisions_next_.end()) out[q] = it->second;
  return out;
}

std::int64_t KafkaSink::changelog_floor(std::int32_t partition) const {
  std::lock_guard lock(mutex_);
  return index_.floor(partition);
}

void KafkaSink::seed_decisions(std::int32_t q, std::int64_t end) {
  std::lock_guard lock(mutex_);
  auto& next = decisions_next_[q];
  next = std::max(next, end);
}

}  // namespace hanzo::hmm::actors
