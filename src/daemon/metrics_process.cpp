// process_* from /proc/self/stat and /proc/self/fd. The start time is derived from the boot
// time as CLOCK_REALTIME - CLOCK_BOOTTIME instead of /proc/stat's btime: the unit's
// ProcSubset=pid hides /proc/stat, while /proc/self stays visible.
#include "metrics_process.hpp"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <ctime>
#include <fstream>
#include <iterator>
#include <optional>
#include <sstream>
#include <string>

namespace hanzo::hmm::daemon {

namespace pm = prometheus;

namespace {

struct Stat {
  double cpu_seconds;    // utime + stime
  double start_ticks;    // starttime: clock ticks after boot
  double virtual_bytes;  // vsize
  double rss_pages;      // rss
};

// /proc/self/stat: "pid (comm) state ppid ...": comm may hold spaces and parentheses, so the
// fields are counted from the last ')'. Field numbers as in proc(5).
std::optional<Stat> read_stat() {
  std::ifstream in("/proc/self/stat");
  if (!in) return std::nullopt;
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto close = text.rfind(')');
  if (close == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(close + 1));
  std::string f;
  Stat s{};
  double utime = 0, stime = 0;
  for (int n = 3; n <= 24 && fields >> f; ++n) {
    try {
      if (n == 14) utime = std::stod(f);
      if (n == 15) stime = std::stod(f);
      if (n == 22) s.start_ticks = std::stod(f);
      if (n == 23) s.virtual_bytes = std::stod(f);
      if (n == 24) {
        s.rss_pages = std::stod(f);
        const double hz = static_cast<double>(::sysconf(_SC_CLK_TCK));
        if (hz <= 0) return std::nullopt;
        s.cpu_seconds = (utime + stime) / hz;
        s.start_ticks /= hz;  // now seconds after boot
        return s;
      }
    } catch (...) {  // not a number: a format this code does not know
      return std::nullopt;
    }
  }
  return std::nullopt;
}

std::optional<double> boot_time() {
  timespec real{}, boot{};
  if (::clock_gettime(CLOCK_REALTIME, &real) != 0 || ::clock_gettime(CLOCK_BOOTTIME, &boot) != 0) return std::nullopt;
  return (static_cast<double>(real.tv_sec) - static_cast<double>(boot.tv_sec)) +
         (static_cast<double>(real.tv_nsec) - static_cast<double>(boot.tv_nsec)) * 1e-9;
}

// Entries of /proc/self/fd, not counting the descriptor this listing itself holds open.
std::optional<double> open_fds() {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir) return std::nullopt;
  const std::string own = std::to_string(::dirfd(dir));
  double n = 0;
  while (const dirent* e = ::readdir(dir)) {
    const std::string name = e->d_name;
    if (name != "." && name != ".." && name != own) ++n;
  }
  ::closedir(dir);
  return n;
}

void add(std::vector<pm::MetricFamily>& out, const char* name, const char* help, pm::MetricType type, double v) {
  pm::ClientMetric m;
  if (type == pm::MetricType::Counter) {
    m.counter.value = v;
  } else {
    m.gauge.value = v;
  }
  out.push_back(pm::MetricFamily{name, help, type, {m}});
}

}  // namespace

std::vector<pm::MetricFamily> ProcessCollector::Collect() const {
  std::vector<pm::MetricFamily> out;
  if (const auto s = read_stat()) {
    add(out, "process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", pm::MetricType::Counter,
        s->cpu_seconds);
    const long page = ::sysconf(_SC_PAGESIZE);
    if (page > 0) {
      add(out, "process_resident_memory_bytes", "Resident memory size in bytes.", pm::MetricType::Gauge,
          s->rss_pages * static_cast<double>(page));
    }
    add(out, "process_virtual_memory_bytes", "Virtual memory size in bytes.", pm::MetricType::Gauge,
        s->virtual_bytes);
    if (const auto boot = boot_time()) {
      add(out, "process_start_time_seconds", "Start time of the process since unix epoch in seconds.",
          pm::MetricType::Gauge, *boot + s->start_ticks);
    }
  }
  if (const auto fds = open_fds()) {
    add(out, "process_open_fds", "Number of open file descriptors.", pm::MetricType::Gauge, *fds);
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    add(out, "process_max_fds", "Maximum number of open file descriptors.", pm::MetricType::Gauge,
        static_cast<double>(limit.rlim_cur));
  }
  return out;
}

}  // namespace hanzo::hmm::daemon
