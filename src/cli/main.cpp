// hanzo-hmm: a thin dispatcher over the command table; each command lives in its own file.
#include <exception>
#include <iostream>
#include <new>
#include <stdexcept>
#include <string>
#include <vector>

#include "commands.hpp"
#include "options.hpp"
#include "output.hpp"

namespace {

using namespace hanzo::cli;

// Add new commands here (name, one-line summary, entry point).
constexpr Command kCommands[] = {
    {"forward", "log-likelihood of each observation sequence", run_forward},
    {"backward", "log backward variables (T x N per sequence)", run_backward},
    {"posterior", "state posteriors (T x N per sequence)", run_posterior},
    {"viterbi", "most probable state path of each sequence", run_viterbi},
    {"fit", "Baum-Welch fit; prints the fitted model", run_fit},
    {"generate", "sample states and observations from a model", run_generate},
    {"filter", "streaming state posteriors, one observation per stdin line", run_filter},
    {"route", "route one request with the MarketMaker; prints the decision", run_route},
    {"market", "market replay: price snapshots (and CSV/SVG) for a tick file; market quote: the cost of N GPU-seconds", run_market},
    {"config", "describe every MarketMaker option, or check a config file", run_config},
    {"loadgen", "load generator for hanzo-hmmd on Kafka: throughput and latency", run_loadgen},
    {"simulate", "decision quality against a hidden truth: the router and baselines, regret vs the oracle", run_simulate},
};

void print_usage() {
  std::cout << "usage: hanzo-hmm <command> [options]\n\ncommands:\n";
  for (const auto& c : kCommands) {
    std::string name(c.name);
    name.resize(std::max<std::size_t>(name.size() + 2, 12), ' ');
    std::cout << "  " << name << c.summary << '\n';
  }
  std::cout << "\nRun 'hanzo-hmm <command> --help' for the options of a command; 'hanzo-hmm --version'\n"
               "prints the version.\n"
               "Output is JSON on stdout; errors are one line on stderr with exit status 2.\n";
}

int dispatch(int argc, char** argv) {
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) {
    print_error("hanzo-hmm: missing command (see hanzo-hmm --help)");
    return kExitUsage;
  }
  if (args[0] == "-h" || args[0] == "--help") {
    print_usage();
    return 0;
  }
  if (args[0] == "--version") {
    std::cout << "hanzo-hmm " << HANZO_HMM_VERSION << '\n';
    return 0;
  }
  for (const auto& c : kCommands)
    if (c.name == args[0]) return c.run(std::span<const std::string>(args).subspan(1));
  print_error("hanzo-hmm: unknown command \"" + args[0] + "\" (see hanzo-hmm --help)");
  return kExitUsage;
}

}  // namespace

int main(int argc, char** argv) {
  // Last resort: nothing may escape as a crash; whatever happens is one line and status 2.
  try {
    std::ios::sync_with_stdio(false);
    return dispatch(argc, argv);
  } catch (const std::bad_alloc&) {
    print_error("hanzo-hmm: out of memory");
  } catch (const std::length_error&) {  // a size no container can hold, e.g. generate --n 1e18
    print_error("hanzo-hmm: out of memory (the request is too large)");
  } catch (const std::exception& e) {
    print_error(std::string("hanzo-hmm: internal error: ") + e.what());
  } catch (...) {
    print_error("hanzo-hmm: internal error");
  }
  return kExitUsage;
}
