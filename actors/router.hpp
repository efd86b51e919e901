// The router actor (see actors.hpp): stateless apart from a reused decision buffer, so any
// number can run; a tenant always uses the same one, which keeps its decisions in order.
#pragma once
#include <memory>

#include <caf/typed_event_based_actor.hpp>

#include "actors.hpp"
#include "engine.hpp"
#include "hanzo/hmm/routing/decision.hpp"

namespace hanzo::hmm::actors {

struct router_state {
  static inline const char* name = "hanzo.router";
  std::shared_ptr<const Engine> engine;
  routing::Decision scratch;  // reused: a routed decision then allocates (almost) nothing
  kafka::Record record;       // reused likewise: the producer copies what it sends
};

router_actor::behavior_type router(router_actor::stateful_pointer<router_state> self, std::shared_ptr<const Engine> engine);

}  // namespace hanzo::hmm::actors
