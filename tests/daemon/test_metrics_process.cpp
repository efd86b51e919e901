// The process_* metrics in the scrape, checked against what the test itself does to the process
// (descriptors opened, memory touched, a soft limit set, a child forked between two clock
// readings) and against getrusage(2), a different kernel interface from /proc/self.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <ctime>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "hanzo/hmm/daemon/metrics.hpp"

using namespace hanzo::hmm::daemon;

namespace {

// Unlabelled samples of the scrape, by name.
std::map<std::string, double> samples(const Metrics& m) {
  std::map<std::string, double> out;
  std::istringstream in(m.scrape());
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#' || line.find('{') != std::string::npos) continue;
    const auto sp = line.find(' ');
    out[line.substr(0, sp)] = std::stod(line.substr(sp + 1));
  }
  return out;
}

double value(const Metrics& m, const std::string& name) {
  const auto s = samples(m);
  INFO(name);
  REQUIRE(s.contains(name));
  return s.at(name);
}

double rusage_cpu_seconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);  // cannot fail for RUSAGE_SELF and a valid pointer
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) * 1e-6;
}

double now_seconds() {
  timespec t{};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_nsec) * 1e-9;
}

}  // namespace

TEST_CASE("process metrics: every family is exposed with its type", "[metrics][process]") {
  Metrics m(MetricsOptions{});
  const std::string text = m.scrape();
  for (const char* want : {"# TYPE process_cpu_seconds_total counter", "# TYPE process_resident_memory_bytes gauge",
                           "# TYPE process_virtual_memory_bytes gauge", "# TYPE process_open_fds gauge",
                           "# TYPE process_max_fds gauge", "# TYPE process_start_time_seconds gauge"}) {
    INFO(want);
    CHECK(text.find(want) != std::string::npos);
  }
}

TEST_CASE("process metrics: open descriptors follow the ones the test opens and closes", "[metrics][process]") {
  Metrics m(MetricsOptions{});
  const double before = value(m, "process_open_fds");
  CHECK(before >= 3);  // at least stdin, stdout, stderr
  std::vector<int> fds;
  for (int i = 0; i < 10; ++i) fds.push_back(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  for (int fd : fds) REQUIRE(fd >= 0);
  CHECK(value(m, "process_open_fds") == before + 10);
  for (int fd : fds) ::close(fd);
  CHECK(value(m, "process_open_fds") == before);
}

TEST_CASE("process metrics: max_fds is the soft RLIMIT_NOFILE", "[metrics][process]") {
  Metrics m(MetricsOptions{});
  rlimit saved{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &saved) == 0);
  rlimit lower = saved;
  lower.rlim_cur = 200;
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &lower) == 0);
  const double seen = value(m, "process_max_fds");
  REQUIRE(::setrlimit(RLIMIT_NOFILE, &saved) == 0);
  CHECK(seen == 200);
}

TEST_CASE("process metrics: CPU seconds agree with getrusage", "[metrics][process]") {
  Metrics m(MetricsOptions{});
  // Burn some CPU so the figure is not trivially 0.
  volatile double sink = 0;
  const double until = rusage_cpu_seconds() + 0.2;
  while (rusage_cpu_seconds() < until) sink = sink + 1.0;
  const double lo = rusage_cpu_seconds();
  const double seen = value(m, "process_cpu_seconds_total");
  const double hi = rusage_cpu_seconds();
  // /proc counts whole clock ticks (1/100 s) for user and system time each.
  CHECK(seen >= lo - 0.03);
  CHECK(seen <= hi + 0.03);
}

TEST_CASE("process metrics: resident memory grows by what the test touches", "[metrics][process]") {
  Metrics m(MetricsOptions{});
  constexpr std::size_t kBytes = 64u << 20;
  const double before = value(m, "process_resident_memory_bytes");
  void* p = ::mmap(nullptr, kBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  REQUIRE(p != MAP_FAILED);
  std::memset(p, 1, kBytes);
  const double during = value(m, "process_resident_memory_bytes");
  const double virt = value(m, "process_virtual_memory_bytes");
  rusage u{};
  REQUIRE(::getrusage(RUSAGE_SELF, &u) == 0);
  ::munmap(p, kBytes);
  CHECK(during - before >= 0.9 * kBytes);
  CHECK(during <= static_cast<double>(u.ru_maxrss) * 1024.0);  // the peak resident size, in KiB
  CHECK(virt >= during);
}

TEST_CASE("process metrics: start time lies between the clock readings around fork()", "[metrics][process]") {
  int pipefd[2];
  REQUIRE(::pipe(pipefd) == 0);
  const double t0 = now_seconds();
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {  // the child reports its own start time and exits without Catch2
    ::close(pipefd[0]);
    Metrics m(MetricsOptions{});
    const std::string text = m.scrape();
    const auto at = text.find("\nprocess_start_time_seconds ");
    const std::string v = at == std::string::npos ? "missing" : text.substr(at + 28, text.find('\n', at + 1) - at - 28);
    const auto n = ::write(pipefd[1], v.data(), v.size());
    ::_exit(n == static_cast<ssize_t>(v.size()) ? 0 : 1);
  }
  ::close(pipefd[1]);
  std::string got;
  char buf[64];
  for (ssize_t n; (n = ::read(pipefd[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(n));
  ::close(pipefd[0]);
  int status = 0;
  REQUIRE(::waitpid(child, &status, 0) == child);
  const double t1 = now_seconds();
  REQUIRE(WIFEXITED(status));
  REQUIRE(WEXITSTATUS(status) == 0);
  INFO("child reported '" << got << "'");
  REQUIRE(got != "missing");
  const double start = std::stod(got);
  // The kernel records the start in clock ticks since boot (1/100 s).
  CHECK(start >= t0 - 0.02);
  CHECK(start <= t1 + 0.02);
}
