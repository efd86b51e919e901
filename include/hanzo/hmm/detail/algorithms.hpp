// The HMM algorithms, generic over the emission family. Forward/backward work on per-step
// normalised vectors (Rabiner scaling) with the normalisers accumulated exactly (LogAccumulator);
// Viterbi works in log space, renormalised by the running maximum each step.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

#include "hanzo/hmm/aligned.hpp"
#include "hanzo/hmm/chain.hpp"
#include "hanzo/hmm/detail/kernels.hpp"
#include "hanzo/hmm/detail/log_accumulator.hpp"
#include "hanzo/hmm/emission.hpp"

namespace hanzo::hmm::detail {

inline constexpr double kNegInf = -std::numeric_limits<double>::infinity();

// x /= s with s > 0; multiplies by 1/s unless that would overflow.
inline void normalise(const Kernels& k, double* x, double s, std::size_t np) noexcept {
  if (s >= 0x1p-1000) {
    k.scale(x, 1.0 / s, np);
  } else {
    for (std::size_t j = 0; j < np; ++j) x[j] /= s;
  }
}

// Forward/backward vectors are not normalised every step (a division on the critical path);
// they are rescaled by exact powers of two only when their sum drops below 2^-200, which costs
// no rounding. Every consumer is invariant to a per-step scale. Sums below 2^-1000 (or 0) take
// the slow path: the step is recomputed with emissions rescaled relative to the states that
// actually carry weight, then divided out exactly.
inline constexpr double kRescaleBelow = 0x1p-200;
inline constexpr double kSlowPathBelow = 0x1p-1000;

inline void rescale_pow2(const Kernels& k, double* v, double s, std::size_t np, LogAccumulator& acc) noexcept {
  int e;
  std::frexp(s, &e);
  k.scale(v, std::ldexp(1.0, -e), np);
  acc.add_exponent(e);
}

// b_j(o_t) * exp(-offset) with offset = max log b_j(o_t) over the states j with weight[j] > 0,
// so the states that matter cannot all underflow. Returns false if none of them can emit o_t.
template <EmissionFamily F>
bool emission_given(const F& f, const typename F::encoded_sequence& seq, std::size_t t, const double* weight,
                    std::size_t n, std::size_t np, double* scratch, double& offset) {
  const double* lb = f.log_prob(seq, t, scratch);
  double m = kNegInf;
  for (std::size_t j = 0; j < n; ++j)
    if (weight[j] > 0.0 && lb[j] > m) m = lb[j];
  if (m == kNegInf) return false;
  // States without weight contribute nothing; exp(lb - m) could overflow there (inf * 0 = NaN).
  for (std::size_t j = 0; j < np; ++j) scratch[j] = weight[j] > 0.0 ? std::exp(lb[j] - m) : 0.0;
  offset = m;
  return true;
}

// One normalised forward step, for the online filter: out = normalise((prev^T A or pi) .* b).
// Returns the normaliser (0 if impossible).
inline double forward_step(const Kernels& k, const MarkovChain& c, const double* prev, const double* b,
                           double* out) noexcept {
  const std::size_t np = c.padded_size();
  double s;
  if (prev == nullptr) {
    std::copy(c.pi(), c.pi() + np, out);
    s = k.mul_sum(out, b, np);
  } else {
    s = k.propagate(prev, nullptr, c.size(), c.a(), np, b, out);
  }
  if (s > 0.0) normalise(k, out, s, np);
  return s;
}

// Forward pass. Returns log P(seq), -inf if the sequence is impossible (then *zero_at is the
// first step with probability 0). With alpha_store (T x np) it keeps every alpha_t, each up to
// its own positive scale.
template <EmissionFamily F>
double forward_pass(const MarkovChain& c, const F& f, const typename F::encoded_sequence& seq,
                    double* alpha_store, std::size_t* zero_at = nullptr) {
  const Kernels& k = kernels();
  const std::size_t n = c.size(), np = c.padded_size(), T = F::length(seq);
  if (T == 0) return 0.0;
  AlignedVector buf(3 * np, 0.0);
  double* scratch = buf.data() + 2 * np;
  LogAccumulator ll;
  const double* prev = nullptr;
  double s = 0.0;
  for (std::size_t t = 0; t < T; ++t) {
    double offset;
    const double* b = f.scaled(seq, t, scratch, offset);
    double* out = alpha_store ? alpha_store + t * np : buf.data() + (t & 1) * np;
    if (prev) {
      s = k.propagate(prev, nullptr, n, c.a(), np, b, out);
    } else {
      std::copy(c.pi(), c.pi() + np, out);
      s = k.mul_sum(out, b, np);
    }
    if (s < kRescaleBelow) [[unlikely]] {
      if (s < kSlowPathBelow) {
        // Recompute with emissions scaled to the predicted states (out before the emission).
        if (prev) k.vec_mat(prev, n, c.a(), np, out);
        else std::copy(c.pi(), c.pi() + np, out);
        s = 0.0;
        if (emission_given(f, seq, t, out, n, np, scratch, offset)) s = k.mul_sum(out, scratch, np);
        if (!(s > 0.0)) {
          if (zero_at) *zero_at = t;
          return kNegInf;
        }
        normalise(k, out, s, np);
        ll.multiply(s);
        s = 1.0;
      } else {
        rescale_pow2(k, out, s, np, ll);
      }
    }
    if (offset != 0.0) ll.add_log(offset);
    prev = out;
  }
  ll.multiply(k.sum(prev, np));
  return ll.value();
}

// One backward step from beta_{t+1} (unnormalised) to raw = A (b_{t+1} .* beta_{t+1}), with the
// same rescaling policy as the forward pass. Returns false if no state can continue (then raw
// and every earlier beta are 0). w receives b .* beta (the emission-weighted successor values).
template <EmissionFamily F>
bool backward_step(const Kernels& k, const MarkovChain& c, const F& f, const typename F::encoded_sequence& seq,
                   std::size_t t1, const double* beta, double* w, double* raw, double* scratch, LogAccumulator& acc) {
  const std::size_t n = c.size(), np = c.padded_size();
  double offset;
  const double* b = f.scaled(seq, t1, scratch, offset);
  for (std::size_t j = 0; j < np; ++j) w[j] = b[j] * beta[j];
  double d = k.propagate(w, nullptr, n, c.a_transposed(), np, nullptr, raw);
  if (d < kSlowPathBelow) [[unlikely]] {
    if (!emission_given(f, seq, t1, beta, n, np, scratch, offset)) return false;
    for (std::size_t j = 0; j < np; ++j) w[j] = scratch[j] * beta[j];
    d = k.propagate(w, nullptr, n, c.a_transposed(), np, nullptr, raw);
    if (!(d > 0.0)) return false;
    normalise(k, raw, d, np);
    normalise(k, w, d, np);  // keep raw = A w: the E-step pairs them in xi
    acc.multiply(d);
  } else if (d < kRescaleBelow) {
    int e;
    std::frexp(d, &e);
    k.scale(w, std::ldexp(1.0, -e), np);  // the same power of two rescale_pow2 applies to raw
    rescale_pow2(k, raw, d, np, acc);
  }
  if (offset != 0.0) acc.add_log(offset);
  return true;
}

// log beta_t(i) = log P(o_{t+1..T-1} | s_t = i), T x N.
template <EmissionFamily F>
Matrix backward_log(const MarkovChain& c, const F& f, const typename F::encoded_sequence& seq) {
  const Kernels& k = kernels();
  const std::size_t n = c.size(), np = c.padded_size(), T = F::length(seq);
  Matrix out(T, n, kNegInf);
  if (T == 0) return out;
  AlignedVector buf(4 * np, 0.0);
  double *beta = buf.data(), *w = beta + np, *raw = w + np, *scratch = raw + np;
  std::fill(beta, beta + n, 1.0);
  std::fill(out.row(T - 1), out.row(T - 1) + n, 0.0);
  LogAccumulator scale;
  for (std::size_t t = T - 1; t-- > 0;) {
    if (!backward_step(k, c, f, seq, t + 1, beta, w, raw, scratch, scale)) break;  // earlier rows stay -inf
    std::copy(raw, raw + np, beta);
    const double log_scale = scale.value();
    for (std::size_t i = 0; i < n; ++i) out(t, i) = std::log(beta[i]) + log_scale;
  }
  return out;
}

inline Error impossible_at(std::size_t t) {
  return make_error(Errc::impossible_sequence, "observations[" + std::to_string(t) + "]",
                    "the sequence has probability 0 under the model from this step on", -1,
                    static_cast<std::ptrdiff_t>(t));
}

struct PosteriorResult {
  double log_likelihood{0.0};
  Matrix gamma;  // T x N: P(s_t = i | o_0..T-1)
};

template <EmissionFamily F>
Result<PosteriorResult> posteriors(const MarkovChain& c, const F& f, const typename F::encoded_sequence& seq) {
  const Kernels& k = kernels();
  const std::size_t n = c.size(), np = c.padded_size(), T = F::length(seq);
  PosteriorResult r{0.0, Matrix(T, n)};
  if (T == 0) return r;
  AlignedVector alpha(T * np);
  std::size_t zero_at = 0;
  r.log_likelihood = forward_pass(c, f, seq, alpha.data(), &zero_at);
  if (r.log_likelihood == kNegInf) return impossible_at(zero_at);
  AlignedVector buf(4 * np, 0.0);
  double *beta = buf.data(), *w = beta + np, *raw = w + np, *scratch = raw + np;
  std::fill(beta, beta + n, 1.0);
  LogAccumulator unused;
  for (std::size_t t = T; t-- > 0;) {
    if (t + 1 < T) {
      if (!backward_step(k, c, f, seq, t + 1, beta, w, raw, scratch, unused)) return impossible_at(t + 1);
      std::copy(raw, raw + np, beta);
    }
    const double* a = alpha.data() + t * np;
    const double s = k.dot(a, beta, np);
    if (!(s > 0.0)) return impossible_at(t);
    const double inv = 1.0 / s;
    for (std::size_t i = 0; i < n; ++i) r.gamma(t, i) = a[i] * beta[i] * inv;
  }
  return r;
}

struct ViterbiResult {
  std::vector<std::size_t> path;  // empty when the sequence is impossible
  double log_probability{0.0};    // log P(path, observations); -inf when impossible
};

template <EmissionFamily F>
ViterbiResult viterbi(const MarkovChain& c, const F& f, const typename F::encoded_sequence& seq) {
  const Kernels& k = kernels();
  const std::size_t n = c.size(), np = c.padded_size(), T = F::length(seq);
  ViterbiResult r;
  if (T == 0) return r;
  std::vector<std::uint16_t> back(T * np);
  AlignedVector buf(3 * np, kNegInf);
  double *delta = buf.data(), *next = delta + np, *scratch = next + np;
  LogAccumulator total;
  // Scores are shifted by their maximum (kept in `total`) whenever they drift below -256, so they
  // stay small and keep full precision without a pass over the vector every step.
  auto shift = [&](double* v, double m) {
    for (std::size_t j = 0; j < n; ++j) v[j] -= m;
    total.add_log(m);
  };
  const double* lb = f.log_prob(seq, 0, scratch);
  double m = kNegInf;
  for (std::size_t j = 0; j < n; ++j) m = std::max(m, delta[j] = c.log_pi()[j] + lb[j]);
  if (m == kNegInf) return {{}, kNegInf};
  shift(delta, m);
  for (std::size_t t = 1; t < T; ++t) {
    lb = f.log_prob(seq, t, scratch);
    m = k.max_plus(delta, n, c.log_a(), np, lb, next, back.data() + t * np);
    if (m == kNegInf) return {{}, kNegInf};
    if (m < -256.0) shift(next, m);
    std::swap(delta, next);
  }
  std::size_t best = 0;
  for (std::size_t j = 1; j < n; ++j)
    if (delta[j] > delta[best]) best = j;
  r.log_probability = total.value() + delta[best];
  r.path.resize(T);
  r.path[T - 1] = best;
  for (std::size_t t = T - 1; t > 0; --t) r.path[t - 1] = back[t * np + r.path[t]];
  return r;
}

// Expected sufficient statistics of one or more sequences.
template <EmissionFamily F>
struct SufficientStats {
  AlignedVector initial;     // np: sum of gamma_0
  AlignedVector transition;  // N x np: sum_t alpha_t(i) b(o_t+1) beta_t+1(j) / Z_t (times A_ij at the M-step)
  typename F::Stats emission;
  double log_likelihood{0.0};
  std::size_t sequences{0};

