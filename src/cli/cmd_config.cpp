// config: documents every MarketMaker option, or checks a configuration file.
#include <iostream>

#include <boost/json.hpp>

#include "commands.hpp"
#include "hanzo/hmm/daemon/config.hpp"
#include "hanzo/hmm/mm/config.hpp"
#include "mm_inputs.hpp"
#include "output.hpp"

namespace hanzo::cli {

namespace {
const CommandInfo kInfo{"config",
                        "usage: hanzo-hmm config --describe [--daemon]\n"
                        "       hanzo-hmm config --check CONFIG.toml [--daemon]\n\n"
                        "--describe prints every option (key, type, bounds, description, default) as a\n"
                        "commented TOML listing. --check validates a file and prints {\"ok\": true, ...}, or\n"
                        "exits 2 with the file and the key that is wrong. A file with any of the daemon's\n"
                        "sections (kafka, topics, metrics, daemon, processing), or any file with --daemon,\n"
                        "is checked as hanzo-hmmd's configuration (as hanzo-hmmd --check-config does,\n"
                        "secret files included); --describe --daemon lists the daemon's options too.\n",
                        {{"describe"}, {"check"}, {"daemon"}}};
}  // namespace

int run_config(std::span<const std::string> args) {
  using namespace hanzo::hmm;
  // --describe takes no value: accept it bare.
  std::vector<std::string> fixed(args.begin(), args.end());
  for (std::size_t i = 0; i < fixed.size(); ++i)
    if (fixed[i] == "--describe" || fixed[i] == "--daemon") fixed.insert(fixed.begin() + static_cast<std::ptrdiff_t>(++i), "true");
  Options options(kInfo);
  if (auto code = options.parse(fixed)) return *code;
  if (options.has("describe")) {
    config::Schema s;
    auto c = mm::default_config();
    daemon::DaemonConfig d;
    if (options.has("daemon")) daemon::declare(s, d);
    else mm::declare(s, c);
    std::cout << config::render_toml(s.describe());
    return 0;
  }
  if (!options.has("check")) return options.usage_error("one of --describe or --check is required");
  const std::string path = options.text("check");
  bool daemon_file = options.has("daemon");
  if (!daemon_file)
    if (auto doc = config::parse_toml_file(path)) daemon_file = daemon::is_daemon_document(*doc);
  if (daemon_file) {
    auto d = daemon::load_daemon_config(path);
    if (!d) return fail(d.error());
    std::cout << "{\"ok\":true,\"kind\":\"daemon\",\"classes\":" << d->engine.classes.size()
              << ",\"models\":" << d->engine.models.size() << "}\n";
    return 0;
  }
  auto c = mm::load_config(path);
  if (!c) return fail(c.error());
  std::cout << "{\"ok\":true,\"kind\":\"market_maker\",\"classes\":" << c->classes.size() << ",\"models\":" << c->models.size() << "}\n";
  return 0;
}

}  // namespace hanzo::cli
