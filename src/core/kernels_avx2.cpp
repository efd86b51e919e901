// Kernel set "avx2": see kernels_impl.hpp. Compiler flags for this file are set in CMakeLists.txt.
#define HANZO_KERNEL_NS avx2
#define HANZO_KERNEL_NAME "avx2"
#define HANZO_VEC_BYTES 32
#include "kernels_impl.hpp"