  SufficientStats(const MarkovChain& c, const F& f)
      : initial(c.padded_size(), 0.0), transition(c.size() * c.padded_size(), 0.0), emission(f.make_stats()) {}
  void merge(const SufficientStats& o) {
    for (std::size_t i = 0; i < initial.size(); ++i) initial[i] += o.initial[i];
    for (std::size_t i = 0; i < transition.size(); ++i) transition[i] += o.transition[i];
    emission.merge(o.emission);
    log_likelihood += o.log_likelihood;
    sequences += o.sequences;
  }
};

// E-step for one sequence. `alpha` is a reusable buffer. The backward variables are normalised
// independently of the forward ones (no overflow however skewed alpha gets), and each step's
// xi and gamma are normalised by Z_t = alpha_t . (A (b .* beta_t+1)).
template <EmissionFamily F>
Result<void> expectation(const MarkovChain& c, const F& f, const typename F::encoded_sequence& seq,
                         SufficientStats<F>& st, AlignedVector& alpha) {
  const Kernels& k = kernels();
  const std::size_t n = c.size(), np = c.padded_size(), T = F::length(seq);
  if (T == 0) return {};
  alpha.resize(T * np);
  std::size_t zero_at = 0;
  const double ll = forward_pass(c, f, seq, alpha.data(), &zero_at);
  if (ll == kNegInf) return impossible_at(zero_at);
  AlignedVector buf(5 * np, 0.0);
  double *beta = buf.data(), *w = beta + np, *raw = w + np, *g = raw + np, *scratch = g + np;
  std::fill(beta, beta + n, 1.0);
  const double* last = alpha.data() + (T - 1) * np;
  std::copy(last, last + np, g);  // gamma_{T-1} = alpha_{T-1}, normalised
  normalise(k, g, k.sum(g, np), np);
  f.accumulate(st.emission, seq, T - 1, g);
  LogAccumulator unused;
  for (std::size_t t = T - 1; t-- > 0;) {
    if (!backward_step(k, c, f, seq, t + 1, beta, w, raw, scratch, unused)) return impossible_at(t + 1);
    const double* a = alpha.data() + t * np;
    const double z = k.dot(a, raw, np);
    if (!(z > 0.0) || !std::isfinite(z)) return impossible_at(t + 1);
    const double inv_z = 1.0 / z;
    for (std::size_t i = 0; i < np; ++i) g[i] = a[i] * inv_z;
    k.rank1(st.transition.data(), g, n, w, np);
    for (std::size_t i = 0; i < np; ++i) g[i] *= raw[i];
    f.accumulate(st.emission, seq, t, g);
    std::copy(raw, raw + np, beta);
  }
  for (std::size_t i = 0; i < np; ++i) st.initial[i] += g[i];
  st.log_likelihood += ll;
  st.sequences += 1;
  return {};
}

// M-step for pi and A (the emission family does its own). Rows with no expected count keep
// their previous values.
void maximise_chain(MarkovChain& c, const AlignedVector& initial, const AlignedVector& transition,
                    const FitOptions& options);

}  // namespace hanzo::hmm::detail
