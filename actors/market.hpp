// The market actor (see actors.hpp): the only writer of the Hamiltonian market.
#pragma once
#include <memory>
#include <string>

#include <caf/typed_event_based_actor.hpp>

#include "actors.hpp"
#include "engine.hpp"

namespace hanzo::hmm::actors {

struct market_state {
  static inline const char* name = "hanzo.market";
  std::shared_ptr<const Engine> engine;
  std::unique_ptr<market::Market> market;
  std::string buffer;  // reused for the price snapshot JSON
};

// Starts from a copy of the engine's initial market.
market_actor::behavior_type market(market_actor::stateful_pointer<market_state> self, std::shared_ptr<const Engine> engine);

}  // namespace hanzo::hmm::actors
