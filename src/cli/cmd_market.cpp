// market replay: ticks (JSON Lines) through the Hamiltonian market, one price snapshot per tick,
// optionally as CSV and as an SVG chart of prices with the market regime shaded.
// market quote: see cmd_market_quote.cpp.
#include <fstream>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "hanzo/hmm/market/market.hpp"
#include "hanzo/hmm/wire/wire.hpp"
#include "market_ticks.hpp"
#include "mm_inputs.hpp"
#include "output.hpp"
#include "svg_plot.hpp"

namespace hanzo::cli {

namespace {
const CommandInfo kInfo{"market replay",
                        "usage: hanzo-hmm market replay [--config CONFIG.toml] --ticks TICKS.jsonl\n"
                        "                               [--csv OUT.csv] [--svg OUT.svg]\n"
                        "       hanzo-hmm market quote [--config CONFIG.toml] [--ticks TICKS.jsonl]\n"
                        "                              --class ID --gpu-seconds N\n\n"
                        "replay: applies each tick (one JSON object per line, config/schemas/tick.schema.json;\n"
                        "blank lines are skipped) to the market of the configuration and prints the price\n"
                        "snapshot after it (config/schemas/price-snapshot.schema.json), one line per tick.\n"
                        "--csv writes time, regime and price/supply/credits per class; --svg plots the prices\n"
                        "over time with the market regime shaded. A bad line, or a tick the market refuses\n"
                        "(e.g. flows out of proportion to the reserves), stops the replay: exit 2 with the\n"
                        "file, line and field.\n"
                        "quote: what N GPU-seconds of class ID cost (hanzo-hmm market quote --help).\n",
                        {{"config"}, {"ticks", true}, {"csv"}, {"svg"}}};

hanzo::hmm::Error at_line(hanzo::hmm::Error e, const std::string& path, std::size_t line) {
  return std::move(e.in_source(path + ":" + std::to_string(line)));
}

int run_replay(std::span<const std::string> args) {
  using namespace hanzo::hmm;
  Options options(kInfo);
  if (auto code = options.parse(args)) return *code;
  auto config = load_mm_config(options);
  if (!config) return fail(config.error());
  const auto market_config = config->market_config();
  auto market = market::Market::create(market_config);
  if (!market) return fail(market.error());
  const std::string path = options.text("ticks");

  std::ofstream csv;
  if (options.has("csv")) {
    csv.open(options.text("csv"));
    if (!csv) return fail(make_error(Errc::io_error, options.text("csv"), "cannot be written"));
    csv << "tick,time,regime";
    for (const auto& k : market_config.classes) csv << ',' << k.id << "_price," << k.id << "_supply," << k.id << "_credits";
    csv << '\n';
  }
  PriceChart chart;
  chart.title = "Compute prices, market regime shaded (" + path + ")";
  chart.regime_names = market_config.regime.states;
  for (const auto& k : market_config.classes) chart.series.push_back({k.id, {}});

  std::string out;
  auto replayed = apply_tick_file(*market, path, [&](const market::Snapshot& s) {
    out.clear();
    wire::encode_snapshot_into(out, s, market_config.classes, market_config.regime.states);
    std::cout << out << '\n';
    chart.times.push_back(s.time);
    chart.regime.push_back(s.regime);
    for (std::size_t k = 0; k < s.classes.size(); ++k) chart.series[k].values.push_back(s.classes[k].price);
    if (csv.is_open()) {
      csv << s.tick << ',' << format_number(s.time) << ',' << s.regime_label;
      for (const auto& c : s.classes)
        csv << ',' << format_number(c.price) << ',' << format_number(c.supply) << ',' << format_number(c.credits);
      csv << '\n';
    }
  });
  std::cout.flush();
  if (!replayed) return fail(replayed.error());
  if (options.has("svg")) {
    std::ofstream svg(options.text("svg"));
    if (!svg) return fail(make_error(Errc::io_error, options.text("svg"), "cannot be written"));
    svg << render_svg(chart);
  }
  return 0;
}
}  // namespace

hanzo::hmm::Result<void> apply_tick_file(hanzo::hmm::market::Market& market, const std::string& path,
                                         const std::function<void(const hanzo::hmm::market::Snapshot&)>& each) {
  using namespace hanzo::hmm;
  std::ifstream in(path);
  if (!in) return make_error(Errc::io_error, path, "cannot be read");
  std::string line;
  for (std::size_t number = 1; std::getline(in, line); ++number) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    auto tick = wire::decode_tick(line, market.classes());
    if (!tick) return at_line(std::move(tick).error(), path, number);
    if (auto ok = market.tick(tick->tick); !ok) return at_line(std::move(ok).error(), path, number);
    each(market.snapshot());
  }
  return {};
}

int run_market(std::span<const std::string> args) {
  if (args.empty() || args[0] == "-h" || args[0] == "--help") {
    std::cout << kInfo.usage;
    return args.empty() ? kExitUsage : 0;
  }
  if (args[0] == "replay") return run_replay(args.subspan(1));
  if (args[0] == "quote") return run_market_quote(args.subspan(1));
  print_error("hanzo-hmm market: unknown subcommand \"" + args[0] + "\" (expected replay or quote)");
  return kExitUsage;
}

}  // namespace hanzo::cli
