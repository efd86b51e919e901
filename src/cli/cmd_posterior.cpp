// posterior: {"log_likelihood": [...], "posteriors": [per sequence: T x N]}. Posteriors of an
// impossible sequence are undefined, so that is an error naming the sequence and step.
#include <boost/json/object.hpp>

#include "commands.hpp"
#include "inputs.hpp"
#include "output.hpp"

namespace hanzo::cli {

namespace {
const CommandInfo kInfo{"posterior",
                        "usage: hanzo-hmm posterior --model MODEL.json --obs OBS.json\n\n"
                        "State posteriors P(s_t = i | whole sequence) of each sequence (forward-backward).\n"
                        "Prints {\"log_likelihood\": [...], \"posteriors\": [per sequence: T rows of N]}.\n"
                        "A sequence with probability 0 is an error (its posteriors are undefined).\n",
                        {{"model", true}, {"obs", true}}};
}  // namespace

int run_posterior(std::span<const std::string> args) {
  Options options(kInfo);
  if (auto code = options.parse(args)) return *code;
  auto in = load_inputs(options);
  if (!in) return fail(in.error());
  std::vector<double> lls;
  boost::json::array posteriors;
  const auto status = visit_inputs(*in, [&](const auto& m, const auto& seqs) -> hanzo::hmm::Result<void> {
    for (std::size_t i = 0; i < seqs.size(); ++i) {
      auto p = m.posteriors(seqs[i]);
      if (!p) return in_sequence(std::move(p).error(), i, in->obs_path);
      lls.push_back(p->log_likelihood);
      posteriors.push_back(hanzo::hmm::io::matrix_to_json(p->gamma));
    }
    return {};
  });
  if (!status) return fail(status.error());
  boost::json::object out;
  out["log_likelihood"] = hanzo::hmm::io::numbers_to_json(lls);
  out["posteriors"] = std::move(posteriors);
  print_json(out);
  return 0;
}

}  // namespace hanzo::cli
