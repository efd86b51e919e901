// Diagonal-covariance Gaussian emissions over D-dimensional real vectors.
#pragma once

#include <vector>

#include "hanzo/hmm/aligned.hpp"
#include "hanzo/hmm/emission.hpp"

namespace hanzo::hmm {

class DiagonalGaussian {
 public:
  using observation_type = std::vector<double>;
  // T observations of `dim` values, row-major.
  struct encoded_sequence {
    std::vector<double> values;
    std::size_t dim{0};
  };

  // means and variances: N rows of D entries; variances finite and > 0, means finite.
  static Result<DiagonalGaussian> create(std::size_t num_states, const std::vector<std::vector<double>>& means,
                                         const std::vector<std::vector<double>>& variances);

  std::size_t num_states() const noexcept { return n_; }
  std::size_t dim() const noexcept { return d_; }
  double mean(std::size_t state, std::size_t d) const noexcept { return mean_t_[d * np_ + state]; }
  double variance(std::size_t state, std::size_t d) const noexcept { return var_t_[d * np_ + state]; }
  std::vector<std::vector<double>> mean_rows() const;
  std::vector<std::vector<double>> variance_rows() const;

  Result<encoded_sequence> encode(std::span<const observation_type> obs) const;
  // A flat T*D array of values (checked for size and finiteness).
  Result<encoded_sequence> encode_flat(std::vector<double> values) const;
  static std::size_t length(const encoded_sequence& s) noexcept { return s.dim ? s.values.size() / s.dim : 0; }

  const double* log_prob(const encoded_sequence& s, std::size_t t, double* scratch) const noexcept {
    log_density(s.values.data() + t * d_, scratch);
    return scratch;
  }
  const double* scaled(const encoded_sequence& s, std::size_t t, double* scratch, double& offset) const noexcept {
    log_density(s.values.data() + t * d_, scratch);
    offset = exponentiate(scratch);
    return scratch;
  }
  Result<const double*> scaled_one(const observation_type& o, double* scratch, double& offset) const;

  struct Stats {
    std::size_t np{0}, dim{0};
    AlignedVector weight;  // np: sum of gamma
    AlignedVector first;   // dim x np: sum gamma * (x - shift)
    AlignedVector second;  // dim x np: sum gamma * (x - shift)^2
    void merge(const Stats& o) {
      for (std::size_t k = 0; k < weight.size(); ++k) weight[k] += o.weight[k];
      for (std::size_t k = 0; k < first.size(); ++k) first[k] += o.first[k], second[k] += o.second[k];
    }
  };
  Stats make_stats() const {
    return Stats{np_, d_, AlignedVector(np_, 0.0), AlignedVector(d_ * np_, 0.0), AlignedVector(d_ * np_, 0.0)};
  }
  // Moments are taken about the current means (the shift), which are close to the new ones, so
  // var = E[(x-s)^2] - E[x-s]^2 does not cancel catastrophically.
  void accumulate(Stats& s, const encoded_sequence& seq, std::size_t t, const double* gamma) const noexcept {
    const double* x = seq.values.data() + t * d_;
    for (std::size_t j = 0; j < np_; ++j) s.weight[j] += gamma[j];
    for (std::size_t d = 0; d < d_; ++d) {
      const double* mu = mean_t_.data() + d * np_;
      double* f = s.first.data() + d * np_;
      double* q = s.second.data() + d * np_;
      for (std::size_t j = 0; j < np_; ++j) {
        const double dev = x[d] - mu[j];
        f[j] += gamma[j] * dev;
        q[j] += gamma[j] * dev * dev;
      }
    }
  }
  void maximise(const Stats& s, const FitOptions& options);
  observation_type sample(std::size_t state, Rng& rng) const;

 private:
  void log_density(const double* x, double* out) const noexcept;
  // out[j] = exp(out[j] - max); returns max.
  double exponentiate(double* out) const noexcept;
  void rebuild();

  std::size_t n_{0}, d_{0}, np_{0};
  AlignedVector mean_t_;    // D x np
  AlignedVector var_t_;     // D x np
  AlignedVector ivar_t_;    // D x np: 1/var, padding 0
  AlignedVector log_norm_;  // np: -0.5 * sum_d log(2 pi var), padding -inf
};

}  // namespace hanzo::hmm
