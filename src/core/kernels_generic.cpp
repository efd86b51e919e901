// Kernel set "generic": see kernels_impl.hpp. Compiler flags for this file are set in CMakeLists.txt.
#define HANZO_KERNEL_NS generic
#define HANZO_KERNEL_NAME "generic"
#define HANZO_VEC_BYTES 16
#include "kernels_impl.hpp"
