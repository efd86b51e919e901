// Ticks in, price snapshots out.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/market/params.hpp"

namespace hanzo::hmm::market {

// One class's flows over a tick: amounts accumulated over the tick's dt seconds (not rates).
struct ClassFlow {
  std::size_t cls{0};      // class index (resolve ids once with resolve_class_ids)
  double supply_in{0.0};   // s ≥ 0: GPU-seconds offered
  double usage{0.0};       // u ≥ 0: GPU-seconds consumed
  double demand{0.0};      // d ≥ 0: credits entering
  double value_out{0.0};   // v ≥ 0: credits paid out for the value delivered
  double shock{1.0};       // Ψ_i ← shock·Ψ_i at the tick's start, in (0, max_shock]; 1 = none
};

struct Tick {
  double dt{0.0};                // seconds ≥ 0
  std::vector<ClassFlow> flows;  // classes not listed have no flows; each class at most once
};

// Class ids → indices, in order; the Error names the first unknown id ("ids[3]").
Result<std::vector<std::size_t>> resolve_class_ids(std::span<const ComputeClass> classes,
                                                   std::span<const std::string> ids);

// The part of a class's outflows a tick could not apply because the reserve hit its floor.
struct FlowCut {
  std::size_t cls{0};
  double supply{0.0};   // GPU-seconds not removed from Ψ
  double credits{0.0};  // credits not removed from Θ
};

struct ClassSnapshot {
  double price{0.0};     // credits per GPU-second
  double supply{0.0};    // Ψ_i
  double credits{0.0};   // Θ_i
  double risk_fee{0.0};  // λ_r(t)/Ψ_i: risk fee rate per GPU-second bought (f_r = q·risk_fee)
  double fees{0.0};      // credits collected from this class's swaps since the start
};

struct Snapshot {
  std::uint64_t tick{0};  // ticks applied
  double time{0.0};       // Σ dt, seconds
  std::vector<ClassSnapshot> classes;
  double hamiltonian{0.0};  // H at λ(t)
  double kappa{0.0};
  double drift{0.0};        // |H − κ| / κ
  double lambda{0.0};       // λ(t), in force for the next swap and tick
  double risk_lambda{0.0};  // λ_r(t)
  double market_fee{0.0};   // f_m
  std::size_t regime{0};    // most likely market regime
  std::string regime_label;
  std::vector<double> regime_posterior;
  double utilisation{0.0}, imbalance{0.0}, volatility{0.0};  // the last tick's regime observation
  std::vector<FlowCut> cuts;   // classes whose flows were cut in the last tick
  bool restore_limited{false};  // the last tick's restoring step was held back by a floor
  unsigned substeps{0};         // flow-integration sub-steps of the last tick
};

}  // namespace hanzo::hmm::market
