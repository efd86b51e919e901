#include "router.hpp"

#include "log.hpp"
#include "output.hpp"

namespace hanzo::hmm::actors {

router_actor::behavior_type router(router_actor::stateful_pointer<router_state> self, std::shared_ptr<Engine> engine) {
  self->state.engine = std::move(engine);
  // A failed run reaches its tenant as an error response, which answers it "rejected".
  self->set_exception_handler([](std::exception_ptr& e) -> caf::error {
    log_error("router: " + describe(e));
    return caf::make_error(caf::sec::runtime_error);
  });
  return {
      [self](const RouteRunMsg& msg) -> RouteResult {
        Engine& e = *self->state.engine;
        routing::Decision& d = self->state.scratch;
        const RouteRun& run = *msg.run;
        const auto prices = e.prices.latest();  // one load per run: a run sees one price state
        RouteResult result;
        result.routed.reserve(run.items.size());
        result.decisions.reserve(run.items.size());
        for (const auto& item : run.items) {
          if (!item.rejection.empty()) {
            result.decisions.push_back(rejection_record(e, run.tenant, item, item.rejection));
            result.routed.emplace_back();
            continue;
          }
          const routing::TenantView view{run.tenant, item.part.regime_posterior, item.part.regime, item.part.habit};
          if (auto ok = e.router->decide_into(d, item.request, view, run.session->outcomes(), prices->prepared); !ok) {
            result.decisions.push_back(rejection_record(e, run.tenant, item, ok.error().to_string()));
            result.routed.emplace_back();
            continue;
          }
          result.decisions.push_back(decision_record(e, d, item.timestamp_ms));
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
