// The market actor: ticks move prices for routers without a round trip; refused ticks go to
// the DLQ unchanged; prices are published per tick.
#include <cmath>
#include <fstream>

#include "fixture.hpp"
#include "hanzo/hmm/wire/market.hpp"
#include "hanzo/hmm/wire/quote.hpp"

using namespace acttest;

namespace {

std::vector<std::string> demo_ticks() {
  std::ifstream in(std::string(HANZO_CONFIG_DIR) + "/demo/ticks-shock.jsonl");
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);)
    if (!line.empty()) lines.push_back(line);
  return lines;
}

TickItem tick_item(std::uint64_t token, const std::string& json, const daemon::DaemonConfig& cfg) {
  TickItem t;
  t.token = token;
  t.tick = wire::decode_tick(json, cfg.engine.classes).value();
  t.original.topic = cfg.topics.ticks;
  t.original.offset = static_cast<std::int64_t>(token);
  t.original.value = json;
  return t;
}

}  // namespace

TEST_CASE("ticks move the prices the routers use, as in the facade", "[actors][market]") {
  Fixture f;
  auto market = f.sys.spawn(actors::market, f.engine);
  const auto ticks = demo_ticks();
  REQUIRE(ticks.size() > 10);
  std::uint64_t token = 1000;
  std::uint64_t request_token = 0;
  // Alternate: a batch of ticks, then requests; the facade sees the same sequence.
  for (std::size_t i = 0; i < ticks.size(); i += 5) {
    TickBatch batch;
    for (std::size_t k = i; k < std::min(i + 5, ticks.size()); ++k) {
      batch.items.push_back(tick_item(++token, ticks[k], f.config));
      REQUIRE(f.reference->tick(batch.items.back().tick->tick));
      if (k % 2) batch.items.back().tick.reset();  // half arrive raw: the actor decodes them
    }
    caf::anon_send(market, std::move(batch));
    f.run();
    IngestBatch b;
    b.tenants.push_back({"acme", {TenantItem{++request_token, -1, request("q" + std::to_string(i))}}});
    f.send(std::move(b));
    f.run();
  }
  CHECK(f.decisions().at("acme") == f.expected.at("acme"));
  // One price snapshot per tick, the last equal to the facade's prices.
  const auto prices = f.sink.on(f.config.topics.prices);
  REQUIRE(prices.size() == ticks.size());
  const auto last = wire::decode_snapshot(prices.back().value, f.config.engine.classes,
                                          f.config.engine.market_regime.states)
                        .value();
  const auto& ref = f.reference->prices();
  REQUIRE(last.classes.size() == ref.classes.size());
  for (std::size_t c = 0; c < ref.classes.size(); ++c) CHECK(last.classes[c].price == Approx(ref.classes[c].price).epsilon(1e-12));
  CHECK(f.engine->prices.latest()->snapshot.tick == ticks.size());
  caf::anon_send_exit(market, caf::exit_reason::user_shutdown);
}

TEST_CASE("a tick the market refuses goes to the DLQ unchanged and prices stay", "[actors][market]") {
  Fixture f;
  auto market = f.sys.spawn(actors::market, f.engine);
  const std::string bad = R"({"dt": 1.0, "flows": [{"class": "h100-80g", "shock": 1000.0}]})";
  const auto before = f.engine->prices.latest();
  TickBatch batch;
  batch.items.push_back(tick_item(7, bad, f.config));
  caf::anon_send(market, std::move(batch));
  f.run();
  const auto dlq = f.sink.on(f.config.topics.dlq);
  REQUIRE(dlq.size() == 1);
  CHECK(dlq[0].value == bad);
  const auto reason = kafka::find_header(dlq[0].headers, kafka::dlq_reason_header);
  REQUIRE(reason);
  CHECK(reason->starts_with("rejected: "));
  CHECK(reason->find("shock") != std::string_view::npos);
  CHECK(kafka::find_header(dlq[0].headers, kafka::dlq_offset_header) == std::optional<std::string_view>("7"));
  CHECK(f.sink.on(f.config.topics.prices).empty());
  CHECK(f.engine->prices.latest() == before);
  caf::anon_send_exit(market, caf::exit_reason::user_shutdown);
}

TEST_CASE("a tick that does not decode goes to the DLQ with its reason", "[actors][market]") {
  Fixture f;
  auto market = f.sys.spawn(actors::market, f.engine);
  TickBatch batch;
  for (const std::string& bad : {std::string("{\"dt\": 1.0, \"flows\": [{\"class\": \"tpu-v9\"}]}"), std::string("{oops")}) {
    TickItem t;
    t.token = batch.items.size() + 1;
    t.original.topic = f.config.topics.ticks;
    t.original.value = bad;
    batch.items.push_back(std::move(t));
  }
  caf::anon_send(market, std::move(batch));
  f.run();
  const auto dlq = f.sink.on(f.config.topics.dlq);
  REQUIRE(dlq.size() == 2);
  CHECK(kafka::find_header(dlq[0].headers, kafka::dlq_reason_header)->starts_with("schema: flows[0].class"));
  CHECK(kafka::find_header(dlq[1].headers, kafka::dlq_reason_header)->starts_with("invalid_json: "));
  CHECK(f.sink.on(f.config.topics.prices).empty());
  caf::anon_send_exit(market, caf::exit_reason::user_shutdown);
}

