// Picks the widest kernel set the CPU supports, once.
#include <cstdlib>
#include <cstring>

#include "hanzo/hmm/detail/kernels.hpp"

namespace hanzo::hmm::detail {
namespace generic { extern const Kernels table; }
#if defined(HANZO_HAVE_X86_KERNELS)
namespace avx2 { extern const Kernels table; }
namespace avx512 { extern const Kernels table; }
#endif

namespace {

struct Registry {
  const Kernels* sets[3]{};
  std::size_t count{0};
  const Kernels* best{&generic::table};

  Registry() {
    sets[count++] = &generic::table;
#if defined(HANZO_HAVE_X86_KERNELS)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) sets[count++] = &avx2::table;
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512vl"))
      sets[count++] = &avx512::table;
#endif
    best = sets[count - 1];
    if (const char* forced = std::getenv("HANZO_HMM_KERNELS")) {
      for (std::size_t k = 0; k < count; ++k)
        if (std::strcmp(sets[k]->name, forced) == 0) best = sets[k];
    }
  }
};

const Registry& registry() noexcept {
  static const Registry r;
  return r;
}

}  // namespace

const Kernels& kernels() noexcept { return *registry().best; }

const Kernels* const* available_kernels(std::size_t& count) noexcept {
  count = registry().count;
  return registry().sets;
}

}  // namespace hanzo::hmm::detail
