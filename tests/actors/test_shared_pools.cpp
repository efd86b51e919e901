// router.shared_base in the daemon: a group's pool learns from every member's feedback and
// moves the other members' decisions; other groups, and the daemon with pools off, are unmoved.
#include "fixture.hpp"
#include "hanzo/hmm/wire/decision.hpp"

using namespace acttest;

namespace {

daemon::DaemonConfig with_pools(bool on) {
  daemon::DaemonConfig c;
  c.engine.router.shared_base = on;
  return c;
}

std::string model_of(const std::string& decision_json) {
  auto d = wire::decode_decision(decision_json);
  REQUIRE(d);
  return d->decision.model;
}

// q0 for seg-2 and other-1; then `failures` failed calls of `model` reported by seg-1; then q1
// for both. Returns each tenant's models in order.
std::map<std::string, std::vector<std::string>> play(Fixture& f, const std::string& model, int failures) {
  IngestBatch first;
  first.tenants.push_back({"seg-2", {TenantItem{1, -1, request("q0")}}});
  first.tenants.push_back({"other-1", {TenantItem{2, -1, request("q0")}}});
  f.send(std::move(first));
  f.run();
  if (failures > 0) {
    IngestBatch fb;
    fb.tenants.push_back({"seg-1", {}});
    for (int i = 0; i < failures; ++i)
      fb.tenants.back().items.push_back(
          TenantItem{100u + static_cast<std::uint64_t>(i), -1, feedback("s1-" + std::to_string(i), model, 0.0, false)});
    f.send(std::move(fb));
    f.run();
  }
  IngestBatch second;
  second.tenants.push_back({"seg-2", {TenantItem{3, -1, request("q1")}}});
  second.tenants.push_back({"other-1", {TenantItem{4, -1, request("q1")}}});
  f.send(std::move(second));
  f.run();
  std::map<std::string, std::vector<std::string>> out;
  for (const auto& [tenant, list] : f.decisions())
    for (const auto& d : list) out[tenant].push_back(model_of(d));
  return out;
}

}  // namespace

TEST_CASE("shared pools: group names, one pool per group, off by default", "[actors][pools]") {
  CHECK(SharedPools::group_of("chat-17", "-") == "chat");
  CHECK(SharedPools::group_of("a-b-c", "-") == "a-b");
  CHECK(SharedPools::group_of("solo", "-") == "solo");
  CHECK(SharedPools::group_of("acme/eu/7", "/") == "acme/eu");
  CHECK(SharedPools::group_of("chat-17", "").empty());
  SharedPools off(false, 12, "-");
  CHECK(off.of("chat-1") == nullptr);
  SharedPools on(true, 12, "-");
  CHECK(on.of("chat-1") == on.of("chat-2"));
  CHECK(on.of("chat-1") != on.of("code-1"));
  for (std::size_t i = 0; on.size() < SharedPools::kMaxPools; ++i) (void)on.of("g" + std::to_string(i) + "-1");
  // Beyond the bound, new groups share the fleet-wide pool instead of growing without limit.
  CHECK(on.of("late-1") == on.of("later-1"));
  CHECK(on.size() == SharedPools::kMaxPools + 1);
  CHECK(daemon::DaemonConfig{}.engine.router.shared_base == false);
}

TEST_CASE("shared pools: a member's failures steer its group, not other groups", "[actors][pools]") {
  // Which model the fresh tenants get: a control run with pools on and no feedback.
  Fixture control(with_pools(true));
  const auto base = play(control, "", 0);
  REQUIRE(base.at("seg-2").size() == 2);
  const std::string usual = base.at("seg-2")[1];
  REQUIRE_FALSE(usual.empty());

  // Pools off: seg-1's reports leave seg-2 alone (its own counts are empty), as before.
  Fixture off(with_pools(false));
  const auto unpooled = play(off, usual, 60);
  Fixture control_off(with_pools(false));
  CHECK(unpooled.at("seg-2") == play(control_off, "", 0).at("seg-2"));

  // Pools on: seg-2 learns from seg-1 that `usual` fails; other-1 is in another group.
  Fixture on(with_pools(true));
  const auto pooled = play(on, usual, 60);
  CHECK(pooled.at("seg-2")[0] == base.at("seg-2")[0]);  // before the reports: as the control
  CHECK(pooled.at("seg-2")[1] != usual);
  CHECK(pooled.at("other-1") == base.at("other-1"));
  CHECK(on.engine->pools->size() == 2);  // "seg" (seg-1, seg-2) and "other"
}
