// Cache-line aligned, zero-padded storage for the numeric kernels.
#pragma once

#include <cstddef>
#include <new>
#include <vector>

namespace hanzo::hmm {

inline constexpr std::size_t kAlignment = 64;
// Vectors of state values are padded to a multiple of this many doubles (one cache line, one
// AVX-512 register), so kernels never need a scalar tail. Padding entries are kept at 0 (or -inf
// for log-domain data) so they never contribute.
inline constexpr std::size_t kLane = 8;

constexpr std::size_t padded(std::size_t n) noexcept { return (n + kLane - 1) / kLane * kLane; }

template <class T>
struct AlignedAllocator {
  using value_type = T;
  AlignedAllocator() noexcept = default;
  template <class U>
  AlignedAllocator(const AlignedAllocator<U>&) noexcept {}  // NOLINT
  T* allocate(std::size_t n) {
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{kAlignment}));
  }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t{kAlignment}); }
  template <class U>
  bool operator==(const AlignedAllocator<U>&) const noexcept { return true; }
};

using AlignedVector = std::vector<double, AlignedAllocator<double>>;

// A dense row-major matrix as returned to users (no padding).
struct Matrix {
  std::size_t rows{0};
  std::size_t cols{0};
  std::vector<double> data;

  Matrix() = default;
  Matrix(std::size_t r, std::size_t c, double fill = 0.0) : rows(r), cols(c), data(r * c, fill) {}
  double& operator()(std::size_t r, std::size_t c) { return data[r * cols + c]; }
  double operator()(std::size_t r, std::size_t c) const { return data[r * cols + c]; }
  const double* row(std::size_t r) const { return data.data() + r * cols; }
  double* row(std::size_t r) { return data.data() + r * cols; }
};

}  // namespace hanzo::hmm
