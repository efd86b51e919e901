#include "hanzo/hmm/daemon/allocator.hpp"

#include <cstdint>
#include <cstdlib>

#ifdef HANZO_JEMALLOC
#include <jemalloc/jemalloc.h>
#endif

namespace hanzo::hmm {

#ifdef HANZO_JEMALLOC
namespace {
// Bytes jemalloc has handed out (0 if its statistics cannot be read).
std::size_t jemalloc_allocated() {
  std::uint64_t epoch = 1;
  std::size_t size = sizeof epoch;
  mallctl("epoch", &epoch, &size, &epoch, size);  // refreshes the statistics
  std::size_t bytes = 0;
  size = sizeof bytes;
  return mallctl("stats.allocated", &bytes, &size, nullptr, 0) == 0 ? bytes : 0;
}
}  // namespace
#endif

std::string allocator_name() {
#ifdef HANZO_JEMALLOC
  // Linked is not enough: malloc() itself must resolve to jemalloc. A large block bypasses the
  // thread caches, so jemalloc's statistics show it at once if it went through jemalloc.
  constexpr std::size_t kBlock = std::size_t{1} << 20;
  const std::size_t before = jemalloc_allocated();
  void* volatile block = std::malloc(kBlock);
  const bool through_jemalloc = jemalloc_allocated() >= before + kBlock;
  std::free(block);
  const char* version = nullptr;
  std::size_t size = sizeof version;
  if (through_jemalloc && mallctl("version", &version, &size, nullptr, 0) == 0 && version)
    return std::string("jemalloc ") + version;
#endif
  return "glibc malloc";
}

}  // namespace hanzo::hmm
