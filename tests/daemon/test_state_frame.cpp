// Incremental tenant state: the byte patch, the record frame, chains written by StateWriter and
// merged back, decision placement and the restore point. Expectations come from brute force
// (random states, every pair of partition counts) and hand-built chains.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>

#include "hanzo/hmm/daemon/answer_log.hpp"
#include "hanzo/hmm/daemon/changelog.hpp"
#include "hanzo/hmm/daemon/state_frame.hpp"
#include "hanzo/hmm/daemon/state_patch.hpp"

using namespace hanzo::hmm::daemon;

namespace {

std::vector<std::byte> random_bytes(std::mt19937& rng, std::size_t n) {
  std::vector<std::byte> v(n);
  for (auto& b : v) b = static_cast<std::byte>(rng() & 0xff);
  return v;
}

// `base` with a few runs changed, and maybe grown or shrunk: what one request does to a state.
std::vector<std::byte> edit(std::mt19937& rng, std::vector<std::byte> v) {
  const int runs = static_cast<int>(rng() % 4);
  for (int r = 0; r < runs && !v.empty(); ++r) {
    const std::size_t at = rng() % v.size();
    const std::size_t len = std::min<std::size_t>(1 + rng() % 40, v.size() - at);
    for (std::size_t i = 0; i < len; ++i) v[at + i] = static_cast<std::byte>(rng() & 0xff);
  }
  if (rng() % 4 == 0) v.resize(rng() % 3000);
  return v;
}

std::span<const std::byte> bytes(const std::string& s) { return {reinterpret_cast<const std::byte*>(s.data()), s.size()}; }

}  // namespace

TEST_CASE("state patch: applying the patch of (base, next) to base gives next", "[daemon][changelog]") {
  std::mt19937 rng(42);
  for (int trial = 0; trial < 2000; ++trial) {
    const auto base = random_bytes(rng, rng() % 3000);
    const auto next = trial % 3 == 0 ? random_bytes(rng, rng() % 3000) : edit(rng, base);
    std::string patch;
    make_patch(base, next, patch);
    auto out = apply_patch(base, bytes(patch));
    INFO("trial " << trial << ", base " << base.size() << " B, next " << next.size() << " B");
    REQUIRE(out);
    CHECK(*out == next);
  }
}

TEST_CASE("state patch: a change costs its bytes plus a few, not the state's size", "[daemon][changelog]") {
  std::mt19937 rng(7);
  const auto base = random_bytes(rng, 3000);
  auto next = base;
  auto patch_of = [&] {
    std::string patch;
    make_patch(base, next, patch);
    REQUIRE(*apply_patch(base, bytes(patch)) == next);
    return patch.size();
  };
  CHECK(patch_of() == 2 + 3);  // the size (3000: a 2-byte varint), one copy (2-byte length, offset 0)
  next[1234] ^= std::byte{1};
  next[2000] ^= std::byte{1};
  // Copy 1234, add 1, copy 765, add 1, copy 999: 3 + 2 + 3 + 2 + 3 bytes.
  CHECK(patch_of() == 2 + 13);
  next.resize(3010, std::byte{0});
  CHECK(patch_of() == 2 + 13 + 11);  // the grown tail: one more add of 10 bytes
  // An insertion in the middle shifts everything after it; the patch stays small.
  next = base;
  const std::vector<std::byte> inserted(10, std::byte{0x5a});
  next.insert(next.begin() + 1500, inserted.begin(), inserted.end());
  CHECK(patch_of() <= 2 + 3 + 11 + 4);
  // So does a deletion.
  next = base;
  next.erase(next.begin() + 700, next.begin() + 740);
  CHECK(patch_of() <= 2 + 3 + 4);
}

TEST_CASE("state patch: corrupt patches are errors, never a crash or a write out of bounds", "[daemon][changelog]") {
  std::mt19937 rng(3);
  const auto base = random_bytes(rng, 200);
  auto next = edit(rng, base);
  next.resize(260);
  std::string patch;
  make_patch(base, next, patch);
  // Cut anywhere: either an error, or a state other than `next` (the record's CRC catches it).
  for (std::size_t n = 0; n < patch.size(); ++n) {
    auto out = apply_patch(base, bytes(patch.substr(0, n)));
    if (out) CHECK(*out != next);
  }
  for (int trial = 0; trial < 5000; ++trial) {
    const auto junk = random_bytes(rng, rng() % 64);
    (void)apply_patch(base, junk);  // ASan/UBSan watch this
  }
  std::string huge;
  for (int i = 0; i < 9; ++i) huge.push_back(static_cast<char>(0xff));
  huge.push_back(0x01);
  auto r = apply_patch(base, bytes(huge));
  REQUIRE_FALSE(r);
  CHECK(r.error().to_string().find("not a tenant state") != std::string::npos);
}

