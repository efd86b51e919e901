// The process's CPU time (user + system, every thread: the in-process broker, librdkafka's
// threads and the feeder included). The daemon bench and the ceiling both read it at the start
// and the end of their timed section, so their CPU per request compares like with like.
#pragma once
#include <sys/resource.h>

namespace cpu_time {

inline double process_seconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

}  // namespace cpu_time
