// Timing and reporting for the core benchmark: medians of repeated runs, a Markdown table.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace bench {

struct Settings {
  std::size_t reps{5};          // repetitions; the median is reported
  double max_seconds{8.0};      // stop repeating (after 3 reps) once one measurement took this long
  std::size_t long_length{100000};
  std::size_t short_count{100}, short_length{1000};
  std::vector<std::size_t> sizes{4, 16, 64};
};

// Median wall time of fn() in milliseconds; `prepare` runs untimed before each repetition.
template <class Prepare, class Fn>
double median_ms(const Settings& s, Prepare&& prepare, Fn&& fn) {
  std::vector<double> t;
  double spent = 0.0;
  prepare();
  fn();  // warm-up: page in buffers, grow the peer's scratch space
  for (std::size_t r = 0; r < s.reps; ++r) {
    prepare();
    const auto start = std::chrono::steady_clock::now();
    fn();
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    t.push_back(ms);
    spent += ms / 1000.0;
    if (t.size() >= 3 && spent > s.max_seconds) break;
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}
template <class Fn>
double median_ms(const Settings& s, Fn&& fn) {
  return median_ms(s, [] {}, fn);
}

struct Row {
  std::string algorithm, data;
  std::size_t n{0};
  double work{0};  // T * N^2 summed over sequences
  double ours_ms{0}, peer_ms{0};
};

inline void print_table(const std::vector<Row>& rows, const char* peer) {
  std::printf("\n| algorithm | N | data | hanzo-hmm ms | hanzo ns/(T·N²) | %s ms | %s ns/(T·N²) | speed-up |\n", peer, peer);
  std::printf("|---|---:|---|---:|---:|---:|---:|---:|\n");
  for (const auto& r : rows) {
    const double ours_ns = r.ours_ms * 1e6 / r.work, peer_ns = r.peer_ms * 1e6 / r.work;
    std::printf("| %s | %zu | %s | %.2f | %.3f | %.1f | %.2f | **%.1f×** |\n", r.algorithm.c_str(), r.n, r.data.c_str(),
                r.ours_ms, ours_ns, r.peer_ms, peer_ns, r.peer_ms / r.ours_ms);
  }
}

}  // namespace bench
