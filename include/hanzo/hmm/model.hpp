// HiddenMarkovModel<Family>: a validated hidden Markov model with one emission family, and the
// algorithms on it. Observations are validated (encoded) once; every algorithm also accepts an
// already encoded sequence, for speed when the same data is used repeatedly.
#pragma once

#include <span>
#include <string>
#include <utility>
#include <vector>

#include "hanzo/hmm/chain.hpp"
#include "hanzo/hmm/detail/algorithms.hpp"
#include "hanzo/hmm/detail/parallel.hpp"
#include "hanzo/hmm/fit.hpp"

namespace hanzo::hmm {

using detail::PosteriorResult;
using detail::ViterbiResult;

template <class Observation>
struct Sample {
  std::vector<std::size_t> states;
  std::vector<Observation> observations;
};

template <EmissionFamily F>
class HiddenMarkovModel {
 public:
  using family_type = F;
  using observation_type = typename F::observation_type;
  using encoded_sequence = typename F::encoded_sequence;

  static Result<HiddenMarkovModel> create(MarkovChain chain, F emission) {
    if (emission.num_states() != chain.size())
      return make_error(Errc::invalid_dimension, "emission",
                        "describes " + std::to_string(emission.num_states()) + " states, the model has " +
                            std::to_string(chain.size()));
    return HiddenMarkovModel(std::move(chain), std::move(emission));
  }
  static Result<HiddenMarkovModel> create(std::vector<std::string> states, const std::vector<double>& initial,
                                          const std::vector<std::vector<double>>& transitions, F emission) {
    auto chain = MarkovChain::create(std::move(states), initial, transitions);
    if (!chain) return std::move(chain).error();
    return create(std::move(*chain), std::move(emission));
  }

  std::size_t num_states() const noexcept { return chain_.size(); }
  const std::vector<std::string>& states() const noexcept { return chain_.states(); }
  const MarkovChain& chain() const noexcept { return chain_; }
  const F& emission() const noexcept { return emission_; }

  Result<encoded_sequence> encode(std::span<const observation_type> obs) const { return emission_.encode(obs); }

  // log P(observations | model); -inf for an impossible sequence.
  double forward(const encoded_sequence& seq) const { return detail::forward_pass(chain_, emission_, seq, nullptr); }
  Result<double> forward(std::span<const observation_type> obs) const {
    return with_encoded(obs, [&](const encoded_sequence& s) { return forward(s); });
  }
  // P(observations | model); underflows to 0 on long sequences (use forward).
  Result<double> probability(std::span<const observation_type> obs) const {
    auto ll = forward(obs);
    if (!ll) return std::move(ll).error();
    return std::exp(*ll);
  }
  // log-likelihoods of many sequences, spread over threads (0 = all cores).
  std::vector<double> forward_many(std::span<const encoded_sequence> seqs, std::size_t threads = 1) const {
    std::vector<double> out(seqs.size());
    detail::parallel_for(seqs.size(), threads, [&](std::size_t i) { out[i] = forward(seqs[i]); });
    return out;
  }

  // log beta: T x N.
  Matrix backward(const encoded_sequence& seq) const { return detail::backward_log(chain_, emission_, seq); }
  Result<Matrix> backward(std::span<const observation_type> obs) const {
    return with_encoded(obs, [&](const encoded_sequence& s) { return backward(s); });
  }

  // State posteriors gamma (T x N) and the log-likelihood; an error for an impossible sequence.
  Result<PosteriorResult> posteriors(const encoded_sequence& seq) const {
    return detail::posteriors(chain_, emission_, seq);
  }
  Result<PosteriorResult> posteriors(std::span<const observation_type> obs) const {
    auto s = encode(obs);
    if (!s) return std::move(s).error();
    return posteriors(*s);
  }

  // Most probable state path; ties go to the smallest state index. Impossible: empty path, -inf.
  ViterbiResult viterbi(const encoded_sequence& seq) const { return detail::viterbi(chain_, emission_, seq); }
  Result<ViterbiResult> viterbi(std::span<const observation_type> obs) const {
    return with_encoded(obs, [&](const encoded_sequence& s) { return viterbi(s); });
  }

  // Baum-Welch over many sequences of any lengths. On error the model is unchanged.
  Result<FitReport> fit(std::span<const encoded_sequence> seqs, const FitOptions& options = {});
  Result<FitReport> fit(const std::vector<std::vector<observation_type>>& seqs, const FitOptions& options = {}) {
    std::vector<encoded_sequence> encoded;
    encoded.reserve(seqs.size());
    for (std::size_t i = 0; i < seqs.size(); ++i) {
      auto s = encode(seqs[i]);
      if (!s) return std::move(std::move(s).error().within("sequence " + std::to_string(i)));
      encoded.push_back(std::move(*s));
    }
    return fit(std::span<const encoded_sequence>(encoded), options);
  }
  // The Rust crate's spelling.
  Result<FitReport> baum_welch(const std::vector<std::vector<observation_type>>& seqs, std::size_t max_iterations,
                               double tolerance) {
    FitOptions o;
    o.max_iterations = max_iterations;
    o.tolerance = tolerance;
    return fit(seqs, o);
  }

