#include "inputs.hpp"

namespace hanzo::cli {

namespace io = hanzo::hmm::io;
using hanzo::hmm::Error;
using hanzo::hmm::Result;

Result<io::Model> load_model(const Options& options) { return io::load_model(options.text("model")); }

Result<Inputs> load_inputs(const Options& options) {
  auto model = load_model(options);
  if (!model) return std::move(model).error();
  const std::string& obs = options.text("obs");
  auto seqs = io::load_observations(obs, *model);
  if (!seqs) return std::move(seqs).error();
  return Inputs{std::move(*model), std::move(*seqs), obs};
}

Error in_sequence(Error error, std::size_t i, const std::string& obs_path) {
  error.within("sequence " + std::to_string(i));
  return io::in_file(std::move(error), obs_path);
}

}  // namespace hanzo::cli