TEST_CASE("state frame: round trip, and bad records are named errors", "[daemon][changelog]") {
  const std::vector<std::byte> payload{std::byte{1}, std::byte{2}, std::byte{3}};
  StateFrame f{StateFrame::Kind::delta, 9, 5, 3, 0xdeadbeef, payload};
  std::string value;
  f.encode_into(value);
  auto back = StateFrame::decode(bytes(value));
  REQUIRE(back);
  CHECK(back->kind == StateFrame::Kind::delta);
  CHECK(back->sequence == 9);
  CHECK(back->chain == 5);
  CHECK(back->partition == 3);
  CHECK(back->crc == 0xdeadbeef);
  CHECK(std::vector<std::byte>(back->payload.begin(), back->payload.end()) == payload);
  for (std::size_t n = 0; n < value.size() - payload.size(); ++n) {
    auto r = StateFrame::decode(bytes(value.substr(0, n)));
    REQUIRE_FALSE(r);
    CHECK(r.error().to_string().find("state record") != std::string::npos);
  }
  auto full_with_other_chain = value;
  full_with_other_chain[5] = 0;  // kind full, but chain 5 != sequence 9
  CHECK_FALSE(StateFrame::decode(bytes(full_with_other_chain)));
  auto bad_kind = value;
  bad_kind[5] = 7;
  CHECK_FALSE(StateFrame::decode(bytes(bad_kind)));
  CHECK(state_key("t1", 0) == "t1");
  CHECK(state_key("t1", 12) == std::string("t1\0" "12", 5));
  CHECK(tenant_of_state_key(state_key("t1", 12)) == "t1");
  CHECK(tenant_of_state_key("t1") == "t1");
}

namespace {

struct Written {
  std::string key, value;
  bool full;
};

// A tenant writing `n` states through a StateWriter; returns the records and the states.
std::pair<std::vector<Written>, std::vector<std::vector<std::byte>>> chain(std::uint32_t full_every, int n,
                                                                           std::uint32_t seed) {
  std::mt19937 rng(seed);
  StateWriter w(full_every);
  std::vector<Written> records;
  std::vector<std::vector<std::byte>> states;
  auto state = random_bytes(rng, 1500);
  for (int i = 1; i <= n; ++i) {
    state = edit(rng, state);
    Written r;
    r.full = w.next("t", 2, static_cast<std::uint64_t>(i), state, false, r.key, r.value);
    records.push_back(r);
    states.push_back(state);
  }
  return {records, states};
}

}  // namespace

TEST_CASE("changelog: chains of deltas restore every tenant's newest state", "[daemon][changelog]") {
  for (std::uint32_t k : {1u, 2u, 5u, 64u}) {
    auto [records, states] = chain(k, 40, k);
    // Full records exactly every k-th, the rest small.
    for (std::size_t i = 0; i < records.size(); ++i) CHECK(records[i].full == (i % k == 0));
    for (std::size_t prefix = 1; prefix <= records.size(); ++prefix) {
      ChangelogMerger m;
      for (std::size_t i = 0; i < prefix; ++i) REQUIRE(m.add(records[i].key, bytes(records[i].value), 100 + i));
      auto out = m.finish();
      INFO("k " << k << ", first " << prefix << " records");
      REQUIRE(out.broken.empty());
      REQUIRE(out.tenants.size() == 1);
      CHECK(out.tenants[0].id == "t");
      CHECK(out.tenants[0].state == states[prefix - 1]);
      CHECK(out.tenants[0].sequence == prefix);
      CHECK(out.tenants[0].full_offset == static_cast<std::int64_t>(100 + (prefix - 1) / k * k));
    }
  }
}

