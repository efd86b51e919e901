// What a topic on a (mock) cluster holds: records ever written (the high watermarks; the
// topic is fresh per run) and the mean size of those still retained. The mock drops data past
// 5 MiB per partition, so total bytes are estimated as records x mean retained size.
#pragma once

#include <cstdint>
#include <string>

namespace topic_bytes {

struct Usage {
  int partitions{0};
  std::uint64_t records{0};   // sum of the partitions' high watermarks
  std::uint64_t retained{0};  // records still readable
  std::uint64_t retained_bytes{0};  // their keys + values + headers
  double mean_bytes() const { return retained ? static_cast<double>(retained_bytes) / static_cast<double>(retained) : 0; }
  double total_bytes() const { return mean_bytes() * static_cast<double>(records); }
};

// Reads every retained record of `topic`; an error is returned as text in `error`.
Usage measure(const std::string& bootstrap, const std::string& topic, std::string& error);

}  // namespace topic_bytes
