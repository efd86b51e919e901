// Router configuration. Every field has a default; validate() names the offending key path
// (e.g. "regimes.crisis.gamma: must be finite and > 0"), the config layer maps files onto this.
#pragma once

#include <array>
#include <cstddef>

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::routing {

// Fixed-count bins (types.hpp); the edges are strictly increasing and positive.
struct BinParams {
  std::array<double, 3> latency_edges_ms{500.0, 1000.0, 2000.0};
  // Credits per token. Align with the market's price scale (see suggest_cost_edges in router.hpp).
  std::array<double, 3> cost_edges{2.5e-6, 1e-5, 4e-5};
  std::array<double, 3> quality_edges{0.65, 0.8, 0.9};  // in (0, 1)
};

// How preferences become log-preferences C over bins: a bin's satisfaction s = logistic of how far
// its representative value lies on the good side of the threshold (in ln units for latency and
// cost, logit units for quality), C = ln(floor + (1 - floor) s).
struct PreferenceParams {
  double floor{0.02};            // in (0, 1): relative preference for a fully unsatisfying bin
  double latency_softness{0.3};  // logistic width, ln(ms)
  double cost_softness{0.4};     // logistic width, ln(credits)
  double quality_softness{0.35};  // logistic width, logit
  double absent_slope{0.25};      // no threshold given: C falls this much per worse bin
  double failure_log_preference{-4.0};  // C of the fail bin (ok bin: 0), < 0
};

// What a market regime does to a model's outcomes (the regime is the hidden state s).
struct MarketEffect {
  double latency_stretch{1.0};      // multiplies the median latency, > 0
  double latency_sigma_scale{1.0};  // multiplies the log-normal sigma, > 0
  double failure_multiplier{1.0};   // multiplies the failure rate (capped at 0.5), > 0
};

struct OutcomeParams {
  double prior_strength{10.0};  // pseudo-counts of catalogue/price evidence per modality, > 0
  double count_cap{100.0};      // tenant counts per model and modality are rescaled to <= this
  double cost_sigma{0.25};      // log-normal spread of realised cost per token around the quote
  double quality_sigma{0.5};    // logit-normal spread of response quality around the catalogue
  MarketEffect slack{0.85, 0.9, 0.7};
  MarketEffect balanced{1.0, 1.0, 1.0};
  MarketEffect congested{1.6, 1.2, 2.0};
  MarketEffect shock{2.5, 1.5, 5.0};
};

// Per tenant regime: precision gamma of q(pi) and the weight of each modality in G.
struct RegimeParams {
  double gamma{1.0};  // > 0
  double latency{1.0}, cost{1.0}, quality{1.0}, success{1.0};  // >= 0, not all 0
};

struct TenantRegimeParams {
  RegimeParams exploration{1.0, 1.0, 1.0, 1.0, 1.0};   // low precision: spread the probability
  RegimeParams exploitation{4.0, 1.0, 1.0, 1.0, 1.0};  // sharp
  RegimeParams crisis{3.0, 2.0, 0.5, 0.8, 3.0};        // success and latency first
  RegimeParams transition{2.0, 1.0, 1.0, 1.0, 1.5};
};

struct RouterParams {
  BinParams bins;
  PreferenceParams preferences;
  OutcomeParams outcomes;
  TenantRegimeParams regimes;
  // Learning beyond the posterior mean. All off (the defaults) keeps a decision a deterministic
  // argmax over the tenant's own counts.
  // Thompson sampling: each candidate's latency, quality and success likelihoods are drawn from
  // their Dirichlet posteriors (prior pseudo-counts + counts) before G is scored, by a generator
  // seeded from (tenant, request id), so a decision stays reproducible. Explores models whose
  // evidence is thin, and retries a failed model as its forgotten failures thin out.
  bool sample{false};
  // In [0, 1): every update multiplies the counts already held by 1 - forgetting, so old evidence
  // (an outage that is over) fades after about 1 / forgetting of the tenant's updates.
  double forgetting{0.0};
  // Decisions add the counts of a SharedOutcomes pool (fed by every tenant sharing it) to the
  // tenant's own: a base learned across tenants under the tenant's delta. Only where the caller
  // keeps a pool and passes it to decide (the simulator; the daemon passes none).
  bool shared_base{false};
  double shared_cap{50.0};          // pool counts per model and modality are rescaled to <= this, in [1, 1e6]
  double shared_forgetting{0.002};  // like forgetting, per pool update, in [0, 1)
  // Multiplies the adapter's ln-habit score, >= 0. 0 by default: the adapter's reward has no
  // baseline, so any success grows the incumbent's habit and locks a tenant onto its first choice.
  double habit_weight{0.0};
  double preferred_bonus{1.0};    // ln E bonus for a preferred_models entry, >= 0
  double completion_tokens{256};  // assumed completion size for expected_cost, >= 0
  double chars_per_token{4.0};    // input length -> tokens, > 0
  std::size_t max_fallbacks{3};

  Result<void> validate() const;
};

}  // namespace hanzo::hmm::routing
