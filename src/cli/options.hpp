// Command-line options of one subcommand: `--name value` or `--name=value`, plus -h/--help.
// Usage errors are printed here (one line on stderr) so commands only pass the exit code on.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace hanzo::cli {

inline constexpr int kExitUsage = 2;  // usage errors and bad input alike

struct OptionSpec {
  std::string_view name;  // without the leading --
  bool required{false};
};

struct CommandInfo {
  std::string_view name;  // "forward"
  std::string_view usage; // full --help text
  std::vector<OptionSpec> options;
};

class Options {
 public:
  explicit Options(const CommandInfo& info) : info_(&info) {}

  // Returns an exit code when the command must stop: 0 after printing --help, 2 after a usage
  // error. Returns nullopt when the options are fine.
  std::optional<int> parse(std::span<const std::string> args);

  bool has(std::string_view name) const { return values_.count(std::string(name)) != 0; }
  const std::string& text(std::string_view name) const { return values_.at(std::string(name)); }

  // Typed values (the fallback when the option is absent). A malformed value prints a usage error
  // and yields nullopt.
  std::optional<std::uint64_t> integer(std::string_view name, std::uint64_t fallback) const;
  // A finite number >= min (or > min when `strict`).
  std::optional<double> number(std::string_view name, double fallback, double min, bool strict) const;

  // Prints "hanzo-hmm <command>: <message>" and returns 2.
  int usage_error(const std::string& message) const;

 private:
  const CommandInfo* info_;
  std::map<std::string, std::string> values_;
};

}  // namespace hanzo::cli
