// Layer 4, routing: catalogue, outcome model, expected free energy, decision. A pure function of
// (request, tenant view + TenantOutcomes, price snapshot, catalogue); no I/O, errors as values.
//
// Design choices (where the spec left room):
// - Bins: latency 4 (edges 500/1000/2000 ms), cost 4 (2.5e-6/1e-5/4e-5 credits per token),
//   quality 4 (0.65/0.8/0.9), success 2. Fixed counts so the tenant counts persist; edges are
//   configuration (BinParams; suggest_cost_edges aligns cost with the market's scale).
// - Prior likelihoods: latency log-normal (catalogue median x regime stretch, sigma x regime
//   scale), quality logit-normal around the catalogue figure, success from success_rate x the
//   regime's failure multiplier, cost log-normal (sigma 0.25) around price x devices / tok/s x
//   (1 + f_r + f_m); each weighted prior_strength = 10 pseudo-counts against the tenant's counts.
// - C: logistic satisfaction of each bin's representative against the stated threshold, floored
//   at 0.02; an absent threshold gives a gentle ramp (0.25 nats per bin). Success: ln 1 vs -4.
// - gamma and modality weights are posterior means over the tenant regimes (RegimeParams):
//   exploration gamma 1, exploitation 4, crisis 3 (latency x2, success x3, cost x0.5),
//   transition 2 (success x1.5).
// - For cost and quality (no hidden-state dependence) risk + ambiguity is the cross-entropy
//   -sum Q ln sigma(C), monotone in the outcome distribution; KL risk alone is not (being
//   "too sure" of a good bin is risk too), which is why tests check both.
#pragma once

#include "hanzo/hmm/routing/catalogue.hpp"
#include "hanzo/hmm/routing/decision.hpp"
#include "hanzo/hmm/routing/features.hpp"
#include "hanzo/hmm/routing/outcomes.hpp"
#include "hanzo/hmm/routing/params.hpp"
#include "hanzo/hmm/routing/router.hpp"
#include "hanzo/hmm/routing/types.hpp"
