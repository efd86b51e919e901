// route: one routing request in, the active-inference decision out.
#include <iostream>

#include "commands.hpp"
#include "hanzo/hmm/mm/market_maker.hpp"
#include "hanzo/hmm/wire/wire.hpp"
#include "mm_inputs.hpp"
#include "output.hpp"

namespace hanzo::cli {

namespace {
const CommandInfo kInfo{"route",
                        "usage: hanzo-hmm route [--config CONFIG.toml] --request REQUEST.json [--tenant T]\n\n"
                        "Routes one request (the wire format of config/schemas/request.schema.json) with a\n"
                        "fresh MarketMaker at the configuration's opening prices, and prints the decision\n"
                        "(config/schemas/decision.schema.json). The tenant is --tenant, else the request's\n"
                        "\"tenant\", else \"default\". Without --config the built-in defaults apply.\n",
                        {{"config"}, {"request", true}, {"tenant"}}};
}  // namespace

int run_route(std::span<const std::string> args) {
  using namespace hanzo::hmm;
  Options options(kInfo);
  if (auto code = options.parse(args)) return *code;
  auto config = load_mm_config(options);
  if (!config) return fail(config.error());
  const std::string path = options.text("request");
  auto text = read_text(path);
  if (!text) return fail(text.error());
  auto message = wire::decode_request(*text);
  if (!message) return fail(std::move(message).error().in_source(path));
  std::string tenant = options.has("tenant") ? options.text("tenant") : message->tenant;
  if (tenant.empty()) tenant = "default";
  auto mm = mm::MarketMaker::create(std::move(*config));
  if (!mm) return fail(mm.error());
  auto decision = mm->route_request(tenant, message->request);
  if (!decision) return fail(std::move(decision).error().in_source(path));
  std::cout << wire::encode_decision(*decision) << '\n';
  return 0;
}

}  // namespace hanzo::cli
