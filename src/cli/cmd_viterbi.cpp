// viterbi: {"paths": [[state names]], "log_probability": [...]}; an impossible sequence gets an
// empty path and null.
#include <boost/json/object.hpp>

#include "commands.hpp"
#include "inputs.hpp"
#include "output.hpp"

namespace hanzo::cli {

namespace {
const CommandInfo kInfo{"viterbi",
                        "usage: hanzo-hmm viterbi --model MODEL.json --obs OBS.json\n\n"
                        "Most probable state path of each sequence (Viterbi; ties go to the first state).\n"
                        "Prints {\"paths\": [[state names]], \"log_probability\": [log P(path, sequence)]};\n"
                        "a sequence with probability 0 gets an empty path and null.\n",
                        {{"model", true}, {"obs", true}}};
}  // namespace

int run_viterbi(std::span<const std::string> args) {
  Options options(kInfo);
  if (auto code = options.parse(args)) return *code;
  auto in = load_inputs(options);
  if (!in) return fail(in.error());
  boost::json::array paths;
  std::vector<double> scores;
  visit_inputs(*in, [&](const auto& m, const auto& seqs) {
    for (const auto& s : seqs) {
      const auto v = m.viterbi(s);
      boost::json::array path;
      path.reserve(v.path.size());
      for (std::size_t state : v.path) path.emplace_back(boost::json::string(m.states()[state]));
      paths.push_back(std::move(path));
      scores.push_back(v.log_probability);
    }
  });
  boost::json::object out;
  out["paths"] = std::move(paths);
  out["log_probability"] = hanzo::hmm::io::numbers_to_json(scores);
  print_json(out);
  return 0;
}

}  // namespace hanzo::cli