TEST_CASE("changelog: a missing record breaks the chain loudly, repeats and stale deltas do not",
          "[daemon][changelog]") {
  auto [records, states] = chain(4, 12, 1);  // fulls at 1, 5, 9
  auto merge = [&](const std::vector<int>& order) {
    ChangelogMerger m;
    for (int i : order) m.add(records[i].key, bytes(records[i].value), i);
    return m.finish();
  };
  // A repeated delivery (the same record twice) changes nothing.
  auto repeated = merge({0, 1, 1, 2, 3, 4, 5});
  REQUIRE(repeated.broken.empty());
  CHECK(repeated.tenants[0].state == states[5]);
  // Delta 3 (index 2) lost.
  auto gap = merge({0, 1, 3});
  REQUIRE(gap.broken.size() == 1);
  CHECK(gap.broken[0].reason.find("delta record 4") != std::string::npos);
  CHECK(gap.tenants.empty());
  // The chain's full record lost (deleted by retention): its deltas follow nothing.
  auto headless = merge({5, 6});
  REQUIRE(headless.broken.size() == 1);
  CHECK(headless.broken[0].reason.find("no full record") != std::string::npos);
  // Compaction keeps an older chain's delta with a higher index before the newer full record.
  auto compacted = merge({3, 4, 5});
  REQUIRE(compacted.broken.empty());
  CHECK(compacted.tenants[0].state == states[5]);
  // A gap healed by a later full record.
  auto healed = merge({0, 2, 4, 5, 6});
  REQUIRE(healed.broken.empty());
  CHECK(healed.tenants[0].state == states[6]);
  // A corrupted payload fails its checksum.
  auto bad = records;
  bad[1].value.back() ^= 0x55;
  ChangelogMerger m;
  m.add(bad[0].key, bytes(bad[0].value), 0);
  m.add(bad[1].key, bytes(bad[1].value), 1);
  auto out = m.finish();
  REQUIRE(out.broken.size() == 1);
  // Not a state record at all.
  ChangelogMerger junk;
  CHECK_FALSE(junk.add("t", bytes(std::string("HZTR....")), 0));
  // ... which breaks the tenant it names, loudly (it would otherwise restore from nothing) ...
  auto lost = junk.finish();
  REQUIRE(lost.broken.size() == 1);
  CHECK(lost.broken[0].id == "t");
  CHECK(lost.broken[0].reason.find("record at offset 0 unreadable") != std::string::npos);
  // ... unless a newer full record of it follows.
  ChangelogMerger superseded;
  CHECK_FALSE(superseded.add(records[0].key, bytes(std::string("junk")), 0));
  REQUIRE(superseded.add(records[0].key, bytes(records[0].value), 1));
  auto fine = superseded.finish();
  CHECK(fine.broken.empty());
  REQUIRE(fine.tenants.size() == 1);
}

TEST_CASE("answer placement: every request partition's answers stay in its own decisions partitions",
          "[daemon][changelog]") {
  for (std::int32_t requests = 1; requests <= 12; ++requests)
    for (std::int32_t decisions = 1; decisions <= 40; ++decisions) {
      std::set<std::int32_t> used;
      for (std::int32_t p = 0; p < requests; ++p) {
        const auto qs = answer_partitions(p, requests, decisions);
        REQUIRE_FALSE(qs.empty());
        for (auto q : qs) {
          CHECK(q >= 0);
          CHECK(q < decisions);
          if (decisions >= requests) CHECK(used.insert(q).second);  // no two request partitions share one
        }
        for (const char* tenant : {"a", "tenant-17", "zz", ""}) {
          const auto q = answer_partition(p, requests, decisions, tenant);
          CHECK(std::find(qs.begin(), qs.end(), q) != qs.end());
        }
      }
      if (decisions >= requests) CHECK(used.size() == static_cast<std::size_t>(decisions));  // none left idle
    }
  CHECK(answer_partitions(3, 8, 8) == std::vector<std::int32_t>{3});
  CHECK(answer_partitions(3, 8, 64) == std::vector<std::int32_t>{3, 11, 19, 27, 35, 43, 51, 59});
  CHECK(answer_partitions(5, 8, 4) == std::vector<std::int32_t>{1});
}

TEST_CASE("restore point: round trip through commit metadata, foreign metadata ignored", "[daemon][changelog]") {
  RestorePoint p;
  p.changelog = 1234;
  p.decisions = {{3, 10}, {11, 0}, {59, 987654321012}};
  const auto text = p.encode();
  CHECK(text == "hzrp1 c=1234 d=3:10,11:0,59:987654321012");
  CHECK(RestorePoint::decode(text) == p);
  RestorePoint empty;
  CHECK(RestorePoint::decode(empty.encode()) == empty);
  for (const char* bad : {"", "hello", "hzrp1 c=x d=", "hzrp1 c=1 d=3", "hzrp1 c=1 d=3:4,", "hzrp2 c=1 d="})
    CHECK_FALSE(RestorePoint::decode(bad));
}
