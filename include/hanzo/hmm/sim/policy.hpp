// Routing policies run against the simulated world: the router (library, in-process) and the
// baselines it is measured against. Every policy sees the same request stream and, for the model
// it picks, the same outcome (common random numbers, world.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/routing/params.hpp"
#include "hanzo/hmm/sim/world.hpp"

namespace hanzo::hmm::sim {

struct Step {
  const World& world;
  const Request& request;
  std::span<const std::size_t> feasible;  // catalogue indices, never empty
};

class Policy {
 public:
  virtual ~Policy() = default;
  const std::string& name() const noexcept { return name_; }
  // A catalogue index among step.feasible.
  virtual Result<std::size_t> choose(const Step& step) = 0;
  virtual Result<void> observe(const Step& /*step*/, std::size_t /*model*/, const Outcome& /*o*/) { return {}; }

 protected:
  explicit Policy(std::string name) : name_(std::move(name)) {}

 private:
  std::string name_;
};

// Best expected utility under the truth: the upper bound (its regret is 0 by definition).
std::unique_ptr<Policy> make_oracle();
// Lowest price per token.
std::unique_ptr<Policy> make_cheapest();
// Best utility computed from the catalogue's advertised success, quality and latency.
std::unique_ptr<Policy> make_advertised_best();
// Uniform among the feasible models, seeded by (seed, request).
std::unique_ptr<Policy> make_random(std::uint64_t seed);

// Replays recorded choices (choices[t] for request t; an error past their end). It learns
// nothing: whoever made the choices did.
std::unique_ptr<Policy> make_replay(std::string name, std::vector<std::size_t> choices);

// LiteLLM-style latency routing, fleet-wide: lowest moving-average observed latency (starting
// from the catalogue's), and a model with `allowed_fails` failures in a row cools down (is skipped)
// for `cooldown` requests.
struct LatencyRoutingParams {
  double ewma_weight{0.2};
  std::size_t allowed_fails{3};
  std::size_t cooldown{100};
};
std::unique_ptr<Policy> make_lowest_latency(LatencyRoutingParams params = {});

// Thompson sampling over the realised utility U of each model, with a Gaussian posterior per
// (key, model): prior mean the advertised utility worth `prior_count` observations, known noise
// sigma; the key is the tenant (per-tenant bandit) or its segment (pooled across the segment).
struct ThompsonParams {
  double sigma{0.3};
  double prior_count{1.0};
};
enum class ThompsonScope : std::uint8_t { tenant, segment };
std::unique_ptr<Policy> make_thompson(ThompsonScope scope, std::uint64_t seed, ThompsonParams params = {});

// The active-inference router as a tenant fleet would run it: a TenantSession (regime filter,
// habit adapter, outcome counts) per tenant, the router's decision, feedback into the session and,
// when params.shared_base, into one SharedOutcomes pool per segment.
Result<std::unique_ptr<Policy>> make_router(const World& world, std::string name, routing::RouterParams params);

// The router with each improvement taken away in turn, for the ablation: "router-no-sampling",
// "router-no-forgetting" (neither the tenant's counts nor the pool's fade), "router-no-shared-base",
// "router-habit" (habit_weight 1) and "router-before" (all four as before: argmax, no
// forgetting, no pool, habit_weight 1).
std::vector<std::pair<std::string, routing::RouterParams>> ablation_variants(const routing::RouterParams& full);

}  // namespace hanzo::hmm::sim
