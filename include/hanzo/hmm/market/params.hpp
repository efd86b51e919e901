// Market configuration: compute classes, market parameters and the market-regime HMM. Every
// struct has defaults and a validate() whose Error names the key path ("classes[2].weight",
// "market.lambda", "regime.transitions[1][3]"), so the config layer can map file keys 1:1.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::market {

// One asset of the market, e.g. "h100-80g".
struct ComputeClass {
  std::string id;
  double weight{1.0};     // w_i > 0: quality weight in the invariant
  double supply{1000.0};  // initial Ψ_i > 0: quality-weighted GPU-seconds available
  double credits{1000.0};  // initial Θ_i > 0: demand credit pool
  double memory_gb{0.0};  // per device, >= 0 (carried for routing; no role in pricing)

  // `path` prefixes the keys in errors, e.g. "classes[2]".
  Result<void> validate(const std::string& path = "class") const;
};

// Regime modulation of a coefficient c(t) = c0 (1 + congested·P(congested) + shock·P(shock)).
struct Modulation {
  double congested{0.0};
  double shock{0.0};
  // Extremes of the factor over all posteriors (P(congested) + P(shock) ≤ 1).
  double max_factor() const noexcept;
  double min_factor() const noexcept;
};

struct MarketParams {
  double lambda{0.1};                        // λ0: curvature; λ(t) < min_i w_i always (validated)
  Modulation lambda_modulation{0.5, 1.0};    // a, b
  double alpha{0.1};                         // restoring rate (1/s) of each class's energy H_i and of
                                             // its log price: both deviations ∝ e^{−αt} without flows
  std::optional<double> kappa;               // target κ at the initial λ; default: H at start
  double market_fee{0.003};                  // f_m, fraction of the credits of a swap
  double risk_fee{0.01};                     // λ_r0: risk fee f_r = λ_r ΔΨ_pre / Ψ
  Modulation risk_fee_modulation{1.0, 4.0};  // same shape as λ
  double reserve_floor{1e-6};                // reserves stay ≥ this fraction of their initial value
  double max_shock{10.0};                    // a shock factor must lie in (0, max_shock]
  double max_step_fraction{0.1};             // per sub-step, no reserve shrinks by more than this fraction
                                             // and no restoring line step covers more of H
  double max_flow_ratio{1000.0};             // a tick's flow on a class may be at most this many times
                                             // the class's reserve it draws on (larger of current and initial)
  unsigned max_substeps{256};                // per tick; past it the floors (cuts) hold reserves up

  // Intrinsic checks only ("market.*"); λ against the class weights is MarketConfig's job.
  Result<void> validate() const;
};

// The market-regime HMM (diagonal Gaussian over the observation of regime.hpp). Defaults and
// their rationale: see src/market/regime.cpp.
struct RegimeParams {
  std::vector<std::string> states;
  std::vector<double> initial;
  std::vector<std::vector<double>> transitions;
  std::vector<std::vector<double>> means;      // per state: utilisation, imbalance, volatility
  std::vector<std::vector<double>> variances;  // same shape, > 0
  double volatility_decay{0.2};                // β of the EWMA of squared log-price changes, (0, 1]

  RegimeParams();  // the default four-regime model
  Result<void> validate() const;  // "regime.*"
};

struct MarketConfig {
  std::vector<ComputeClass> classes;
  MarketParams market;
  RegimeParams regime;

  // Everything, plus the cross-checks: unique class ids; the largest λ the regime modulation can
  // reach stays below min_i w_i (else some price would rise with supply); modulated regimes exist.
  Result<void> validate() const;
};

}  // namespace hanzo::hmm::market
