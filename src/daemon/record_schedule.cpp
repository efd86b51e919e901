#include "hanzo/hmm/daemon/record_schedule.hpp"

#include <cstdint>
#include <span>

#include "hanzo/hmm/crc32.hpp"

namespace hanzo::hmm::daemon {

RecordSchedule::RecordSchedule(std::string_view tenant, Duration interval) : interval_(interval) {
  const auto bytes = std::as_bytes(std::span(tenant.data(), tenant.size()));
  // The 32-bit hash scaled to the interval, hash * interval / 2^32, so the phases of many tenants
  // cover all of it. In two halves: the product would overflow 64 bits for intervals over a second.
  const std::uint64_t h = crc32(bytes);
  const auto n = static_cast<std::uint64_t>(interval.count());
  phase_ = Duration(static_cast<Duration::rep>(h * (n >> 32) + ((h * (n & 0xffffffffu)) >> 32)));
}

RecordSchedule::Duration RecordSchedule::next_after(Duration written) const {
  // The first slot strictly after written + interval / 2. Slots are phase + k * interval.
  const Duration from = written + interval_ / 2 - phase_;
  Duration::rep k = from.count() / interval_.count();
  if (from.count() < 0 && from.count() % interval_.count() != 0) --k;  // floor for negative values
  return phase_ + interval_ * (k + 1);
}

}  // namespace hanzo::hmm::daemon
