// hanzo-restore-bench: restore time per 100,000 tenants and changelog bytes
// per tenant. A mock cluster in this process gets one changelog record per tenant, as the daemon
// writes it after a tenant's first request (checkpointed state, adapter progress, the request's
// answer; lz4 like the daemon's changelog producer) on a 64-partition topic (the mock keeps only
// 5 MiB per partition). Then, in the same run:
//   baseline: a plain consumer reads every partition to its end (no decoding);
//   restore:  daemon::read_changelog, what an instance does on assignment (decode, keep the
//             newest record per tenant, merge answers, re-encode).
// Reports both times and their ratio; the last line is one JSON object.
//   usage: hanzo-restore-bench [--tenants N (100000)]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>

#include "hanzo/hmm/daemon/changelog.hpp"
#include "hanzo/hmm/daemon/state_frame.hpp"
#include "hanzo/hmm/daemon/config.hpp"
#include "hanzo/hmm/daemon/tenant_record.hpp"
#include "hanzo/hmm/kafka/consumer.hpp"
#include "hanzo/hmm/kafka/mock_cluster.hpp"
#include "hanzo/hmm/kafka/producer.hpp"
#include "hanzo/hmm/loadgen/generator.hpp"
#include "hanzo/hmm/mm/market_maker.hpp"
#include "hanzo/hmm/wire/decision.hpp"

namespace {

using Clock = std::chrono::steady_clock;
namespace hmm = hanzo::hmm;
constexpr int kPartitions = 64;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "hanzo-restore-bench: %s\n", what.c_str());
  std::exit(1);
}

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

}  // namespace

int main(int argc, char** argv) {
  std::size_t tenants = 100000;
  for (int i = 1; i + 1 < argc; i += 2)
    if (std::strcmp(argv[i], "--tenants") == 0) tenants = std::strtoull(argv[i + 1], nullptr, 10);
  if (tenants == 0) die("--tenants must be positive");
  const hmm::daemon::DaemonConfig config;
  const std::string topic = config.topics.tenant_state;
  auto cluster = hmm::kafka::MockCluster::create(1);
  if (!cluster) die(cluster.error().to_string());
  if (auto ok = cluster->create_topic(topic, kPartitions); !ok) die(ok.error().to_string());
  const std::string bootstrap = cluster->bootstrap_servers();

  // One record per tenant: its state after one routed request.
  hmm::loadgen::GeneratorOptions go;
  go.run_id = "restore";
  go.tenants = tenants;
  go.tenant_skew = 1.0;
  auto gen = hmm::loadgen::Generator::create(go, config.engine);
  auto mm = hmm::mm::MarketMaker::create(config.engine);
  if (!gen || !mm) die("engine");
  auto producer = hmm::kafka::Producer::create(
      {{"bootstrap.servers", bootstrap}, {"compression.type", "lz4"}, {"linger.ms", "5"}, {"message.max.bytes", "2000000"}},
      [](const hmm::kafka::DeliveryReport& r) {
        if (!r.result) die("produce: " + r.result.error().to_string());
      });
  if (!producer) die(producer.error().to_string());
  // Each tenant's chain as the daemon writes it: a full record after its first request, a
  // delta after its second.
  std::size_t value_bytes = 0, records = 0;
  auto send = [&](const std::string& key, const std::string& value, std::int32_t partition) {
    hmm::kafka::Record r{topic, key, value, {}, partition, false};
    value_bytes += value.size();
    ++records;
    while (true) {
      auto ok = producer->produce(r);
      if (ok) break;
      if (!hmm::kafka::is_queue_full(ok.error())) die(ok.error().to_string());
      producer->poll(std::chrono::milliseconds(5));
    }
  };
  for (std::size_t t = 0; t < tenants; ++t) {
    const std::string tenant = "tenant-" + std::to_string(t);
    hmm::daemon::StateWriter writer(64);
    hmm::daemon::TenantRecord rec;
    rec.partition = static_cast<std::int32_t>(t % kPartitions);
    for (std::size_t i = 0; i < 2; ++i) {
      auto msg = gen->request(2 * t + i);
      if (auto d = mm->route_request(tenant, msg.request); !d) die(d.error().to_string());
      auto snap = mm->snapshot_tenant(tenant);
      auto session = hmm::mm::TenantSession::restore(mm->tenant_context(), mm->router(), *snap);
      if (!session) die(session.error().to_string());
      auto cp = session->checkpoint();
      ++rec.sequence;
      rec.requests_through = static_cast<std::int64_t>(2 * (t / kPartitions) + i);
      rec.session = std::move(cp.state);
      rec.progress = std::move(cp.progress);
      std::string key, value;
      writer.next(tenant, rec.partition, rec.sequence, rec.encode(), false, key, value);
      send(key, value, rec.partition);
    }
  }
  if (auto ok = producer->flush(std::chrono::seconds(120)); !ok) die(ok.error().to_string());
  std::fprintf(stderr, "hanzo-restore-bench: %zu tenant records produced\n", tenants);

  std::vector<std::int32_t> parts;
  std::map<std::int32_t, std::int64_t> starts;
  for (int p = 0; p < kPartitions; ++p) parts.push_back(p), starts[p] = hmm::kafka::Consumer::kOffsetBeginning;
  // Baseline: read everything, decode nothing.
  auto t0 = Clock::now();
  std::size_t raw_records = 0;
  {
    auto c = hmm::kafka::Consumer::create({{"bootstrap.servers", bootstrap}, {"group.id", "raw"}, {"enable.partition.eof", "true"}});
    if (!c) die(c.error().to_string());
    std::vector<hmm::kafka::TopicPartitionOffset> all;
    for (auto p : parts) all.push_back({topic, p, hmm::kafka::Consumer::kOffsetBeginning});
    if (auto ok = c->assign(all); !ok) die(ok.error().to_string());
    std::set<std::int32_t> open(parts.begin(), parts.end());
    while (!open.empty()) {
      auto m = c->poll(std::chrono::milliseconds(100));
      if (!m || !*m) continue;
      if ((*m)->end_of_partition) open.erase((*m)->partition);
      else ++raw_records;
    }
  }
  const double raw_s = seconds_since(t0);
  t0 = Clock::now();
  auto restored = hmm::daemon::read_changelog({{"bootstrap.servers", bootstrap}}, topic, starts, nullptr);
  const double restore_s = seconds_since(t0);
  if (!restored) die(restored.error().to_string());
  if (restored->tenants.size() != tenants || raw_records != records || !restored->broken.empty())
    die("read " + std::to_string(raw_records) + " raw, restored " + std::to_string(restored->tenants.size()) + " of " +
        std::to_string(tenants) + ", " + std::to_string(restored->broken.size()) + " broken (mock retention?)");
  const double per_100k = restore_s * 100000.0 / static_cast<double>(tenants);
  std::printf("tenants %zu: changelog %.0f bytes per tenant (a full record and a delta); read alone %.2f s, "
              "restore %.2f s (%.2fx the plain read); %.2f s per 100,000 tenants\n",
              tenants, static_cast<double>(value_bytes) / tenants, raw_s, restore_s, restore_s / raw_s, per_100k);
  std::printf("{\"bench\":\"restore\",\"tenants\":%zu,\"bytes_per_tenant\":%.0f,"
              "\"raw_read_s\":%.3f,\"restore_s\":%.3f,\"ratio_to_raw_read\":%.2f,\"restore_s_per_100k_tenants\":%.3f}\n",
              tenants, static_cast<double>(value_bytes) / tenants, raw_s, restore_s, restore_s / raw_s, per_100k);
  return 0;
}
