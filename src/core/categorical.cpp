#include "hanzo/hmm/categorical.hpp"

#include <cmath>
#include <limits>

#include "hanzo/hmm/chain.hpp"

namespace hanzo::hmm {

Result<CategoricalTable> CategoricalTable::create(std::size_t num_states,
                                                  const std::vector<std::vector<double>>& probabilities) {
  if (probabilities.size() != num_states)
    return make_error(Errc::invalid_dimension, "emission",
                      "has " + std::to_string(probabilities.size()) + " rows, expected " +
                          std::to_string(num_states) + " (one per state)");
  if (num_states == 0 || probabilities[0].empty())
    return make_error(Errc::invalid_dimension, "emission", "needs at least one state and one symbol");
  const std::size_t m = probabilities[0].size();
  for (std::size_t i = 0; i < num_states; ++i) {
    const auto field = "emission[" + std::to_string(i) + "]";
    if (probabilities[i].size() != m)
      return make_error(Errc::invalid_dimension, field,
                        "has " + std::to_string(probabilities[i].size()) + " entries, expected " + std::to_string(m),
                        static_cast<std::ptrdiff_t>(i));
    if (auto ok = detail::check_probability_row(probabilities[i].data(), m, field, static_cast<std::ptrdiff_t>(i)); !ok)
      return std::move(ok).error();
  }
  CategoricalTable t;
  t.n_ = num_states;
  t.m_ = m;
  t.np_ = padded(num_states);
  t.et_.assign(m * t.np_, 0.0);
  std::vector<double> row(m);
  for (std::size_t i = 0; i < num_states; ++i) {
    detail::renormalise_row(probabilities[i].data(), m, row.data());
    for (std::size_t k = 0; k < m; ++k) t.et_[k * t.np_ + i] = row[k];
  }
  t.rebuild_logs();
  return t;
}

void CategoricalTable::rebuild_logs() {
  log_et_.assign(et_.size(), -std::numeric_limits<double>::infinity());
  for (std::size_t k = 0; k < m_; ++k)
    for (std::size_t j = 0; j < n_; ++j) log_et_[k * np_ + j] = std::log(et_[k * np_ + j]);
}

std::vector<std::vector<double>> CategoricalTable::probability_rows() const {
  std::vector<std::vector<double>> rows(n_, std::vector<double>(m_));
  for (std::size_t i = 0; i < n_; ++i)
    for (std::size_t k = 0; k < m_; ++k) rows[i][k] = et_[k * np_ + i];
  return rows;
}

void CategoricalTable::maximise(const Stats& s, const FitOptions& options) {
  const double prior = options.emission_pseudocount;
  for (std::size_t j = 0; j < n_; ++j) {
    double expected = 0.0;
    for (std::size_t k = 0; k < m_; ++k) expected += s.counts[k * np_ + j];
    if (!(expected > 0.0)) continue;  // state never visited: keep its previous row
    const double total = expected + prior * static_cast<double>(m_);
    for (std::size_t k = 0; k < m_; ++k) et_[k * np_ + j] = (s.counts[k * np_ + j] + prior) / total;
  }
  rebuild_logs();
}

std::uint32_t CategoricalTable::sample_symbol(std::size_t state, Rng& rng) const {
  const double u = rng.uniform();
  double acc = 0.0;
  std::uint32_t last = 0;
  for (std::size_t k = 0; k < m_; ++k) {
    const double p = et_[k * np_ + state];
    if (p <= 0.0) continue;
    acc += p;
    last = static_cast<std::uint32_t>(k);
    if (u < acc) return last;
  }
  return last;
}

}  // namespace hanzo::hmm
