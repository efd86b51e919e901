// config: documents every MarketMaker option, or checks a configuration file.
#include <iostream>

#include "commands.hpp"
#include "hanzo/hmm/mm/config.hpp"
#include "mm_inputs.hpp"
#include "output.hpp"

namespace hanzo::cli {

namespace {
const CommandInfo kInfo{"config",
                        "usage: hanzo-hmm config --describe\n"
                        "       hanzo-hmm config --check CONFIG.toml\n\n"
                        "--describe prints every option (key, type, bounds, description, default) as a\n"
                        "commented TOML listing. --check validates a file and prints {\"ok\": true, ...}, or\n"
                        "exits 2 with the file and the key that is wrong.\n",
                        {{"describe"}, {"check"}}};
}  // namespace

int run_config(std::span<const std::string> args) {
  using namespace hanzo::hmm;
  // --describe takes no value: accept it bare.
  std::vector<std::string> fixed(args.begin(), args.end());
  for (std::size_t i = 0; i < fixed.size(); ++i)
    if (fixed[i] == "--describe") fixed.insert(fixed.begin() + static_cast<std::ptrdiff_t>(++i), "true");
  Options options(kInfo);
  if (auto code = options.parse(fixed)) return *code;
  if (options.has("describe")) {
    auto c = mm::default_config();
    config::Schema s;
    mm::declare(s, c);
    std::cout << config::render_toml(s.describe());
    return 0;
  }
  if (!options.has("check")) return options.usage_error("one of --describe or --check is required");
  auto c = mm::load_config(options.text("check"));
  if (!c) return fail(c.error());
  std::cout << "{\"ok\":true,\"classes\":" << c->classes.size() << ",\"models\":" << c->models.size() << "}\n";
  return 0;
}

}  // namespace hanzo::cli
