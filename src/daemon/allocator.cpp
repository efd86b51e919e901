#include "hanzo/hmm/daemon/allocator.hpp"

#ifdef HANZO_JEMALLOC
#include <dlfcn.h>
#include <jemalloc/jemalloc.h>

#include <string_view>
#endif

namespace hanzo::hmm {

std::string allocator_name() {
#ifdef HANZO_JEMALLOC
  // Linked is not enough: malloc() itself must resolve to jemalloc. Ask the dynamic linker
  // which object defines the malloc every caller gets (librdkafka's too). Not a statistics
  // check: other threads allocate and free at the same time.
  Dl_info info{};
  void* malloc_in_use = dlsym(RTLD_DEFAULT, "malloc");
  const bool through_jemalloc = malloc_in_use && dladdr(malloc_in_use, &info) && info.dli_fname &&
                                std::string_view(info.dli_fname).find("jemalloc") != std::string_view::npos;
  const char* version = nullptr;
  std::size_t size = sizeof version;
  if (through_jemalloc && mallctl("version", &version, &size, nullptr, 0) == 0 && version)
    return std::string("jemalloc ") + version;
  // Interposed by something else (e.g. LD_PRELOAD): name the object.
  if (info.dli_fname && std::string_view(info.dli_fname).find("libc.so") == std::string_view::npos)
    return std::string("malloc of ") + info.dli_fname;
#endif
  return "glibc malloc";
}

}  // namespace hanzo::hmm
