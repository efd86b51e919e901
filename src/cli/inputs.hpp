// Loading --model and --obs, and running code on the pair with matching types.
#pragma once

#include <utility>

#include "hanzo/hmm/io/io.hpp"
#include "options.hpp"

namespace hanzo::cli {

struct Inputs {
  hanzo::hmm::io::Model model;
  hanzo::hmm::io::Sequences sequences;
  std::string obs_path;  // names the file in errors found while running the algorithms
};

// Errors start with the file name they concern.
hanzo::hmm::Result<hanzo::hmm::io::Model> load_model(const Options& options);
hanzo::hmm::Result<Inputs> load_inputs(const Options& options);

// fn(model, sequences) with the concrete model type and its sequences (the loader guarantees they
// match).
template <class Fn>
decltype(auto) visit_inputs(Inputs& in, Fn&& fn) {
  namespace io = hanzo::hmm::io;
  if (auto* m = std::get_if<io::CategoricalModel>(&in.model))
    return fn(*m, std::get<io::CategoricalSequences>(in.sequences));
  return fn(std::get<hanzo::hmm::GaussianHmm>(in.model), std::get<io::GaussianSequences>(in.sequences));
}

// An error found in sequence i of the observation file, located there.
hanzo::hmm::Error in_sequence(hanzo::hmm::Error error, std::size_t i, const std::string& obs_path);

}  // namespace hanzo::cli
