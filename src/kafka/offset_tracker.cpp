#include "hanzo/hmm/kafka/offset_tracker.hpp"

#include <algorithm>
#include <string>

namespace hanzo::hmm::kafka {

Result<void> PartitionOffsets::dispatched(std::int64_t offset) {
  if (offset < 0) return make_error(Errc::invalid_value, "offset", "negative offset " + std::to_string(offset));
  if (last_dispatched_ && offset <= *last_dispatched_)
    return make_error(Errc::invalid_value, "offset",
                      "offset " + std::to_string(offset) + " not after the last dispatched " +
                          std::to_string(*last_dispatched_) + " (reset the partition after a seek)");
  window_.push_back({offset, false});
  last_dispatched_ = offset;
  ++in_flight_;
  return {};
}

bool PartitionOffsets::acknowledged(std::int64_t offset) {
  auto it = std::lower_bound(window_.begin(), window_.end(), offset,
                             [](const Slot& s, std::int64_t o) { return s.offset < o; });
  if (it == window_.end() || it->offset != offset || it->acked) return false;
  it->acked = true;
  --in_flight_;
  // Keep the invariant "front is unacked": the acknowledged prefix no longer matters.
  while (!window_.empty() && window_.front().acked) window_.pop_front();
  return true;
}

std::optional<std::int64_t> PartitionOffsets::committable() const {
  if (!window_.empty()) return window_.front().offset;
  if (last_dispatched_) return *last_dispatched_ + 1;
  return std::nullopt;
}

std::optional<std::int64_t> PartitionOffsets::take_commit() {
  auto c = committable();
  if (!c || (last_taken_ && *c <= *last_taken_)) return std::nullopt;
  last_taken_ = c;
  return c;
}

void PartitionOffsets::commit_failed(std::int64_t offset) {
  if (last_taken_ && *last_taken_ == offset) last_taken_.reset();
}

void PartitionOffsets::reset() { *this = PartitionOffsets{}; }

Result<void> OffsetTracker::dispatched(const TopicPartition& tp, std::int64_t offset) {
  auto r = parts_[tp].dispatched(offset);
  if (r) ++total_in_flight_;
  return r;
}

bool OffsetTracker::acknowledged(const TopicPartition& tp, std::int64_t offset) {
  auto it = parts_.find(tp);
  if (it == parts_.end() || !it->second.acknowledged(offset)) return false;
  --total_in_flight_;
  return true;
}

std::optional<std::int64_t> OffsetTracker::committable(const TopicPartition& tp) const {
  auto it = parts_.find(tp);
  return it == parts_.end() ? std::nullopt : it->second.committable();
}

std::size_t OffsetTracker::in_flight(const TopicPartition& tp) const {
  auto it = parts_.find(tp);
  return it == parts_.end() ? 0 : it->second.in_flight();
}

std::vector<TopicPartitionOffset> OffsetTracker::take_commits() {
  std::vector<TopicPartitionOffset> out;
  for (auto& [tp, part] : parts_)
    if (auto c = part.take_commit()) out.push_back({tp.topic, tp.partition, *c});
  return out;
}

void OffsetTracker::commit_failed(const std::vector<TopicPartitionOffset>& offsets) {
  for (const auto& o : offsets)
    if (auto it = parts_.find({o.topic, o.partition}); it != parts_.end()) it->second.commit_failed(o.offset);
}

void OffsetTracker::remove(const TopicPartition& tp) {
  auto it = parts_.find(tp);
  if (it == parts_.end()) return;
  total_in_flight_ -= it->second.in_flight();
  parts_.erase(it);
}

void OffsetTracker::clear() {
  parts_.clear();
  total_in_flight_ = 0;
}

Result<Backpressure> Backpressure::make(std::size_t high, std::size_t low) {
  if (low >= high)
    return make_error(Errc::invalid_value, "backpressure",
                      "low (" + std::to_string(low) + ") must be below high (" + std::to_string(high) + ")");
  return Backpressure{high, low, false};
}

Backpressure::Action Backpressure::update(std::size_t in_flight) noexcept {
  if (!paused && in_flight >= high) {
    paused = true;
    return Action::pause;
  }
  if (paused && in_flight <= low) {
    paused = false;
    return Action::resume;
  }
  return Action::none;
}

}  // namespace hanzo::hmm::kafka
