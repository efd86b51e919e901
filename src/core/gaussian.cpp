#include "hanzo/hmm/gaussian.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hanzo/hmm/chain.hpp"

namespace hanzo::hmm {

namespace {
constexpr double kLog2Pi = 1.83787706640934548356;
constexpr double kNegInf = -std::numeric_limits<double>::infinity();
}  // namespace

Result<DiagonalGaussian> DiagonalGaussian::create(std::size_t num_states, const std::vector<std::vector<double>>& means,
                                                  const std::vector<std::vector<double>>& variances) {
  if (num_states == 0) return make_error(Errc::invalid_dimension, "emission", "at least one state is required");
  if (means.size() != num_states)
    return make_error(Errc::invalid_dimension, "means",
                      "has " + std::to_string(means.size()) + " rows, expected " + std::to_string(num_states) +
                          " (one per state)");
  if (variances.size() != num_states)
    return make_error(Errc::invalid_dimension, "variances",
                      "has " + std::to_string(variances.size()) + " rows, expected " + std::to_string(num_states) +
                          " (one per state)");
  const std::size_t d = means[0].size();
  if (d == 0) return make_error(Errc::invalid_dimension, "means[0]", "dimension must be at least 1", 0);
  for (std::size_t i = 0; i < num_states; ++i) {
    const auto r = static_cast<std::ptrdiff_t>(i);
    if (means[i].size() != d)
      return make_error(Errc::invalid_dimension, "means[" + std::to_string(i) + "]",
                        "has " + std::to_string(means[i].size()) + " entries, expected " + std::to_string(d), r);
    if (variances[i].size() != d)
      return make_error(Errc::invalid_dimension, "variances[" + std::to_string(i) + "]",
                        "has " + std::to_string(variances[i].size()) + " entries, expected " + std::to_string(d), r);
    for (std::size_t k = 0; k < d; ++k) {
      const auto where = "[" + std::to_string(i) + "][" + std::to_string(k) + "]";
      if (!std::isfinite(means[i][k]))
        return make_error(Errc::invalid_value, "means" + where, "mean is not finite", r, static_cast<std::ptrdiff_t>(k));
      if (!std::isfinite(variances[i][k]) || !(variances[i][k] > 0.0))
        return make_error(Errc::invalid_variance, "variances" + where,
                          "variance " + detail::format_number(variances[i][k]) + " must be finite and > 0", r,
                          static_cast<std::ptrdiff_t>(k));
      // A subnormal variance has an infinite reciprocal: the density at the mean would be NaN.
      if (variances[i][k] < std::numeric_limits<double>::min())
        return make_error(Errc::invalid_variance, "variances" + where,
                          "variance " + detail::format_number(variances[i][k]) + " is subnormal (below 2.2250738585e-308)",
                          r, static_cast<std::ptrdiff_t>(k));
    }
  }
  DiagonalGaussian g;
  g.n_ = num_states;
  g.d_ = d;
  g.np_ = padded(num_states);
  g.mean_t_.assign(d * g.np_, 0.0);
  g.var_t_.assign(d * g.np_, 1.0);
  for (std::size_t i = 0; i < num_states; ++i)
    for (std::size_t k = 0; k < d; ++k) {
      g.mean_t_[k * g.np_ + i] = means[i][k];
      g.var_t_[k * g.np_ + i] = variances[i][k];
    }
  g.rebuild();
  return g;
}

void DiagonalGaussian::rebuild() {
  ivar_t_.assign(d_ * np_, 0.0);
  log_norm_.assign(np_, kNegInf);
  for (std::size_t j = 0; j < n_; ++j) {
    double c = 0.0;
    for (std::size_t k = 0; k < d_; ++k) {
      const double v = var_t_[k * np_ + j];
      ivar_t_[k * np_ + j] = 1.0 / v;
      c += kLog2Pi + std::log(v);
    }
    log_norm_[j] = -0.5 * c;
  }
}

void DiagonalGaussian::log_density(const double* x, double* out) const noexcept {
  for (std::size_t j = 0; j < np_; ++j) out[j] = 0.0;
  for (std::size_t k = 0; k < d_; ++k) {
    const double* mu = mean_t_.data() + k * np_;
    const double* iv = ivar_t_.data() + k * np_;
    for (std::size_t j = 0; j < np_; ++j) {
      const double dev = x[k] - mu[j];
      out[j] += dev * dev * iv[j];
    }
  }
  for (std::size_t j = 0; j < np_; ++j) out[j] = log_norm_[j] - 0.5 * out[j];
}

double DiagonalGaussian::exponentiate(double* out) const noexcept {
  double mx = kNegInf;
  for (std::size_t j = 0; j < n_; ++j) mx = std::max(mx, out[j]);
  if (mx == kNegInf) {  // density 0 in every state: exp(-inf - -inf) would be NaN
    for (std::size_t j = 0; j < np_; ++j) out[j] = 0.0;
    return 0.0;
  }
  for (std::size_t j = 0; j < np_; ++j) out[j] = std::exp(out[j] - mx);
  return mx;
}

Result<DiagonalGaussian::encoded_sequence> DiagonalGaussian::encode(std::span<const observation_type> obs) const {
  encoded_sequence s;
  s.dim = d_;
  s.values.reserve(obs.size() * d_);
  for (std::size_t t = 0; t < obs.size(); ++t) {
    const auto where = "observations[" + std::to_string(t) + "]";
    if (obs[t].size() != d_)
      return make_error(Errc::wrong_dimension, where,
                        "has " + std::to_string(obs[t].size()) + " values, expected " + std::to_string(d_), -1,
                        static_cast<std::ptrdiff_t>(t));
    for (std::size_t k = 0; k < d_; ++k) {
      if (!std::isfinite(obs[t][k]))
        return make_error(Errc::invalid_value, where + "[" + std::to_string(k) + "]", "value is not finite", -1,
                          static_cast<std::ptrdiff_t>(t));
      s.values.push_back(obs[t][k]);
    }
  }
  return s;
}

Result<DiagonalGaussian::encoded_sequence> DiagonalGaussian::encode_flat(std::vector<double> values) const {
  if (values.size() % d_ != 0)
    return make_error(Errc::wrong_dimension, "observations",
                      std::to_string(values.size()) + " values is not a multiple of the dimension " + std::to_string(d_));
  for (std::size_t i = 0; i < values.size(); ++i)
    if (!std::isfinite(values[i]))
      return make_error(Errc::invalid_value, "observations[" + std::to_string(i / d_) + "][" + std::to_string(i % d_) + "]",
                        "value is not finite", -1, static_cast<std::ptrdiff_t>(i / d_));
  return encoded_sequence{std::move(values), d_};
}

Result<const double*> DiagonalGaussian::scaled_one(const observation_type& o, double* scratch, double& offset) const {
  if (o.size() != d_)
    return make_error(Errc::wrong_dimension, "observation",
                      "has " + std::to_string(o.size()) + " values, expected " + std::to_string(d_));
  for (std::size_t k = 0; k < d_; ++k)
    if (!std::isfinite(o[k]))
      return make_error(Errc::invalid_value, "observation[" + std::to_string(k) + "]", "value is not finite");
  log_density(o.data(), scratch);
  offset = exponentiate(scratch);
  return static_cast<const double*>(scratch);
}

void DiagonalGaussian::maximise(const Stats& s, const FitOptions& options) {
  for (std::size_t j = 0; j < n_; ++j) {
    const double w = s.weight[j];
    if (!(w > 0.0)) continue;  // state never visited: keep its parameters
    for (std::size_t k = 0; k < d_; ++k) {
      const double m1 = s.first[k * np_ + j] / w;
      const double m2 = s.second[k * np_ + j] / w;
      mean_t_[k * np_ + j] += m1;
      var_t_[k * np_ + j] = std::max(m2 - m1 * m1, options.variance_floor);
    }
  }
  rebuild();
}

DiagonalGaussian::observation_type DiagonalGaussian::sample(std::size_t state, Rng& rng) const {
  observation_type x(d_);
  for (std::size_t k = 0; k < d_; ++k)
    x[k] = mean_t_[k * np_ + state] + std::sqrt(var_t_[k * np_ + state]) * rng.normal();
  return x;
}

std::vector<std::vector<double>> DiagonalGaussian::mean_rows() const {
  std::vector<std::vector<double>> r(n_, std::vector<double>(d_));
  for (std::size_t i = 0; i < n_; ++i)
    for (std::size_t k = 0; k < d_; ++k) r[i][k] = mean_t_[k * np_ + i];
  return r;
}

std::vector<std::vector<double>> DiagonalGaussian::variance_rows() const {
  std::vector<std::vector<double>> r(n_, std::vector<double>(d_));
  for (std::size_t i = 0; i < n_; ++i)
    for (std::size_t k = 0; k < d_; ++k) r[i][k] = var_t_[k * np_ + i];
  return r;
}

}  // namespace hanzo::hmm