TEST_CASE("ticks out of proportion to the reserves go to the DLQ - published prices stay finite", "[actors][market]") {
  Fixture f;
  auto market = f.sys.spawn(actors::market, f.engine);
  const std::string good = R"({"dt": 1.0, "flows": [{"class": "h100-80g", "supply_in": 500, "usage": 600}]})";
  const std::vector<std::pair<std::string, std::string>> huge = {
      {"demand", R"({"dt": 1.0, "flows": [{"class": "h100-80g", "demand": 1e160}]})"},
      {"supply_in", R"({"dt": 1.0, "flows": [{"class": "cpu", "supply_in": 1e160}]})"},
      {"usage", R"({"dt": 1.0, "flows": [{"class": "l4-24g", "usage": 1e200}]})"}};
  TickBatch batch;
  std::uint64_t token = 0;
  for (const auto& [field, text] : huge) {
    batch.items.push_back(tick_item(++token, good, f.config));
    batch.items.push_back(tick_item(++token, text, f.config));
  }
  caf::anon_send(market, std::move(batch));
  f.run();
  const auto dlq = f.sink.on(f.config.topics.dlq);
  REQUIRE(dlq.size() == huge.size());
  for (std::size_t k = 0; k < huge.size(); ++k) {
    CHECK(dlq[k].value == huge[k].second);
    const auto reason = kafka::find_header(dlq[k].headers, kafka::dlq_reason_header);
    REQUIRE(reason);
    CHECK(reason->starts_with("rejected: tick.flows[0]." + huge[k].first));
    CHECK(reason->find("max_flow_ratio") != std::string_view::npos);
  }
  const auto prices = f.sink.on(f.config.topics.prices);
  REQUIRE(prices.size() == huge.size());  // the good ticks only
  for (const auto& p : prices) {
    // decode_snapshot refuses null and non-finite numbers, and prices must be > 0.
    const auto s = wire::decode_snapshot(p.value, f.config.engine.classes, f.config.engine.market_regime.states);
    REQUIRE(s);
    for (const auto& c : s->classes) CHECK(std::isfinite(c.price));
  }
  caf::anon_send_exit(market, caf::exit_reason::user_shutdown);
}

TEST_CASE("quote requests are answered at the prices the round's ticks leave, keyed as they came", "[actors][market]") {
  Fixture f;
  auto market = f.sys.spawn(actors::market, f.engine);
  const std::string tick = R"({"dt": 1.0, "flows": [{"class": "h100-80g", "demand": 900, "usage": 300}]})";
  market::Market reference(*f.engine->initial_market);
  REQUIRE(reference.tick(wire::decode_tick(tick, f.config.engine.classes).value().tick));
  const auto quote = [&](std::uint64_t token, std::optional<std::string> key, std::string value) {
    QuoteItem q;
    q.token = token;
    q.original.topic = f.config.topics.quotes;
    q.original.key = std::move(key);
    q.original.value = std::move(value);
    return q;
  };
  TickBatch batch;
  batch.items.push_back(tick_item(1, tick, f.config));
  batch.quotes.push_back(quote(2, "buyer-1", R"({"id": "q-1", "class": "h100-80g", "gpu_seconds": 3600})"));
  batch.quotes.push_back(quote(3, std::nullopt, R"({"id": "q-2", "class": "tpu-v5", "gpu_seconds": 60})"));
  batch.quotes.push_back(quote(4, "buyer-3", R"({"id": "q-3", "class": "h100-80g"})"));
  caf::anon_send(market, std::move(batch));
  f.run();
  const auto answers = f.sink.on(f.config.topics.quote_answers);
  REQUIRE(answers.size() == 2);
  CHECK(answers[0].key == std::optional<std::string>("buyer-1"));
  CHECK_FALSE(answers[1].key);
  const auto a = wire::decode_quote_answer(answers[0].value).value();
  REQUIRE_FALSE(a.error);
  const auto q = reference.quote_buy_supply(0, 3600.0).value();  // after the tick, not before
  CHECK(a.cost == q.amount_in);
  CHECK(a.marginal_price == q.price_after);
  const auto refused = wire::decode_quote_answer(answers[1].value).value();
  REQUIRE(refused.error);
  CHECK_THAT(*refused.error, Catch::Contains("tpu-v5"));
  const auto dlq = f.sink.on(f.config.topics.dlq);
  REQUIRE(dlq.size() == 1);
  CHECK(dlq[0].value == R"({"id": "q-3", "class": "h100-80g"})");
  CHECK(kafka::find_header(dlq[0].headers, kafka::dlq_reason_header)->find("gpu_seconds") != std::string_view::npos);
  // A quote does not move the market: the prices routers see are the tick's.
  CHECK(f.engine->prices.latest()->snapshot.classes[0].price == Approx(reference.prices()[0]).epsilon(1e-12));
  caf::anon_send_exit(market, caf::exit_reason::user_shutdown);
}
