#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "hanzo/hmm/daemon/record_schedule.hpp"

using hanzo::hmm::daemon::RecordSchedule;
using D = RecordSchedule::Duration;

namespace {

// Walks the slots one by one: the first one later than written + interval / 2.
D brute_next(D phase, D interval, D written) {
  D s = phase;
  while (s > written + interval / 2) s -= interval;
  while (s <= written + interval / 2) s += interval;
  return s;
}

}  // namespace

TEST_CASE("record schedule: the phase is CRC-32 of the tenant id scaled to the interval", "[daemon][schedule]") {
  // CRC-32("123456789") = 0xCBF43926, the standard check value; 0xCBF43926 * 1e9 / 2^32.
  RecordSchedule s("123456789", std::chrono::seconds(1));
  CHECK(s.phase() == D(796695300));
  CHECK(s.next_after(D(0)) == D(796695300));
  CHECK(s.next_after(D(796695300)) == D(1796695300));                 // on its slot: one interval on
  CHECK(s.next_after(D(796695300 + 499999999)) == D(1796695300));     // less than half late: the same
  CHECK(s.next_after(D(796695300 + 500000000)) == D(2796695300));     // half late: the next but one
  CHECK(s.next_after(D(-5000000000)) == D(-4203304700));               // before the clock's epoch too
  // Intervals whose product with the hash overflows 64 bits: 0xCBF43926 * 10 s and * 1 h, / 2^32.
  CHECK(RecordSchedule("123456789", std::chrono::seconds(10)).phase() == D(7966953008));
  CHECK(RecordSchedule("123456789", std::chrono::hours(1)).phase() == D(2868103083036));
}

TEST_CASE("record schedule: the next slot matches a slot-by-slot walk", "[daemon][schedule]") {
  std::mt19937_64 rng(7);
  std::uniform_int_distribution<std::int64_t> interval_ns(1, 10'000'000'000);
  std::uniform_int_distribution<std::int64_t> written_ns(-20'000'000'000, 1'000'000'000'000'000);
  for (int i = 0; i < 20000; ++i) {
    const D interval(i < 100 ? i + 1 : interval_ns(rng));  // the smallest intervals too
    RecordSchedule s("tenant-" + std::to_string(i), interval);
    INFO("interval " << interval.count() << " phase " << s.phase().count());
    REQUIRE(s.phase() >= D(0));
    REQUIRE(s.phase() < interval);
    // Near the slot edges as well as anywhere.
    for (D w : {D(written_ns(rng)), s.phase(), s.phase() + interval / 2, s.phase() + interval / 2 - D(1),
                s.phase() - interval / 2}) {
      INFO("written " << w.count());
      const D next = s.next_after(w);
      // Written far from the origin, the walk starts next to it.
      const D k = (w - s.phase()) / interval * interval;
      REQUIRE(next == brute_next(s.phase() + k, interval, w));
      REQUIRE(next > w + interval / 2);
      REQUIRE(next - interval <= w + interval / 2);
    }
  }
}

TEST_CASE("record schedule: a tenant on its slots writes once per interval", "[daemon][schedule]") {
  const D interval = std::chrono::milliseconds(200);
  RecordSchedule s("acme-7", interval);
  D t = s.next_after(D(123456789));  // its first record was off the grid
  for (int i = 0; i < 1000; ++i) {
    // Woken at the slot, written up to just under half an interval late: the next slot.
    const D late = D((i * 7919) % (interval.count() / 2));
    const D next = s.next_after(t + late);
    REQUIRE(next - t == interval);
    t = next;
  }
}

TEST_CASE("record schedule: tenants held up together do not fall due together again", "[daemon][schedule]") {
  // A stall: 1,000 tenants write their records at the same moment. Their next records are spread
  // over the interval, not one burst.
  const D interval = std::chrono::milliseconds(200);
  const D stall_end = std::chrono::seconds(3600);
  std::map<std::int64_t, int> per_10ms;
  D first = D::max(), last = D::min();
  for (int i = 0; i < 1000; ++i) {
    RecordSchedule s("tenant-" + std::to_string(i), interval);
    const D next = s.next_after(stall_end);
    ++per_10ms[(next - stall_end).count() / 10'000'000];
    first = std::min(first, next);
    last = std::max(last, next);
  }
  CHECK(last - first > interval * 9 / 10);
  // 50 per 10 ms if even; a hash may do worse, not 2x worse.
  for (auto [bucket, n] : per_10ms) {
    INFO("bucket " << bucket);
    CHECK(n < 100);
  }
  CHECK(per_10ms.size() == 20);
}
