// Counts global operator new calls (replaced in alloc_counter.cpp for the whole test binary).
#pragma once

#include <cstddef>

namespace alloc_counter {
std::size_t count() noexcept;
}  // namespace alloc_counter
