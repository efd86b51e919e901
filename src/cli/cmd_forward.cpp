// forward: {"log_likelihood": [per sequence], "total_log_likelihood": x}; an impossible sequence
// scores null (-inf), and so does the total then.
#include <boost/json/object.hpp>

#include "commands.hpp"
#include "inputs.hpp"
#include "output.hpp"

namespace hanzo::cli {

namespace {
const CommandInfo kInfo{"forward",
                        "usage: hanzo-hmm forward --model MODEL.json --obs OBS.json\n\n"
                        "Log-likelihood log P(sequence | model) of each observation sequence (forward algorithm).\n"
                        "Prints {\"log_likelihood\": [...], \"total_log_likelihood\": x}; null stands for -inf\n"
                        "(a sequence with probability 0).\n",
                        {{"model", true}, {"obs", true}}};
}  // namespace

int run_forward(std::span<const std::string> args) {
  Options options(kInfo);
  if (auto code = options.parse(args)) return *code;
  auto in = load_inputs(options);
  if (!in) return fail(in.error());
  const auto lls = visit_inputs(*in, [](const auto& m, const auto& seqs) { return m.forward_many(seqs, 0); });
  double total = 0.0;
  for (double ll : lls) total += ll;
  boost::json::object out;
  out["log_likelihood"] = hanzo::hmm::io::numbers_to_json(lls);
  out["total_log_likelihood"] = hanzo::hmm::io::number_to_json(total);
  print_json(out);
  return 0;
}

}  // namespace hanzo::cli
