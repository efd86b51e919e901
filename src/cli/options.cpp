#include "options.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <iostream>

#include "output.hpp"

namespace hanzo::cli {

std::optional<int> Options::parse(std::span<const std::string> args) {
  // --help wins over any other problem on the line.
  if (std::any_of(args.begin(), args.end(), [](const std::string& a) { return a == "-h" || a == "--help"; })) {
    std::cout << info_->usage << std::flush;
    return 0;
  }
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 || arg.size() == 2) return usage_error("unexpected argument \"" + arg + "\"");
    const auto eq = arg.find('=');
    std::string name = arg.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
    const auto spec = std::find_if(info_->options.begin(), info_->options.end(),
                                   [&](const OptionSpec& s) { return s.name == name; });
    if (spec == info_->options.end()) return usage_error("unknown option --" + name);
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else {
      if (i + 1 >= args.size()) return usage_error("option --" + name + " needs a value");
      value = args[++i];
    }
    if (!values_.emplace(name, std::move(value)).second) return usage_error("option --" + name + " given twice");
  }
  for (const auto& s : info_->options)
    if (s.required && !has(s.name)) return usage_error("missing required option --" + std::string(s.name));
  return std::nullopt;
}

std::optional<std::uint64_t> Options::integer(std::string_view name, std::uint64_t fallback) const {
  if (!has(name)) return fallback;
  const std::string& s = text(name);
  std::uint64_t v = 0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc{} || r.ptr != s.data() + s.size()) {
    usage_error("--" + std::string(name) + ": expected a non-negative integer, got \"" + s + "\"");
    return std::nullopt;
  }
  return v;
}

std::optional<double> Options::number(std::string_view name, double fallback, double min, bool strict) const {
  if (!has(name)) return fallback;
  const std::string& s = text(name);
  double v = 0.0;
  auto r = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || r.ec != std::errc{} || r.ptr != s.data() + s.size() || !std::isfinite(v) ||
      (strict ? !(v > min) : !(v >= min))) {
    usage_error("--" + std::string(name) + ": expected a number " + (strict ? "> " : ">= ") +
                format_number(min) + ", got \"" + s + "\"");
    return std::nullopt;
  }
  return v;
}

int Options::usage_error(const std::string& message) const {
  print_error("hanzo-hmm " + std::string(info_->name) + ": " + message + " (see hanzo-hmm " +
              std::string(info_->name) + " --help)");
  return kExitUsage;
}

}  // namespace hanzo::cli
