// Streaming forward filter: one observation at a time, constant memory, no allocation per step.
// Its posteriors equal the batch forward pass's normalised alpha to ~1e-15 (same kernels; the
// filter normalises every step, the batch pass rescales by powers of two). A filter is a value
// for one thread: even the const predict() uses its scratch buffers.
#pragma once

#include <algorithm>
#include <cmath>
#include <span>

#include "hanzo/hmm/model.hpp"

namespace hanzo::hmm {

template <EmissionFamily F>
class OnlineFilter {
 public:
  using observation_type = typename F::observation_type;

  // The model must outlive the filter (thousands of filters share one model).
  explicit OnlineFilter(const HiddenMarkovModel<F>& model)
      : model_(&model), buf_(3 * model.chain().padded_size(), 0.0) {
    reset();
  }

  // Belief before any observation: the initial distribution.
  void reset() noexcept {
    const auto& c = model_->chain();
    std::copy(c.pi(), c.pi() + c.padded_size(), belief());
    ll_ = {};
    steps_ = 0;
  }

  // Folds in one observation and returns P(s_t | o_1..t). An invalid observation, or one with
  // probability 0 under the current belief, is an error and leaves the filter unchanged.
  Result<std::span<const double>> update(const observation_type& o) {
    const auto& c = model_->chain();
    const auto& k = detail::kernels();
    double offset;
    auto b = model_->emission().scaled_one(o, scratch(), offset);
    if (!b) return std::move(b).error();
    double* out = spare();
    const double s = detail::forward_step(k, c, steps_ == 0 ? nullptr : belief(), *b, out);
    if (!(s > 0.0))
      return make_error(Errc::impossible_sequence, "observation",
                        "has probability 0 given the filtered state at step " + std::to_string(steps_));
    current_ ^= 1;
    ll_.multiply(s);
    ll_.add_log(offset);
    ++steps_;
    return posterior();
  }

  // Advances one step with no observation: the belief becomes the one-step prediction.
  void skip() noexcept {
    if (steps_ > 0) {
      const auto& c = model_->chain();
      detail::kernels().vec_mat(belief(), c.size(), c.a(), c.padded_size(), spare());
      current_ ^= 1;
    }
    ++steps_;
  }

  std::span<const double> posterior() const noexcept { return {belief(), model_->num_states()}; }
  double log_likelihood() const noexcept { return ll_.value(); }
  std::uint64_t steps() const noexcept { return steps_; }

  // P(s_{t+k} | o_1..t) into out (N values); k = 0 is the posterior. O(k N^2), no allocation.
  void predict(std::size_t k, std::span<double> out) const noexcept {
    const auto& c = model_->chain();
    const std::size_t np = c.padded_size();
    double* a = scratch();
    double* b = const_cast<OnlineFilter*>(this)->spare();
    std::copy(belief(), belief() + np, a);
    for (std::size_t step = 0; step < k; ++step) {
      detail::kernels().vec_mat(a, c.size(), c.a(), np, b);
      std::swap(a, b);
    }
    std::copy(a, a + std::min(out.size(), c.size()), out.begin());
  }

  // Exact state, for snapshots.
  struct State {
    std::vector<double> belief;
    detail::LogAccumulator::Parts log_likelihood;
    std::uint64_t steps;
  };
  State state() const { return {{belief(), belief() + model_->num_states()}, ll_.parts(), steps_}; }
  Result<void> restore(const State& s) {
    if (s.belief.size() != model_->num_states())
      return make_error(Errc::invalid_dimension, "belief",
                        "has " + std::to_string(s.belief.size()) + " entries, expected " +
                            std::to_string(model_->num_states()));
    // A belief is a distribution: a corrupt snapshot must not poison every later step.
    double total = 0.0;
    for (std::size_t i = 0; i < s.belief.size(); ++i) {
      if (!std::isfinite(s.belief[i]) || s.belief[i] < 0.0)
        return make_error(Errc::invalid_probability, "belief[" + std::to_string(i) + "]",
                          "must be a finite probability", static_cast<std::ptrdiff_t>(i));
      total += s.belief[i];
    }
    if (std::fabs(total - 1.0) > 1e-9)
      return make_error(Errc::not_normalised, "belief", "sums to " + detail::format_number(total) + ", not 1");
    std::fill(belief(), belief() + model_->chain().padded_size(), 0.0);
    std::copy(s.belief.begin(), s.belief.end(), belief());
    ll_ = detail::LogAccumulator::from_parts(s.log_likelihood);
    steps_ = s.steps;
    return {};
  }

 private:
  std::size_t np() const noexcept { return model_->chain().padded_size(); }
  double* belief() noexcept { return buf_.data() + current_ * np(); }
  const double* belief() const noexcept { return buf_.data() + current_ * np(); }
  double* spare() noexcept { return buf_.data() + (current_ ^ 1) * np(); }
  double* scratch() const noexcept { return const_cast<double*>(buf_.data()) + 2 * np(); }

  const HiddenMarkovModel<F>* model_;
  AlignedVector buf_;  // [belief | spare | scratch], swapped by flipping current_
  detail::LogAccumulator ll_;
  std::uint64_t steps_{0};
  unsigned current_{0};
};

}  // namespace hanzo::hmm
