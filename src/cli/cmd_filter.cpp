// filter: one observation per stdin line (a symbol, or a D-vector as a JSON array), one JSON line
// per observation: {"t": i, "posterior": [...], "log_likelihood": x}. Lines are flushed as they
// are produced so the command can sit in a pipe. A bad line stops with an error naming it.
#include <iostream>

#include <boost/json/object.hpp>

#include "commands.hpp"
#include "inputs.hpp"
#include "output.hpp"

namespace hanzo::cli {

namespace io = hanzo::hmm::io;
using hanzo::hmm::Error;

namespace {
const CommandInfo kInfo{"filter",
                        "usage: hanzo-hmm filter --model MODEL.json < observations\n\n"
                        "Streaming forward filter. Reads one observation per line on stdin (a JSON symbol for\n"
                        "categorical models, a JSON array of D numbers for Gaussian ones; blank lines are\n"
                        "skipped) and prints, per observation, {\"t\": i, \"posterior\": [P(s_t = j | o_0..o_t)],\n"
                        "\"log_likelihood\": log P(o_0..o_t)}.\n",
                        {{"model", true}}};

// "stdin line 7: observation: unknown symbol 7"; JSON syntax errors keep their column.
Error on_line(Error e, std::size_t line) {
  const std::string where = "stdin line " + std::to_string(line);
  if (e.code == hanzo::hmm::Errc::parse_error && e.col >= 0)
    e.where = where + ", column " + std::to_string(e.col);
  else
    e.in_source(where);
  return e;
}

template <class M>
int filter(const M& model) {
  hanzo::hmm::OnlineFilter<typename M::family_type> f(model);
  std::string text;
  for (std::size_t line = 1; std::getline(std::cin, text); ++line) {
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto json = io::parse_json(text);
    if (!json) return fail(on_line(std::move(json).error(), line));
    auto obs = io::observation_from_json(*json, model);
    if (!obs) return fail(on_line(std::move(obs).error(), line));
    auto posterior = f.update(*obs);
    if (!posterior) return fail(on_line(std::move(posterior).error(), line));
    boost::json::object out;
    out["t"] = f.steps() - 1;
    out["posterior"] = io::numbers_to_json(*posterior);
    out["log_likelihood"] = io::number_to_json(f.log_likelihood());
    print_json(out);
  }
  if (std::cin.bad()) return fail(hanzo::hmm::make_error(hanzo::hmm::Errc::io_error, "stdin", "read error"));
  return 0;
}
}  // namespace

int run_filter(std::span<const std::string> args) {
  Options options(kInfo);
  if (auto code = options.parse(args)) return *code;
  auto model = load_model(options);
  if (!model) return fail(model.error());
  return std::visit([](const auto& m) { return filter(m); }, *model);
}

}  // namespace hanzo::cli
