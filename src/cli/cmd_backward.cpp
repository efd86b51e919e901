// backward: {"log_beta": [per sequence: T x N]}, -inf as null.
#include <boost/json/object.hpp>

#include "commands.hpp"
#include "inputs.hpp"
#include "output.hpp"

namespace hanzo::cli {

namespace {
const CommandInfo kInfo{"backward",
                        "usage: hanzo-hmm backward --model MODEL.json --obs OBS.json\n\n"
                        "Log backward variables log P(o_t+1..o_T-1 | s_t = i) of each sequence.\n"
                        "Prints {\"log_beta\": [per sequence: T rows of N]}; null stands for -inf.\n",
                        {{"model", true}, {"obs", true}}};
}  // namespace

int run_backward(std::span<const std::string> args) {
  Options options(kInfo);
  if (auto code = options.parse(args)) return *code;
  auto in = load_inputs(options);
  if (!in) return fail(in.error());
  boost::json::array betas;
  visit_inputs(*in, [&](const auto& m, const auto& seqs) {
    for (const auto& s : seqs) betas.push_back(hanzo::hmm::io::matrix_to_json(m.backward(s)));
  });
  boost::json::object out;
  out["log_beta"] = std::move(betas);
  print_json(out);
  return 0;
}

}  // namespace hanzo::cli
