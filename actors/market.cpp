#include "market.hpp"

#include <chrono>

#include "hanzo/hmm/daemon/metrics.hpp"
#include "hanzo/hmm/daemon/notify.hpp"
#include "hanzo/hmm/kafka/dlq.hpp"
#include "hanzo/hmm/wire/quote.hpp"
#include "log.hpp"
#include "output.hpp"

namespace hanzo::hmm::actors {

namespace {

void apply(market_state& st, TickItem& item) {
  const Engine& e = *st.engine;
  const auto start = std::chrono::steady_clock::now();
  if (!item.tick) {
    auto decoded = wire::decode_tick(item.original.value, e.config.engine.classes);
    if (!decoded) return dead_letter(e, item.original, item.token, classify(decoded.error()), decoded.error().to_string());
    item.tick = std::move(*decoded);
  }
  auto ok = st.market->tick(item.tick->tick);
  if (!ok) {
    // Well-formed but refused by the market (a shock beyond market.max_shock, flows out of
    // proportion to the reserves, a state that would leave the doubles): DLQ, prices unchanged.
    return dead_letter(e, item.original, item.token, daemon::DlqReason::rejected, ok.error().to_string());
  }
  const market::Snapshot& snap = st.market->snapshot();
  if (auto published = e.publish_prices(snap, *st.market); !published)
    log_error("market: prices not published to routers: " + published.error().to_string());
  kafka::Record r;
  r.topic = e.config.topics.prices;
  wire::encode_snapshot_into(r.value, snap, e.config.engine.classes, e.regime_states);
  e.sink->produce(std::move(r), item.token);
  if (e.metrics) {
    e.metrics->tick_processing(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
    e.metrics->market(snap);
  }
}

// At the market's current state; the market is not changed. A request that does not decode goes
// to the DLQ; one for an unknown class or more than the supply gets an answer with its reason.
void answer(market_state& st, QuoteItem& item) {
  const Engine& e = *st.engine;
  auto request = wire::decode_quote_request(item.original.value);
  if (!request) return dead_letter(e, item.original, item.token, classify(request.error()), request.error().to_string());
  const wire::QuoteAnswer a = wire::answer_quote(*st.market, *request);
  kafka::Record r;
  r.topic = e.config.topics.quote_answers;
  r.key = item.original.key;
  r.value = wire::encode_quote_answer(a);
  e.sink->produce(std::move(r), item.token);
  if (e.metrics) e.metrics->quote(!a.error);
}

}  // namespace

market_actor::behavior_type market(market_actor::stateful_pointer<market_state> self, std::shared_ptr<const Engine> engine) {
  self->state.engine = std::move(engine);
  self->state.market = std::make_unique<market::Market>(*self->state.engine->initial_market);
  if (self->state.engine->metrics) self->state.engine->metrics->market(self->state.market->snapshot());
  // The market cannot be rebuilt in place: once it fails, Health::market stops beating, the
  // watchdog stops pinging, and systemd restarts the daemon.
  self->set_exception_handler([](std::exception_ptr& e) -> caf::error {
    log_error("market: " + describe(e));
    return caf::make_error(caf::sec::runtime_error);
  });
  return {
      [self](TickBatch& batch) {
        for (auto& item : batch.items) apply(self->state, item);
        for (auto& item : batch.quotes) answer(self->state, item);
        if (auto* h = self->state.engine->health) h->beat(daemon::Health::market);
      },
      [self](heartbeat_atom) {
        if (auto* h = self->state.engine->health) h->beat(daemon::Health::market);
      },
      [self](prices_atom) -> market::Snapshot { return self->state.market->snapshot(); },
  };
}

}  // namespace hanzo::hmm::actors
