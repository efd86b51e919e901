#include "router.hpp"

#include <shared_mutex>

#include "log.hpp"
#include "output.hpp"

namespace hanzo::hmm::actors {

router_actor::behavior_type router(router_actor::stateful_pointer<router_state> self, std::shared_ptr<const Engine> engine) {
  self->state.engine = std::move(engine);
  // A failed run reaches its tenant as an error response, which answers it "rejected".
  self->set_exception_handler([](std::exception_ptr& e) -> caf::error {
    log_error("router: " + describe(e));
    return caf::make_error(caf::sec::runtime_error);
  });
  return {
      [self](const RouteRunMsg& msg) -> RouteResult {
        const Engine& e = *self->state.engine;
        routing::Decision& d = self->state.scratch;
        const RouteRun& run = *msg.run;
        const auto prices = e.prices.latest();  // one load per run: a run sees one price state
        RouteResult result;
        result.routed.reserve(run.items.size());
        // Produced here, as each is made: a decision goes straight to Kafka, not back through
        // the tenant. The tenant's gate counts them (its next state record waits for them).
        auto emit = [&](const kafka::Record& r, const RouteItem& item) {
          e.sink->produce_decision(r, *run.gate);
          processed(e, item.polled);
        };
        for (const auto& item : run.items) {
          const Placement where{run.decisions_partition, run.partition, item.offset};
          if (!item.rejection.empty()) {
            emit(rejection_record(e, run.tenant, item, item.rejection, where), item);
            result.routed.emplace_back();
            continue;
          }
          const routing::TenantView view{run.tenant, item.part.regime_posterior, item.part.regime, item.part.habit};
          // The pool (if any) is read-locked for the decision only, not while producing.
          std::shared_lock<std::shared_mutex> lock;
          if (run.pool) lock = std::shared_lock(run.pool->mutex);
          auto ok = e.router->decide_into(d, item.request, view, run.session->outcomes(), prices->prepared,
                                          run.pool ? &run.pool->outcomes : nullptr);
          if (lock) lock.unlock();
          if (!ok) {
            emit(rejection_record(e, run.tenant, item, ok.error().to_string(), where), item);
            result.routed.emplace_back();
            continue;
          }
          decision_record_into(self->state.record, e, d, item.timestamp_ms, where);
          emit(self->state.record, item);
          if (d.status == routing::Status::routed)
            result.routed.emplace_back(d.model_index);
          else
            result.routed.emplace_back();
        }
        return result;
      },
  };
}

}  // namespace hanzo::hmm::actors
