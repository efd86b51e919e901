// fit: Baum-Welch from --model as the starting point. Prints the fitted model in the model format
// plus "fit": {"log_likelihoods": [L0..LK], "iterations": K, "converged": b}; the output loads as
// a model (the loader ignores "fit").
#include <unistd.h>

#include <cstdio>

#include <boost/json/object.hpp>

#include "commands.hpp"
#include "inputs.hpp"
#include "output.hpp"

namespace hanzo::cli {

namespace {
const CommandInfo kInfo{
    "fit",
    "usage: hanzo-hmm fit --model MODEL.json --obs OBS.json [--max-iter K] [--tol X] [--var-floor F]\n"
    "                     [--threads T]\n\n"
    "Fits the model to the sequences by Baum-Welch, starting from MODEL.json. Prints the fitted model\n"
    "with \"fit\": {\"log_likelihoods\": [initial, after each iteration], \"iterations\", \"converged\"}.\n\n"
    "  --max-iter K    at most K iterations (default 100)\n"
    "  --tol X         stop when an iteration gains less than X in log-likelihood (default 1e-6)\n"
    "  --var-floor F   lower bound of Gaussian variances, > 0 (default 1e-6)\n"
    "  --threads T     worker threads, 0 = all cores (default 0); results do not depend on it\n\n"
    "Progress goes to stderr when it is a terminal.\n",
    {{"model", true}, {"obs", true}, {"max-iter"}, {"tol"}, {"var-floor"}, {"threads"}}};
}  // namespace

int run_fit(std::span<const std::string> args) {
  Options options(kInfo);
  if (auto code = options.parse(args)) return *code;
  const auto max_iter = options.integer("max-iter", 100);
  if (!max_iter) return kExitUsage;
  const auto tol = options.number("tol", 1e-6, 0.0, false);
  if (!tol) return kExitUsage;
  const auto floor = options.number("var-floor", 1e-6, 0.0, true);
  if (!floor) return kExitUsage;
  const auto threads = options.integer("threads", 0);
  if (!threads) return kExitUsage;

  auto in = load_inputs(options);
  if (!in) return fail(in.error());
  hanzo::hmm::FitOptions fit;
  fit.max_iterations = *max_iter;
  fit.tolerance = *tol;
  fit.variance_floor = *floor;
  fit.threads = *threads;
  if (isatty(STDERR_FILENO))
    fit.progress = [](std::size_t iteration, double ll) {
      std::fprintf(stderr, "hanzo-hmm fit: iteration %zu, log-likelihood %s\n", iteration, format_number(ll).c_str());
    };
  auto report = visit_inputs(*in, [&](auto& m, const auto& seqs) {
    return m.fit(std::span<const typename std::decay_t<decltype(m)>::encoded_sequence>(seqs), fit);
  });
  if (!report) return fail(hanzo::hmm::io::in_file(std::move(report).error(), in->obs_path));

  boost::json::object out = hanzo::hmm::io::model_to_json(in->model);
  boost::json::object summary;
  summary["log_likelihoods"] = hanzo::hmm::io::numbers_to_json(report->log_likelihoods);
  summary["iterations"] = report->iterations;
  summary["converged"] = report->converged;
  out["fit"] = std::move(summary);
  print_json(out);
  return 0;
}

}  // namespace hanzo::cli
