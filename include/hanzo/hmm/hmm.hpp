// hanzo-hmm core: include this for everything.
#pragma once

#include "hanzo/hmm/categorical.hpp"
#include "hanzo/hmm/chain.hpp"
#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/filter.hpp"
#include "hanzo/hmm/fit.hpp"
#include "hanzo/hmm/gaussian.hpp"
#include "hanzo/hmm/model.hpp"

namespace hanzo::hmm {

template <class Label>
using CategoricalHmm = HiddenMarkovModel<Categorical<Label>>;
using GaussianHmm = HiddenMarkovModel<DiagonalGaussian>;

// The Rust crate's constructor: HiddenMarkovModel::new(states, observations, initial, transitions,
// emissions), with emissions[i][k] = P(symbols[k] | states[i]).
template <class Label>
Result<CategoricalHmm<Label>> make_categorical_hmm(std::vector<std::string> states, std::vector<Label> symbols,
                                                   const std::vector<double>& initial,
                                                   const std::vector<std::vector<double>>& transitions,
                                                   const std::vector<std::vector<double>>& emissions) {
  auto chain = MarkovChain::create(std::move(states), initial, transitions);
  if (!chain) return std::move(chain).error();
  auto e = Categorical<Label>::create(std::move(symbols), chain->size(), emissions);
  if (!e) return std::move(e).error();
  return CategoricalHmm<Label>::create(std::move(*chain), std::move(*e));
}

inline Result<GaussianHmm> make_gaussian_hmm(std::vector<std::string> states, const std::vector<double>& initial,
                                             const std::vector<std::vector<double>>& transitions,
                                             const std::vector<std::vector<double>>& means,
                                             const std::vector<std::vector<double>>& variances) {
  auto chain = MarkovChain::create(std::move(states), initial, transitions);
  if (!chain) return std::move(chain).error();
  auto e = DiagonalGaussian::create(chain->size(), means, variances);
  if (!e) return std::move(e).error();
  return GaussianHmm::create(std::move(*chain), std::move(*e));
}

}  // namespace hanzo::hmm
