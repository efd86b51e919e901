// The process_* metrics every Prometheus exporter exposes (CPU seconds, resident and virtual
// memory, open and maximum file descriptors, start time), which prometheus-cpp 1.0.1 does not
// provide. Read from /proc/self at each scrape; a value that cannot be read is left out rather
// than reported as 0. Linux only. Private to src/daemon (metrics.cpp registers it).
#pragma once
#include <prometheus/collectable.h>
#include <prometheus/metric_family.h>

#include <vector>

namespace hanzo::hmm::daemon {

class ProcessCollector final : public prometheus::Collectable {
 public:
  std::vector<prometheus::MetricFamily> Collect() const override;
};

}  // namespace hanzo::hmm::daemon
