// The hot loops of every HMM algorithm, on padded, 64-byte aligned vectors of `np` doubles
// (np a multiple of kLane). Each is compiled once per instruction set and chosen at start-up,
// so one binary runs on any x86-64 and still uses AVX2/AVX-512 where present.
#pragma once

#include <cstddef>
#include <cstdint>

namespace hanzo::hmm::detail {

struct Kernels {
  // out[j] = sum_{i<n} x[i] * m[i*np + j]   for j < np     (x^T M: forward, and backward on M^T)
  void (*vec_mat)(const double* x, std::size_t n, const double* m, std::size_t np, double* out);
  // One fused forward/backward step: out = ((x .* xs)^T M) .* b; returns sum_j out[j].
  // xs and b may be null (read as all ones).
  double (*propagate)(const double* x, const double* xs, std::size_t n, const double* m, std::size_t np,
                      const double* b, double* out);
  // x[j] *= y[j]; returns sum_j x[j]
  double (*mul_sum)(double* x, const double* y, std::size_t np);
  // returns sum_j x[j]
  double (*sum)(const double* x, std::size_t np);
  // returns sum_j x[j] * y[j]
  double (*dot)(const double* x, const double* y, std::size_t np);
  // x[j] *= s
  void (*scale)(double* x, double s, std::size_t np);
  // out[j] = max_{i<n} (d[i] + l[i*np + j]) + lb[j]; arg[j] = smallest maximising i (0 when all
  // are -inf). Returns max_j out[j] (-inf when every entry is).
  double (*max_plus)(const double* d, std::size_t n, const double* l, std::size_t np, const double* lb, double* out,
                     std::uint16_t* arg);
  // acc[i*np + j] += s[i] * w[j]   for i < n, j < np     (expected transition counts)
  void (*rank1)(double* acc, const double* s, std::size_t n, const double* w, std::size_t np);
  const char* name;
};

// The best kernel set this CPU supports (decided once). HANZO_HMM_KERNELS=generic|avx2|avx512
// in the environment forces a set, for testing and benchmarking.
const Kernels& kernels() noexcept;
// Every kernel set this CPU can run, for tests that compare them.
const Kernels* const* available_kernels(std::size_t& count) noexcept;

}  // namespace hanzo::hmm::detail
