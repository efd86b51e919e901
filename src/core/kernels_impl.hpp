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

// Accumulates (x .* xs)^T M over a block of B registers of columns, with U independent
// accumulator sets over i (row i goes to set i mod U) so that narrow blocks still keep
// B*U >= 8 FMAs in flight instead of one dependent chain.
template <std::size_t B, std::size_t U, bool Scaled>
inline void accumulate_block(const double* x, const double* xs, std::size_t n, const double* m, std::size_t np,
                             vd (&out)[B]) {
  vd acc[U][B];
  for (std::size_t u = 0; u < U; ++u)
    for (std::size_t b = 0; b < B; ++b) acc[u][b] = vd{};
  std::size_t i = 0;
  for (; i + U <= n; i += U) {
    for (std::size_t u = 0; u < U; ++u) {
      const vd xi = splat(Scaled ? x[i + u] * xs[i + u] : x[i + u]);
      const double* row = m + (i + u) * np;
      for (std::size_t b = 0; b < B; ++b) acc[u][b] += xi * load(row + b * kW);
    }
  }
  for (std::size_t u = 0; i < n; ++i, ++u) {
    const vd xi = splat(Scaled ? x[i] * xs[i] : x[i]);
    const double* row = m + i * np;
    for (std::size_t b = 0; b < B; ++b) acc[u][b] += xi * load(row + b * kW);
  }
  for (std::size_t b = 0; b < B; ++b) {
    out[b] = acc[0][b];
    for (std::size_t u = 1; u < U; ++u) out[b] += acc[u][b];
  }
}

template <std::size_t B, std::size_t U, bool Scaled>
inline vd propagate_block(const double* x, const double* xs, std::size_t n, const double* m, std::size_t np,
                          const double* b, double* out) {
  vd acc[B];
  accumulate_block<B, U, Scaled>(x, xs, n, m, np, acc);
  vd total{};
  for (std::size_t k = 0; k < B; ++k) {
    if (b) acc[k] *= load(b + k * kW);
    store(out + k * kW, acc[k]);
    total += acc[k];
  }
  return total;
}

template <bool Scaled>
double propagate_impl(const double* x, const double* xs, std::size_t n, const double* m, std::size_t np,
                      const double* b, double* out) {
  vd total{};
  std::size_t j = 0;
  for (; j + 8 * kW <= np; j += 8 * kW) total += propagate_block<8, 1, Scaled>(x, xs, n, m + j, np, b ? b + j : b, out + j);
  for (; j + 4 * kW <= np; j += 4 * kW) total += propagate_block<4, 2, Scaled>(x, xs, n, m + j, np, b ? b + j : b, out + j);
  for (; j + 2 * kW <= np; j += 2 * kW) total += propagate_block<2, 4, Scaled>(x, xs, n, m + j, np, b ? b + j : b, out + j);
  for (; j + kW <= np; j += kW)
    total += n >= 8 ? propagate_block<1, 8, Scaled>(x, xs, n, m + j, np, b ? b + j : b, out + j)
                    : propagate_block<1, 4, Scaled>(x, xs, n, m + j, np, b ? b + j : b, out + j);
  return hsum(total);
}

double propagate(const double* x, const double* xs, std::size_t n, const double* m, std::size_t np, const double* b,
                 double* out) {
  return xs ? propagate_impl<true>(x, xs, n, m, np, b, out) : propagate_impl<false>(x, xs, n, m, np, b, out);
}

void vec_mat(const double* x, std::size_t n, const double* m, std::size_t np, double* out) {
  propagate_impl<false>(x, nullptr, n, m, np, nullptr, out);
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

// As accumulate_block, in the (max, +) semiring with arg-max tracking. Set u sees rows i = u mod U
// in increasing order, so strict > keeps the smallest i within a set; sets are merged preferring
// the smaller index on equal scores.
template <std::size_t B, std::size_t U>
inline vd max_plus_block(const double* d, std::size_t n, const double* l, std::size_t np, const double* lb,
                         double* out, std::uint16_t* arg) {
  vd best[U][B], who[U][B];
  for (std::size_t u = 0; u < U; ++u)
    for (std::size_t b = 0; b < B; ++b) best[u][b] = splat(-__builtin_inf()), who[u][b] = vd{};
  auto step = [&](std::size_t u, std::size_t i) {
    const vd di = splat(d[i]);
    const vd iv = splat(static_cast<double>(i));
    const double* row = l + i * np;
    for (std::size_t b = 0; b < B; ++b) {
      const vd cand = di + load(row + b * kW);
      const vl better = cand > best[u][b];
      best[u][b] = better ? cand : best[u][b];
      who[u][b] = better ? iv : who[u][b];
    }
  };
  std::size_t i = 0;
  for (; i + U <= n; i += U)
    for (std::size_t u = 0; u < U; ++u) step(u, i + u);
  for (std::size_t u = 0; i < n; ++i, ++u) step(u, i);
  vd top = splat(-__builtin_inf());
  for (std::size_t b = 0; b < B; ++b) {
    for (std::size_t u = 1; u < U; ++u) {
      const vl take = (best[u][b] > best[0][b]) | ((best[u][b] == best[0][b]) & (who[u][b] < who[0][b]));
      best[0][b] = take ? best[u][b] : best[0][b];
      who[0][b] = take ? who[u][b] : who[0][b];
    }
    const vd v = best[0][b] + load(lb + b * kW);
    store(out + b * kW, v);
    top = v > top ? v : top;
    typedef int vi __attribute__((vector_size(kW * sizeof(int))));
    const vi idx = __builtin_convertvector(who[0][b], vi);
    for (std::size_t k = 0; k < kW; ++k) arg[b * kW + k] = static_cast<std::uint16_t>(idx[k]);
  }
  return top;
}

inline vd vmax(vd a, vd b) { return a > b ? a : b; }

double max_plus(const double* d, std::size_t n, const double* l, std::size_t np, const double* lb, double* out,
                std::uint16_t* arg) {
  vd top = splat(-__builtin_inf());
  std::size_t j = 0;
  for (; j + 8 * kW <= np; j += 8 * kW) top = vmax(top, max_plus_block<8, 1>(d, n, l + j, np, lb + j, out + j, arg + j));
  for (; j + 4 * kW <= np; j += 4 * kW) top = vmax(top, max_plus_block<4, 2>(d, n, l + j, np, lb + j, out + j, arg + j));
  for (; j + 2 * kW <= np; j += 2 * kW) top = vmax(top, max_plus_block<2, 4>(d, n, l + j, np, lb + j, out + j, arg + j));
  // Few rows: fewer accumulator sets, or merging them costs more than it hides.
  for (; j + kW <= np; j += kW)
    top = vmax(top, n >= 8   ? max_plus_block<1, 8>(d, n, l + j, np, lb + j, out + j, arg + j)
                    : n >= 4 ? max_plus_block<1, 4>(d, n, l + j, np, lb + j, out + j, arg + j)
                             : max_plus_block<1, 2>(d, n, l + j, np, lb + j, out + j, arg + j));
  double m = top[0];
  for (std::size_t k = 1; k < kW; ++k) m = top[k] > m ? top[k] : m;
  return m;
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

extern const Kernels table{&vec_mat, &propagate, &mul_sum, &sum, &dot, &scale, &max_plus, &rank1, HANZO_KERNEL_NAME};

}  // namespace hanzo::hmm::detail::HANZO_KERNEL_NS
