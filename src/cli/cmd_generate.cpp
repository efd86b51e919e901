// generate: {"states": [state names], "observations": [symbols or D-vectors]}, reproducible for
// a seed.
#include <boost/json/object.hpp>

#include "commands.hpp"
#include "inputs.hpp"
#include "output.hpp"

namespace hanzo::cli {

namespace {
const CommandInfo kInfo{"generate",
                        "usage: hanzo-hmm generate --model MODEL.json --n N [--seed S]\n\n"
                        "Samples N steps (hidden states and observations) from the model.\n"
                        "The same seed gives the same output on every platform (default seed 42).\n",
                        {{"model", true}, {"n", true}, {"seed"}}};
}  // namespace

int run_generate(std::span<const std::string> args) {
  Options options(kInfo);
  if (auto code = options.parse(args)) return *code;
  const auto n = options.integer("n", 0);
  if (!n) return kExitUsage;
  const auto seed = options.integer("seed", 42);
  if (!seed) return kExitUsage;
  auto model = load_model(options);
  if (!model) return fail(model.error());

  boost::json::object out;
  std::visit(
      [&](const auto& m) {
        const auto sample = m.generate(*n, *seed);
        boost::json::array states;
        states.reserve(sample.states.size());
        for (std::size_t s : sample.states) states.emplace_back(boost::json::string(m.states()[s]));
        out["states"] = std::move(states);
        out["observations"] = hanzo::hmm::io::observations_to_json(sample.observations);
      },
      *model);
  print_json(out);
  return 0;
}

}  // namespace hanzo::cli
