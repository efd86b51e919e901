// One repetition of hanzo-passthrough-bench: a fresh mock cluster laid out like the embedded
// one, its requests topic fed as it is consumed, and one thread of raw librdkafka that consumes
// each request and answers it: with a real decision plus tenant-state records (the ceiling), or
// with a copy of the request (the echo).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hanzo/hmm/loadgen/generator.hpp"

namespace passthrough {

struct Options {
  std::uint64_t messages{0};
  // The ceiling: request i is answered with decisions[i % size] (decisions[i] is the daemon
  // library's decision for request i). Empty: the echo.
  const std::vector<std::string>* decisions{nullptr};
  std::size_t state_bytes{0};  // ceiling only: per tenant per poll round; 0: none
  // ... but at most one per tenant per this many seconds, as the daemon's state interval; a
  // tenant's inputs since its last record get one more record at the end.
  double state_interval{0};
  double ahead_bytes{0};       // the feeder's bound on unconsumed requests (all partitions)
  bool print_settings{false};  // print the client settings and check them against the daemon's
};

struct Result {
  double seconds{0};              // first request consumed -> last answer acknowledged
  double cpu_seconds{0};          // the process's CPU time over the same section (cpu_time.hpp)
  std::uint64_t prefilled{0};     // requests in the topic before the clock started
  std::uint64_t answer_bytes{0};  // keys + values produced to the decisions topic
  std::uint64_t state_records{0}, state_bytes{0};
  bool settings_as_daemon{true};
};

Result run(const Options& options, const hanzo::hmm::loadgen::Generator& generator);

}  // namespace passthrough
