// Categorical emissions over M symbols with arbitrary labels (numbers, strings, ...).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <unordered_map>
#include <vector>

#include "hanzo/hmm/aligned.hpp"
#include "hanzo/hmm/emission.hpp"

namespace hanzo::hmm {

// The numeric part: symbols are indices 0..M-1. Shared by every label type.
class CategoricalTable {
 public:
  using encoded_sequence = std::vector<std::uint32_t>;

  // probabilities: N rows of M entries, each row a distribution (validated like transitions).
  static Result<CategoricalTable> create(std::size_t num_states, const std::vector<std::vector<double>>& probabilities);

  std::size_t num_states() const noexcept { return n_; }
  std::size_t num_symbols() const noexcept { return m_; }
  double probability(std::size_t state, std::size_t symbol) const noexcept { return et_[symbol * np_ + state]; }
  std::vector<std::vector<double>> probability_rows() const;

  static std::size_t length(const encoded_sequence& s) noexcept { return s.size(); }
  const double* scaled(const encoded_sequence& s, std::size_t t, double*, double& offset) const noexcept {
    offset = 0.0;
    return et_.data() + s[t] * np_;
  }
  const double* log_prob(const encoded_sequence& s, std::size_t t, double*) const noexcept {
    return log_et_.data() + s[t] * np_;
  }
  const double* scaled_symbol(std::uint32_t k) const noexcept { return et_.data() + k * np_; }

  // Expected symbol counts, stored symbol-major like the tables.
  struct Stats {
    std::size_t np{0};
    AlignedVector counts;  // M x np
    void merge(const Stats& o) {
      for (std::size_t k = 0; k < counts.size(); ++k) counts[k] += o.counts[k];
    }
  };
  Stats make_stats() const { return Stats{np_, AlignedVector(m_ * np_, 0.0)}; }
  void accumulate(Stats& s, const encoded_sequence& seq, std::size_t t, const double* gamma) const noexcept {
    double* row = s.counts.data() + seq[t] * np_;
    for (std::size_t j = 0; j < np_; ++j) row[j] += gamma[j];
  }
  void maximise(const Stats& s, const FitOptions& options);
  std::uint32_t sample_symbol(std::size_t state, Rng& rng) const;

 private:
  void rebuild_logs();
  std::size_t n_{0}, m_{0}, np_{0};
  AlignedVector et_;      // M x np: et_[k*np + j] = P(symbol k | state j)
  AlignedVector log_et_;  // log of et_, padding -inf
};

// Categorical emissions whose symbols carry labels of type Label (hashable, equality-comparable).
template <class Label, class Hash = std::hash<Label>>
class Categorical : public CategoricalTable {
 public:
  using observation_type = Label;
  using label_type = Label;

  // symbols: M unique labels; probabilities: N x M.
  static Result<Categorical> create(std::vector<Label> symbols, std::size_t num_states,
                                    const std::vector<std::vector<double>>& probabilities) {
    if (symbols.empty()) return make_error(Errc::invalid_dimension, "symbols", "at least one symbol is required");
    Categorical c;
    for (std::size_t k = 0; k < symbols.size(); ++k) {
      if (!c.index_.emplace(symbols[k], static_cast<std::uint32_t>(k)).second)
        return make_error(Errc::duplicate_label, "symbols[" + std::to_string(k) + "]", "duplicate symbol",
                          static_cast<std::ptrdiff_t>(k));
    }
    for (std::size_t i = 0; i < probabilities.size(); ++i)
      if (probabilities[i].size() != symbols.size())
        return make_error(Errc::invalid_dimension, "emission[" + std::to_string(i) + "]",
                          "has " + std::to_string(probabilities[i].size()) + " entries, expected " +
                              std::to_string(symbols.size()) + " (one per symbol)",
                          static_cast<std::ptrdiff_t>(i));
    auto table = CategoricalTable::create(num_states, probabilities);
    if (!table) return std::move(table).error();
    static_cast<CategoricalTable&>(c) = std::move(*table);
    c.symbols_ = std::move(symbols);
    return c;
  }

  const std::vector<Label>& symbols() const noexcept { return symbols_; }

  // Index of a label, or an error naming it.
  Result<std::uint32_t> symbol_index(const Label& label) const {
    auto it = index_.find(label);
    if (it == index_.end()) return make_error(Errc::unknown_symbol, "", "unknown symbol" + describe(label));
    return it->second;
  }

  Result<encoded_sequence> encode(std::span<const Label> obs) const {
    encoded_sequence out(obs.size());
    for (std::size_t t = 0; t < obs.size(); ++t) {
      auto it = index_.find(obs[t]);
      if (it == index_.end())
        return make_error(Errc::unknown_symbol, "observations[" + std::to_string(t) + "]",
                          "unknown symbol" + describe(obs[t]), -1, static_cast<std::ptrdiff_t>(t));
      out[t] = it->second;
    }
    return out;
  }

  Result<const double*> scaled_one(const Label& o, double*, double& offset) const {
    auto k = symbol_index(o);
    if (!k) return std::move(k).error();
    offset = 0.0;
    return scaled_symbol(*k);
  }

  Label sample(std::size_t state, Rng& rng) const { return symbols_[sample_symbol(state, rng)]; }

 private:
  static std::string describe(const Label& l) {
    if constexpr (std::is_arithmetic_v<Label>) return " " + std::to_string(l);
    else if constexpr (std::is_convertible_v<const Label&, std::string>) return " \"" + std::string(l) + "\"";
    else return "";
  }
  std::vector<Label> symbols_;
  std::unordered_map<Label, std::uint32_t, Hash> index_;
};

}  // namespace hanzo::hmm
