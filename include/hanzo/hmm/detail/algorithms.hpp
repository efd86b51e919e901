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

// One forward step: out = normalise((prev^T A or pi) .* b). Returns the normaliser (0 if impossible).
inline double forward_step(const Kernels& k, const MarkovChain& c, const double* prev, const double* b,
                           double* out) noexcept {
  const std::size_t np = c.padded_size();
  if (prev == nullptr) {
    std::copy(c.pi(), c.pi() + np, out);
  } else {
    k.vec_mat(prev, c.size(), c.a(), np, out);
  }
  const double s = k.mul_sum(out, b, np);
  if (s > 0.0) normalise(k, out, s, np);
  return s;
}

// Forward pass. Returns log P(seq), -inf if the sequence is impossible (then *zero_at is the
// first step with probability 0). With alpha_store (T x np) it keeps every normalised alpha.
template <EmissionFamily F>
double forward_pass(const MarkovChain& c, const F& f, const typename F::encoded_sequence& seq,
                    double* alpha_store, std::size_t* zero_at = nullptr) {
  const Kernels& k = kernels();
  const std::size_t np = c.padded_size(), T = F::length(seq);
  AlignedVector buf(3 * np, 0.0);
  double* scratch = buf.data() + 2 * np;
  LogAccumulator ll;
  const double* prev = nullptr;
  for (std::size_t t = 0; t < T; ++t) {
    double offset;
    const double* b = f.scaled(seq, t, scratch, offset);
    double* out = alpha_store ? alpha_store + t * np : buf.data() + (t & 1) * np;
    const double s = forward_step(k, c, prev, b, out);
    if (!(s > 0.0)) {
      if (zero_at) *zero_at = t;
      return kNegInf;
    }
    ll.multiply(s);
    ll.add_log(offset);
    prev = out;
  }
  return ll.value();
}

// One backward step: raw = A (b .* beta); returns sum(raw). w receives b .* beta.
inline double backward_step(const Kernels& k, const MarkovChain& c, const double* beta, const double* b, double* w,
                            double* raw) noexcept {
  const std::size_t np = c.padded_size();
  std::copy(beta, beta + np, w);
  k.mul_sum(w, b, np);
  k.vec_mat(w, c.size(), c.a_transposed(), np, raw);
  return k.sum(raw, np);
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
    double offset;
    const double* b = f.scaled(seq, t + 1, scratch, offset);
    const double d = backward_step(k, c, beta, b, w, raw);
    if (!(d > 0.0)) break;  // no path continues from any state: this row and all earlier stay -inf
    std::copy(raw, raw + np, beta);
    normalise(k, beta, d, np);
    scale.multiply(d);
    scale.add_log(offset);
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
  for (std::size_t t = T; t-- > 0;) {
    if (t + 1 < T) {
      double offset;
      const double* b = f.scaled(seq, t + 1, scratch, offset);
      const double d = backward_step(k, c, beta, b, w, raw);
      if (!(d > 0.0)) return impossible_at(t + 1);
      std::copy(raw, raw + np, beta);
      normalise(k, beta, d, np);
    }
    const double* a = alpha.data() + t * np;
    double s = 0.0;
    for (std::size_t i = 0; i < n; ++i) s += a[i] * beta[i];
    if (!(s > 0.0)) return impossible_at(t);
    for (std::size_t i = 0; i < n; ++i) r.gamma(t, i) = a[i] * beta[i] / s;
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
  // Subtracts the step's maximum (kept in `total`) so scores stay near 0 and keep full precision.
  auto renormalise = [&](double* v) {
    double m = kNegInf;
    for (std::size_t j = 0; j < n; ++j) m = std::max(m, v[j]);
    if (m == kNegInf) return false;
    for (std::size_t j = 0; j < n; ++j) v[j] -= m;
    total.add_log(m);
    return true;
  };
  const double* lb = f.log_prob(seq, 0, scratch);
  for (std::size_t j = 0; j < n; ++j) delta[j] = c.log_pi()[j] + lb[j];
  if (!renormalise(delta)) return {{}, kNegInf};
  for (std::size_t t = 1; t < T; ++t) {
    k.max_plus(delta, n, c.log_a(), np, next, back.data() + t * np);
    lb = f.log_prob(seq, t, scratch);
    for (std::size_t j = 0; j < n; ++j) next[j] += lb[j];
    for (std::size_t j = n; j < np; ++j) next[j] = kNegInf;
    if (!renormalise(next)) return {{}, kNegInf};
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
  std::copy(last, last + np, g);  // gamma_{T-1} = alpha_{T-1} (already normalised)
  f.accumulate(st.emission, seq, T - 1, g);
  for (std::size_t t = T - 1; t-- > 0;) {
    double offset;
    const double* b = f.scaled(seq, t + 1, scratch, offset);
    const double d = backward_step(k, c, beta, b, w, raw);
    const double* a = alpha.data() + t * np;
    const double z = k.dot(a, raw, np);
    if (!(d > 0.0) || !(z > 0.0) || !std::isfinite(z)) return impossible_at(t + 1);
    const double inv_z = 1.0 / z;
    for (std::size_t i = 0; i < np; ++i) g[i] = a[i] * inv_z;
    k.rank1(st.transition.data(), g, n, w, np);
    for (std::size_t i = 0; i < np; ++i) g[i] *= raw[i];
    f.accumulate(st.emission, seq, t, g);
    std::copy(raw, raw + np, beta);
    normalise(k, beta, d, np);
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
