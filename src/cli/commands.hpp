// The subcommands of hanzo-hmm. Each takes the arguments after its name and returns the exit
// status; stdout gets one JSON object (per line for streaming commands), stderr one-line errors.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace hanzo::cli {

using CommandFn = int (*)(std::span<const std::string> args);

struct Command {
  std::string_view name;
  std::string_view summary;  // one line for the top-level --help
  CommandFn run;
};

int run_forward(std::span<const std::string> args);
int run_backward(std::span<const std::string> args);
int run_posterior(std::span<const std::string> args);
int run_viterbi(std::span<const std::string> args);
int run_fit(std::span<const std::string> args);
int run_generate(std::span<const std::string> args);
int run_filter(std::span<const std::string> args);
int run_route(std::span<const std::string> args);
int run_market(std::span<const std::string> args);
int run_market_quote(std::span<const std::string> args);  // `market quote`, dispatched by run_market
int run_config(std::span<const std::string> args);
int run_loadgen(std::span<const std::string> args);
int run_simulate(std::span<const std::string> args);

}  // namespace hanzo::cli
