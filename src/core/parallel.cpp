#include "hanzo/hmm/detail/parallel.hpp"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace hanzo::hmm::detail {

std::size_t resolve_threads(std::size_t threads) noexcept {
  if (threads == 0) threads = std::thread::hardware_concurrency();
  return std::max<std::size_t>(threads, 1);
}

void parallel_for(std::size_t count, std::size_t threads, const std::function<void(std::size_t)>& task) {
  threads = std::min(resolve_threads(threads), count);
  if (threads <= 1) {
    for (std::size_t i = 0; i < count; ++i) task(i);
    return;
  }
  std::atomic<std::size_t> next{0};
  auto worker = [&] {
    for (std::size_t i; (i = next.fetch_add(1, std::memory_order_relaxed)) < count;) task(i);
  };
  std::vector<std::jthread> pool;
  pool.reserve(threads - 1);
  for (std::size_t k = 1; k < threads; ++k) pool.emplace_back(worker);
  worker();
}

}  // namespace hanzo::hmm::detail
