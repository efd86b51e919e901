// market quote: the exact cost of an amount of GPU-seconds of one class, at the market's opening
// state or after a tick file, as the level-set swap would charge it (not the marginal price
// times the amount, which is low for any real amount: the price rises along the purchase).
#include <iostream>

#include <boost/json/object.hpp>

#include "commands.hpp"
#include "hanzo/hmm/market/market.hpp"
#include "market_ticks.hpp"
#include "mm_inputs.hpp"
#include "output.hpp"

namespace hanzo::cli {

namespace {
const CommandInfo kInfo{"market quote",
                        "usage: hanzo-hmm market quote [--config CONFIG.toml] [--ticks TICKS.jsonl]\n"
                        "                              --class ID --gpu-seconds N\n\n"
                        "Prints, as one JSON object, what buying N GPU-seconds of compute class ID costs at\n"
                        "the market of the configuration (after the ticks of TICKS.jsonl, if given, as\n"
                        "`market replay` applies them): the exact swap along the class's level set, fees\n"
                        "included. Keys: class, gpu_seconds, cost (credits, fees included), fee, average_price\n"
                        "(cost / N), marginal_price_before, marginal_price (after the purchase), tick (ticks\n"
                        "applied). An unknown class, N <= 0, or more than the class can supply: exit 2.\n",
                        {{"config"}, {"ticks"}, {"class", true}, {"gpu-seconds", true}}};
}  // namespace

int run_market_quote(std::span<const std::string> args) {
  using namespace hanzo::hmm;
  Options options(kInfo);
  if (auto code = options.parse(args)) return *code;
  const auto amount = options.number("gpu-seconds", 0.0, 0.0, true);
  if (!amount) return kExitUsage;
  auto config = load_mm_config(options);
  if (!config) return fail(config.error());
  auto market = market::Market::create(config->market_config());
  if (!market) return fail(market.error());
  if (options.has("ticks"))
    if (auto ok = apply_tick_file(*market, options.text("ticks"), [](const market::Snapshot&) {}); !ok)
      return fail(ok.error());
  auto cls = market->index_of(options.text("class"));
  if (!cls) return fail(make_error(Errc::unknown_symbol, "--class", cls.error().message));
  auto q = market->quote_buy_supply(*cls, *amount);
  if (!q) return fail(make_error(q.error().code, "--gpu-seconds", q.error().message));
  boost::json::object out;
  out["class"] = options.text("class");
  out["gpu_seconds"] = *amount;
  out["cost"] = q->amount_in;
  out["fee"] = q->fee;
  out["average_price"] = q->amount_in / *amount;
  out["marginal_price_before"] = q->price_before;
  out["marginal_price"] = q->price_after;
  out["tick"] = market->snapshot().tick;
  print_json(out);
  return 0;
}

}  // namespace hanzo::cli
