// Body of the kernels, included once per instruction set with HANZO_KERNEL_NS and HANZO_VEC_BYTES
// defined. Deliberately uses no standard-library templates: an inline function instantiated here
// with AVX-512 enabled could otherwise be picked by the linker for callers on older CPUs.
// Loops work on GCC vector types (compiled to SSE2, AVX2 or AVX-512 registers) in blocks of
// kBlock registers, so accumulators stay in registers across the whole i loop.
#include <cstddef>
#include <cstdint>

#include "hanzo/hmm/detail/kernels.hpp"

namespace hanzo::hmm::detail::HANZO_KERNEL_NS {
namespace {

constexpr std::size_t kW = HANZO_VEC_BYTES / sizeof(double);  // doubles per register
typedef double vd __attribute__((vector_size(HANZO_VEC_BYTES)));
typedef long long vl __attribute__((vector_size(HANZO_VEC_BYTES)));
// Accumulator registers per block: 8 hides FMA latency (4 cycles, 2 ports) without spilling.
constexpr std::size_t kBlock = 8;

inline vd load(const double* p) {
  vd v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
inline void store(double* p, vd v) { __builtin_memcpy(p, &v, sizeof v); }
inline vd splat(double s) { return vd{} + s; }
inline double hsum(vd v) {
  double s = 0.0;
  for (std::size_t k = 0; k < kW; ++k) s += v[k];
  return s;
}

template <std::size_t B>
inline void vec_mat_block(const double* x, std::size_t n, const double* m, std::size_t np, double* out) {
  vd acc[B];
  for (std::size_t b = 0; b < B; ++b) acc[b] = vd{};
  for (std::size_t i = 0; i < n; ++i) {
    const vd xi = splat(x[i]);
    const double* row = m + i * np;
    for (std::size_t b = 0; b < B; ++b) acc[b] += xi * load(row + b * kW);
  }
  for (std::size_t b = 0; b < B; ++b) store(out + b * kW, acc[b]);
}

void vec_mat(const double* x, std::size_t n, const double* m, std::size_t np, double* out) {
  std::size_t j = 0;
  for (; j + kBlock * kW <= np; j += kBlock * kW) vec_mat_block<kBlock>(x, n, m + j, np, out + j);
  for (; j + 4 * kW <= np; j += 4 * kW) vec_mat_block<4>(x, n, m + j, np, out + j);
  for (; j + kW <= np; j += kW) vec_mat_block<1>(x, n, m + j, np, out + j);
}

double mul_sum(double* x, const double* y, std::size_t np) {
  vd s0{}, s1{};
  std::size_t j = 0;
  for (; j + 2 * kW <= np; j += 2 * kW) {
    const vd a = load(x + j) * load(y + j), b = load(x + j + kW) * load(y + j + kW);
    store(x + j, a);
    store(x + j + kW, b);
    s0 += a;
    s1 += b;
  }
  for (; j + kW <= np; j += kW) {
    const vd a = load(x + j) * load(y + j);
    store(x + j, a);
    s0 += a;
  }
  return hsum(s0 + s1);
}

double sum(const double* x, std::size_t np) {
  vd s0{}, s1{};
  std::size_t j = 0;
  for (; j + 2 * kW <= np; j += 2 * kW) {
    s0 += load(x + j);
    s1 += load(x + j + kW);
  }
  for (; j + kW <= np; j += kW) s0 += load(x + j);
  return hsum(s0 + s1);
}

double dot(const double* x, const double* y, std::size_t np) {
  vd s0{}, s1{};
  std::size_t j = 0;
  for (; j + 2 * kW <= np; j += 2 * kW) {
    s0 += load(x + j) * load(y + j);
    s1 += load(x + j + kW) * load(y + j + kW);
  }
  for (; j + kW <= np; j += kW) s0 += load(x + j) * load(y + j);
  return hsum(s0 + s1);
}

void scale(double* x, double s, std::size_t np) {
  const vd v = splat(s);
  for (std::size_t j = 0; j < np; j += kW) store(x + j, load(x + j) * v);
}

template <std::size_t B>
inline void max_plus_block(const double* d, std::size_t n, const double* l, std::size_t np, double* out,
                           std::uint16_t* arg) {
  vd best[B], who[B];
  for (std::size_t b = 0; b < B; ++b) {
    best[b] = splat(-__builtin_inf());
    who[b] = vd{};
  }
  for (std::size_t i = 0; i < n; ++i) {
    const vd di = splat(d[i]);
    const vd iv = splat(static_cast<double>(i));
    const double* row = l + i * np;
    for (std::size_t b = 0; b < B; ++b) {
      const vd cand = di + load(row + b * kW);
      const vl better = cand > best[b];  // strict: ties keep the smaller i
      best[b] = better ? cand : best[b];
      who[b] = better ? iv : who[b];
    }
  }
  for (std::size_t b = 0; b < B; ++b) {
    store(out + b * kW, best[b]);
    for (std::size_t k = 0; k < kW; ++k) arg[b * kW + k] = static_cast<std::uint16_t>(who[b][k]);
  }
}

void max_plus(const double* d, std::size_t n, const double* l, std::size_t np, double* out,
              std::uint16_t* arg) {
  std::size_t j = 0;
  for (; j + kBlock * kW <= np; j += kBlock * kW) max_plus_block<kBlock>(d, n, l + j, np, out + j, arg + j);
  for (; j + 4 * kW <= np; j += 4 * kW) max_plus_block<4>(d, n, l + j, np, out + j, arg + j);
  for (; j + kW <= np; j += kW) max_plus_block<1>(d, n, l + j, np, out + j, arg + j);
}

void rank1(double* acc, const double* s, std::size_t n, const double* w, std::size_t np) {
  for (std::size_t i = 0; i < n; ++i) {
    const double si = s[i];
    if (si == 0.0) continue;  // structural zeros and impossible states cost nothing
    const vd sv = splat(si);
    double* row = acc + i * np;
    for (std::size_t j = 0; j < np; j += kW) store(row + j, load(row + j) + sv * load(w + j));
  }
}

}  // namespace

extern const Kernels table{&vec_mat, &mul_sum, &sum, &dot, &scale, &max_plus, &rank1, HANZO_KERNEL_NAME};

}  // namespace hanzo::hmm::detail::HANZO_KERNEL_NS
