// External clients (kcat, kafka-python) read what our producer wrote to the mock cluster: the
// embedded cluster must serve users' own tools, not only librdkafka inside this process.
#include <cstdio>
#include <filesystem>
#include <set>

#include "cluster_fixture.hpp"
#include "missing_tool.hpp"

using namespace kafka_test;

namespace {

// Runs a shell command, returns its stdout and exit status.
std::pair<std::string, int> run(const std::string& command) {
  std::string out;
  FILE* f = ::popen(command.c_str(), "r");
  if (!f) return {out, -1};
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
  return {out, ::pclose(f)};
}

std::set<std::string> lines(const std::string& text) {
  std::set<std::string> out;
  std::size_t start = 0;
  for (std::size_t nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1)
    if (nl > start) out.insert(text.substr(start, nl - start));
  return out;
}

const std::set<std::string> expected = {"t0=v0", "t1=v1", "t2=v2", "t3=v3", "t4=v4"};

MockCluster cluster_with_data() {
  auto cluster = MockCluster::create().value();
  REQUIRE(cluster.create_topic("ext", 2, 1));
  std::vector<Record> records;
  for (int i = 0; i < 5; ++i)
    records.push_back({"ext", "t" + std::to_string(i), "v" + std::to_string(i), {{"h", "x"}}, -1});
  for (const auto& r : produce_all(cluster, records)) REQUIRE(r.result);
  return cluster;
}

}  // namespace

TEST_CASE("external: kcat reads what the producer wrote", "[kafka][cluster][external]") {
  if (!hanzo_test::tool_present(std::filesystem::exists("/usr/bin/kcat"), "/usr/bin/kcat is not installed (apt-get install kcat)"))
    return;
  auto cluster = cluster_with_data();
  const auto [out, status] = run("timeout 30 /usr/bin/kcat -q -b " + cluster.bootstrap_servers() +
                                 " -C -t ext -c 5 -e -f '%k=%s\\n'");
  INFO(out);
  CHECK(status == 0);
  CHECK(lines(out) == expected);
}

TEST_CASE("external: kafka-python reads what the producer wrote", "[kafka][cluster][external]") {
  if (!hanzo_test::tool_present(run("/usr/bin/python3 -c 'import kafka' 2>/dev/null").second == 0,
                                 "/usr/bin/python3 has no kafka module (apt-get install python3-kafka)"))
    return;
  auto cluster = cluster_with_data();
  const std::string script =
      "import sys\n"
      "from kafka import KafkaConsumer\n"
      "c = KafkaConsumer('ext', bootstrap_servers=sys.argv[1], auto_offset_reset='earliest',\n"
      "                  enable_auto_commit=False, consumer_timeout_ms=15000)\n"
      "n = 0\n"
      "for m in c:\n"
      "    print(m.key.decode() + '=' + m.value.decode()); n += 1\n"
      "    if n == 5: break\n"
      "c.close()\n";
  const auto [out, status] =
      run("timeout 60 /usr/bin/python3 -c \"" + script + "\" " + cluster.bootstrap_servers() + " 2>&1");
  INFO(out);
  CHECK(status == 0);
  CHECK(lines(out) == expected);
}
