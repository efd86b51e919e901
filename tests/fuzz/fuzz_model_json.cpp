// libFuzzer target: model loader, observation loader, and the algorithms on whatever loads.
//
// Input: MODEL [\0 OBSERVATIONS]. Without a NUL byte the whole input is offered to both loaders.
// Observations are also parsed against two fixed models so that loader is fuzzed even when the
// model part does not load. Invariants checked (a failure aborts, which libFuzzer reports):
// a loaded or fitted model written back to JSON loads again, with the same states and symbols.
//
// Boost.JSON is compiled into this target from source (boost_json_src.cpp) so it is instrumented.
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "hanzo/hmm/io/io.hpp"

namespace io = hanzo::hmm::io;
using namespace hanzo::hmm;

namespace {

// Work caps, so each input runs in milliseconds. They live here, not in the library.
constexpr std::size_t kMaxStates = 64;
constexpr std::size_t kMaxSteps = 10000;
constexpr std::size_t kMaxFilterSteps = 100;

[[noreturn]] void fail(const char* what, const std::string& detail) {
  std::fprintf(stderr, "invariant violated: %s: %s\n", what, detail.c_str());
  std::abort();
}

void check_round_trip(const io::Model& m) {
  auto back = io::parse_model(io::write_model(m));
  if (!back) fail("written model does not load", back.error().to_string());
  if (io::state_names(*back) != io::state_names(m)) fail("states changed", io::write_model(m));
  if (back->index() != m.index()) fail("emission type changed", io::write_model(m));
  if (const auto* c = std::get_if<io::CategoricalModel>(&m))
    if (!(std::get<io::CategoricalModel>(*back).emission().symbols() == c->emission().symbols()))
      fail("symbols changed", io::write_model(m));
}

const io::Model& fixed(std::size_t i) {
  static const io::Model models[] = {
      io::parse_model(R"({"states": ["A", "B"], "initial": [0.5, 0.5], "transitions": [[0.9, 0.1], [0, 1]],
        "emission": {"type": "categorical", "symbols": [1, "1", 2.5, "x"],
                     "probabilities": [[0.25, 0.25, 0.25, 0.25], [0, 0.5, 0.5, 0]]}})")
          .value(),
      io::parse_model(R"({"states": ["A", "B"], "initial": [1, 0], "transitions": [[0.5, 0.5], [0.5, 0.5]],
        "emission": {"type": "gaussian", "means": [[0, 1], [1e300, -1e300]], "variances": [[1, 1e-300], [1e300, 2]]}})")
          .value()};
  return models[i];
}

// Feeds single observations (JSON array elements) to the online filter.
template <class M>
void filter(const M& model, std::string_view obs_text) {
  auto json = io::parse_json(obs_text);
  if (!json || !json->is_array()) return;
  OnlineFilter<typename M::family_type> f(model);
  std::size_t n = 0;
  for (const auto& seq : json->get_array()) {
    if (!seq.is_array()) continue;
    for (const auto& o : seq.get_array()) {
      if (++n > kMaxFilterSteps) return;
      auto x = io::observation_from_json(o, model);
      if (!x) continue;
      (void)f.update(*x);
    }
  }
}

template <class M, class Seqs>
void run(const M& model, const Seqs& seqs, bool fit) {
  for (const auto& s : seqs) {
    (void)model.forward(s);
    (void)model.viterbi(s);
    (void)model.posteriors(s);
    (void)model.backward(s);
  }
  if (!fit) return;
  M copy = model;
  FitOptions options;
  options.max_iterations = 2;
  if (copy.fit(std::span<const typename M::encoded_sequence>(seqs), options)) check_round_trip(io::Model(copy));
}

void exercise(const io::Model& model, std::string_view obs_text, bool fit) {
  if (io::state_names(model).size() > kMaxStates) return;
  auto seqs = io::parse_observations(obs_text, model);
  std::visit([&](const auto& m) { filter(m, obs_text); }, model);
  if (!seqs || io::total_steps(*seqs) > kMaxSteps) return;
  if (const auto* c = std::get_if<io::CategoricalModel>(&model))
    run(*c, std::get<io::CategoricalSequences>(*seqs), fit);
  else
    run(std::get<GaussianHmm>(model), std::get<io::GaussianSequences>(*seqs), fit);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const auto nul = input.find('\0');
  const auto model_text = input.substr(0, nul);
  const auto obs_text = nul == std::string_view::npos ? input : input.substr(nul + 1);

  if (auto model = io::parse_model(model_text)) {
    check_round_trip(*model);
    exercise(*model, obs_text, true);
  } else if (model.error().to_string().empty()) {
    fail("error without a message", std::string(model_text));
  }
  exercise(fixed(0), obs_text, false);
  exercise(fixed(1), obs_text, false);
  return 0;
}
