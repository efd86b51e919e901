// Kernel set "avx512": see kernels_impl.hpp. Compiler flags for this file are set in CMakeLists.txt.
#define HANZO_KERNEL_NS avx512
#define HANZO_KERNEL_NAME "avx512"
#define HANZO_VEC_BYTES 64
#include "kernels_impl.hpp"
