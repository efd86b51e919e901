#include "restore_points.hpp"

#include <algorithm>

namespace hanzo::hmm::actors {

void ChangelogIndex::set(Part& part, const std::string& tenant, std::int64_t offset) {
  auto [it, fresh] = part.full_at.try_emplace(tenant, offset);
  if (!fresh) {
    if (it->second == offset) return;
    if (auto o = part.offsets.find(it->second); o != part.offsets.end() && --o->second == 0) part.offsets.erase(o);
    it->second = offset;
  }
  ++part.offsets[offset];
}

void ChangelogIndex::full_produced(std::int32_t p, const std::string& tenant) {
  auto& part = parts_[p];
  if (!part.full_at.count(tenant)) set(part, tenant, std::max<std::int64_t>(part.next, 0));
}

void ChangelogIndex::delivered(std::int32_t p, const std::string& tenant, bool full, std::int64_t offset) {
  auto& part = parts_[p];
  part.next = std::max(part.next, offset + 1);
  if (full) set(part, tenant, offset);
}

void ChangelogIndex::restored(std::int32_t p, const std::string& tenant, std::int64_t full_offset) {
  set(parts_[p], tenant, full_offset);
}

void ChangelogIndex::seen_end(std::int32_t p, std::int64_t end) {
  auto& part = parts_[p];
  part.next = std::max(part.next, end);
}

std::int64_t ChangelogIndex::floor(std::int32_t p) const {
  auto it = parts_.find(p);
  if (it == parts_.end()) return -1;
  const auto& part = it->second;
  if (part.offsets.empty()) return part.next;
  return part.next < 0 ? part.offsets.begin()->first : std::min(part.offsets.begin()->first, part.next);
}

void DecisionFloors::restored(std::int32_t p, std::int64_t committed, Floors floors, std::int64_t answered_through) {
  auto& part = parts_[p];
  part.rounds.clear();
  part.rounds.emplace_back(committed, std::move(floors));
  part.answered_through = answered_through;
}

void DecisionFloors::round(std::int32_t p, std::int64_t offset, Floors floors) {
  auto& part = parts_[p];
  auto& rounds = part.rounds;
  if (offset <= part.answered_through) return;  // its requests' first answers may predate `floors`
  if (!rounds.empty() && (rounds.back().second == floors || rounds.back().first >= offset)) return;
  rounds.emplace_back(offset, std::move(floors));
}

DecisionFloors::Floors DecisionFloors::at(std::int32_t p, std::int64_t committed) {
  auto it = parts_.find(p);
  if (it == parts_.end() || it->second.rounds.empty()) return {};
  auto& rounds = it->second.rounds;
  while (rounds.size() >= 2 && rounds[1].first <= committed) rounds.pop_front();
  return rounds.front().second;
}

}  // namespace hanzo::hmm::actors
