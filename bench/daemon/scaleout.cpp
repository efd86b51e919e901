// hanzo-scaleout-bench: throughput with one and with two hanzo-hmmd
// instances in one consumer group, on this machine, same run. A mock cluster in this process is
// pre-filled with N requests over 1,000 tenants; the instances (subprocesses) start together;
// decisions are read live. The rate is taken between 10% and 90% of the decisions, after the
// group has settled. Usage: hanzo-scaleout-bench HANZO_HMMD [--messages N (100000)].
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <iostream>

#include "fault_harness.hpp"

using namespace hanzo;
using namespace hanzo::faults;
using Clock = std::chrono::steady_clock;

namespace {

double run(const std::string& binary, std::size_t instances, std::size_t n) {
  const hmm::daemon::DaemonConfig defaults;
  const auto& topics = defaults.topics;
  auto cluster = hmm::kafka::MockCluster::create(1);
  if (!cluster) fail(cluster.error().to_string());
  create_topics(*cluster, topics);
  const std::string bootstrap = cluster->bootstrap_servers();
  char tmpl[] = "/tmp/hanzo-scaleout-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  const std::string config = write_config(dir, bootstrap);
  hmm::loadgen::GeneratorOptions go;
  go.run_id = "scale";
  go.tenants = 1000;
  auto gen = hmm::loadgen::Generator::create(go, defaults.engine);
  if (!gen) fail(gen.error().to_string());
  Sender sender(bootstrap);
  for (std::size_t i = 0; i < n; ++i) {
    const auto r = gen->request_record(i);
    sender.send(topics.requests, r.key, r.value);
  }
  sender.flush();
  DecisionLog decisions(bootstrap, topics.decisions);
  std::vector<std::unique_ptr<DaemonProcess>> daemons;
  for (std::size_t k = 0; k < instances; ++k) {
    daemons.push_back(std::make_unique<DaemonProcess>(binary, config, dir + "/d" + std::to_string(k) + ".log"));
    daemons.back()->start();
  }
  if (!decisions.wait_decided(n / 10, std::chrono::seconds(600))) fail("10% not reached");
  const auto t0 = Clock::now();
  const std::size_t d0 = decisions.decided();
  if (!decisions.wait_decided(n * 9 / 10, std::chrono::seconds(600))) fail("90% not reached");
  const double rate = static_cast<double>(decisions.decided() - d0) / std::chrono::duration<double>(Clock::now() - t0).count();
  for (auto& d : daemons) d->terminate();
  std::filesystem::remove_all(dir);
  return rate;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: hanzo-scaleout-bench HANZO_HMMD [--messages N]\n";
    return 2;
  }
  std::size_t n = 100000;
  for (int i = 2; i + 1 < argc; i += 2)
    if (std::strcmp(argv[i], "--messages") == 0) n = std::strtoull(argv[i + 1], nullptr, 10);
  const double one = run(argv[1], 1, n);
  std::cerr << "one instance: " << one << " decisions/s" << std::endl;
  const double two = run(argv[1], 2, n);
  std::cerr << "two instances: " << two << " decisions/s" << std::endl;
  std::printf("one instance %.0f decisions/s, two instances %.0f decisions/s: %.2fx (2 vCPU shared by both)\n", one,
              two, two / one);
  std::printf("{\"bench\":\"scaleout\",\"messages\":%zu,\"one_instance_per_s\":%.0f,\"two_instances_per_s\":%.0f,"
              "\"ratio\":%.2f}\n",
              n, one, two, two / one);
  return 0;
}