  // n steps from the model, reproducible for a seed.
  Sample<observation_type> generate(std::size_t n, std::uint64_t seed) const {
    Sample<observation_type> s;
    s.states.reserve(n);
    s.observations.reserve(n);
    Rng rng(seed);
    const std::size_t ns = chain_.size();
    std::size_t state = sample_index(chain_.pi(), ns, rng);
    for (std::size_t t = 0; t < n; ++t) {
      if (t > 0) state = sample_index(chain_.a() + state * chain_.padded_size(), ns, rng);
      s.states.push_back(state);
      s.observations.push_back(emission_.sample(state, rng));
    }
    return s;
  }

 private:
  HiddenMarkovModel(MarkovChain c, F e) : chain_(std::move(c)), emission_(std::move(e)) {}

  template <class Fn>
  auto with_encoded(std::span<const observation_type> obs, Fn&& fn) const
      -> Result<decltype(fn(std::declval<const encoded_sequence&>()))> {
    auto s = encode(obs);
    if (!s) return std::move(s).error();
    return fn(*s);
  }

  MarkovChain chain_;
  F emission_;
};

template <EmissionFamily F>
Result<FitReport> HiddenMarkovModel<F>::fit(std::span<const encoded_sequence> seqs, const FitOptions& options) {
  if (auto ok = validate(options); !ok) return std::move(ok).error();
  std::size_t total_length = 0;
  for (const auto& s : seqs) total_length += F::length(s);
  if (total_length == 0) return make_error(Errc::empty_sequence, "sequences", "no observations to fit");

  // Fixed chunks (independent of the thread count) reduced in order: results are reproducible.
  const std::size_t chunks = std::min<std::size_t>(seqs.size(), 16);
  std::vector<std::size_t> bounds{0};
  for (std::size_t i = 0, acc = 0; i < seqs.size(); ++i) {
    acc += F::length(seqs[i]);
    if (acc * chunks >= total_length * bounds.size() && bounds.size() < chunks) bounds.push_back(i + 1);
  }
  if (bounds.back() != seqs.size()) bounds.push_back(seqs.size());

  MarkovChain chain = chain_;
  F emission = emission_;
  FitReport report;
  using Stats = detail::SufficientStats<F>;
  for (;;) {
    // After the last permitted update only the log-likelihood is needed: a forward pass suffices.
    if (report.iterations >= options.max_iterations && report.iterations > 0) {
      const auto fitted = HiddenMarkovModel(chain, emission);
      double ll = 0.0;
      for (double x : fitted.forward_many(seqs, options.threads)) ll += x;
      report.log_likelihoods.push_back(ll);
      if (options.progress) options.progress(report.iterations, ll);
      report.converged = ll - report.log_likelihoods[report.iterations - 1] < options.tolerance;
      break;
    }
    std::vector<Stats> parts(bounds.size() - 1, Stats(chain, emission));
    std::vector<Error> errors(parts.size());
    std::vector<char> failed(parts.size(), 0);
    detail::parallel_for(parts.size(), options.threads, [&](std::size_t p) {
      AlignedVector alpha;
      for (std::size_t i = bounds[p]; i < bounds[p + 1]; ++i) {
        if (auto ok = detail::expectation(chain, emission, seqs[i], parts[p], alpha); !ok) {
          errors[p] = std::move(ok).error();
          errors[p].within("sequence " + std::to_string(i));
          failed[p] = 1;
          return;
        }
      }
    });
    for (std::size_t p = 0; p < parts.size(); ++p)
      if (failed[p]) return std::move(errors[p]);
    for (std::size_t p = 1; p < parts.size(); ++p) parts[0].merge(parts[p]);
    const double ll = parts[0].log_likelihood;
    report.log_likelihoods.push_back(ll);
    if (options.progress) options.progress(report.iterations, ll);
    if (report.iterations > 0 && ll - report.log_likelihoods[report.iterations - 1] < options.tolerance) {
      report.converged = true;
      break;
    }
    if (report.iterations >= options.max_iterations) break;  // max_iterations == 0: evaluate only
    detail::maximise_chain(chain, parts[0].initial, parts[0].transition, options);
    emission.maximise(parts[0].emission, options);
    ++report.iterations;
  }
  chain_ = std::move(chain);
  emission_ = std::move(emission);
  return report;
}

}  // namespace hanzo::hmm
