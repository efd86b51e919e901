#pragma once

#include <cstddef>
#include <functional>

namespace hanzo::hmm::detail {

// Runs task(0..count-1) on up to `threads` threads (0 = all hardware threads). Which thread runs
// which index is unspecified, so tasks must write to disjoint places.
void parallel_for(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& task);

// The number of threads `threads` stands for (0 = hardware concurrency, at least 1).
std::size_t resolve_threads(std::size_t threads) noexcept;

}  // namespace hanzo::hmm::detail
