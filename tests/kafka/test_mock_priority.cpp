// MockCluster::set_nice: the embedded broker's thread, and only it, gets the nice value asked for.
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <unistd.h>

#include "hanzo/hmm/kafka/mock_cluster.hpp"

namespace {

// name -> nice of every thread of this process whose name starts with `prefix`.
std::vector<std::pair<std::string, int>> thread_nices(const std::string& prefix) {
  std::vector<std::pair<std::string, int>> out;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(entry.path() / "comm");
    std::string name;
    if (!std::getline(comm, name) || !name.starts_with(prefix)) continue;
    errno = 0;
    const int nice = getpriority(PRIO_PROCESS, static_cast<id_t>(std::stoi(entry.path().filename())));
    REQUIRE(errno == 0);
    out.emplace_back(name, nice);
  }
  return out;
}

}  // namespace

TEST_CASE("mock cluster: set_nice changes the cluster's event-loop thread only", "[kafka][cluster]") {
  const int own = getpriority(PRIO_PROCESS, 0);
  auto first = hanzo::hmm::kafka::MockCluster::create(1);
  REQUIRE(first);
  auto second = hanzo::hmm::kafka::MockCluster::create(1);
  REQUIRE(second);
  REQUIRE(thread_nices("rdk:mock").size() == 2);

  // Raising a nice value needs no privilege, so the test runs as any user.
  auto changed = second->set_nice(own + 5);
  REQUIRE(changed);
  CHECK(*changed == 1);
  std::multiset<int> nices;
  for (const auto& [name, nice] : thread_nices("rdk:mock")) nices.insert(nice);
  CHECK(nices == std::multiset<int>{own, own + 5});  // the first cluster's thread is untouched
  CHECK(getpriority(PRIO_PROCESS, 0) == own);  // and so is the calling thread

  // Lowering it back below the start value needs CAP_SYS_NICE: an error value naming the cause.
  if (geteuid() != 0) {
    auto lowered = second->set_nice(own - 1);
    REQUIRE_FALSE(lowered);
    CHECK_THAT(lowered.error().to_string(), Catch::Contains("mock cluster") && Catch::Contains("nice"));
  }
}
