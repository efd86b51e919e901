// Active-inference router. Policies are the feasible catalogue models; each gets an expected free
// energy G = sum_m w_m (KL[Q(o_m|pi) || sigma(C_m)] + E_Q(s) H[P(o_m|s,pi)]) over the modalities
// latency, cost, quality, success, with the market regime as hidden state s, and
// q(pi) = softmax(-gamma G + ln E). The decision is argmax q (ties: catalogue order); with
// RouterParams::sample, the argmax of q under likelihoods sampled from the counts (Thompson).
//
// Everything request-independent is precomputed: per model and regime the prior outcome
// likelihoods and entropies at create(), the price- and regime-mixed predictions once per price
// tick in prepare(). decide_into() then costs a dot product per candidate, plus a refresh of the
// (at most 8) models the tenant has feedback on.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/random.hpp"
#include "hanzo/hmm/routing/catalogue.hpp"
#include "hanzo/hmm/routing/decision.hpp"
#include "hanzo/hmm/routing/outcomes.hpp"
#include "hanzo/hmm/routing/params.hpp"
#include "hanzo/hmm/routing/types.hpp"

namespace hanzo::hmm::routing {

// Predicted outcomes of one model (policy) under the current market belief.
struct Prediction {
  std::array<double, kOutcomeBins> q{};           // Q(o|pi), one block per modality
  std::array<double, kModalities> neg_entropy{};  // sum_o Q ln Q
  std::array<double, kModalities> ambiguity{};    // E_Q(s) H[P(o|s,pi)]
  double price_per_token{0.0};                    // credits, fees included
  double expected_latency_ms{0.0};
};

// ln sigma(C): the log of the normalised preferred outcome distribution, one block per modality.
using LogPreferences = std::array<double, kOutcomeBins>;
LogPreferences log_preferences(const Preferences& prefs, const RouterParams& params);

// Unweighted per-modality risk KL[Q || sigma(C)] and ambiguity.
struct EfeTerms {
  std::array<double, kModalities> risk{};
  std::array<double, kModalities> ambiguity{};
};
EfeTerms efe_terms(const Prediction& p, const LogPreferences& ln_pref) noexcept;

// Prices and market belief, digested for one router. Build once per price tick.
class MarketSnapshot {
 public:
  const std::array<double, kMarketRegimes>& regime_posterior() const noexcept { return posterior_; }
  const std::string& regime() const noexcept { return regime_; }
  // The tenant-independent prediction for catalogue model i.
  const Prediction& prediction(std::size_t i) const { return models_.at(i).prediction; }

 private:
  friend class Router;
  struct PerModel {
    Prediction prediction;
    std::array<double, 4> cost_prior{};  // P(cost bin) before tenant counts
  };
  std::vector<PerModel> models_;
  std::array<double, kMarketRegimes> posterior_{};
  std::string regime_;
  std::uint64_t router_id_{0};
};

class Router {
 public:
  static Result<Router> create(Catalogue catalogue, RouterParams params = {});

  const Catalogue& catalogue() const noexcept { return catalogue_; }
  const RouterParams& params() const noexcept { return params_; }

  Result<MarketSnapshot> prepare(const MarketView& market) const;

  // Reuses out's strings and vectors (and a per-thread scratch): once they have grown, a routed
  // decision allocates nothing (a rejection clears the alternatives, so the next one re-grows).
  // `shared`: a pool of the tenant's peers' counts, used when params().shared_base is set (its
  // size must be the catalogue's).
  Result<void> decide_into(Decision& out, const RoutingRequest& request, const TenantView& tenant,
                           const TenantOutcomes& outcomes, const MarketSnapshot& market,
                           const SharedOutcomes* shared = nullptr) const;
  Result<Decision> decide(const RoutingRequest& request, const TenantView& tenant, const TenantOutcomes& outcomes,
                          const MarketSnapshot& market, const SharedOutcomes* shared = nullptr) const;
  // Convenience: prepare() then decide().
  Result<Decision> decide(const RoutingRequest& request, const TenantView& tenant, const TenantOutcomes& outcomes,
                          const MarketView& market) const;

  // Adds the feedback to the tenant's counts (one count per modality; a failure counts only in
  // the success modality, since a failed call's latency, cost and quality say little).
  // feedback.tenant is not checked: pass that tenant's outcomes.
  Result<void> observe(const Feedback& feedback, TenantOutcomes& outcomes) const;
  // The same feedback into a pool shared by several tenants (shared_cap, shared_forgetting).
  Result<void> observe_shared(const Feedback& feedback, SharedOutcomes& pool) const;

  // Derives the entropies cached in `outcomes` for this router (after TenantOutcomes::decode, or
  // when the router was rebuilt); observe() keeps them current.
  void attach(TenantOutcomes& outcomes) const noexcept;

  // Model i's prediction for this tenant: the snapshot's, refreshed with the tenant's counts.
  Result<Prediction> predict(std::size_t i, const TenantOutcomes& outcomes, const MarketSnapshot& market) const;

 private:
  struct ModelPrior {
    std::array<std::array<double, 4>, kMarketRegimes> latency{};  // P(bin | s)
    std::array<std::array<double, 2>, kMarketRegimes> success{};
    std::array<double, 4> quality{};
    std::array<double, kMarketRegimes> latency_entropy{}, success_entropy{}, latency_mean_ms{};
    double quality_entropy{0.0};
    std::size_t class_index{0};
    double devices{1.0};
    std::uint32_t key{0};
  };
  Router() = default;
  void derive(TenantOutcomes::Entry& e, const ModelPrior& prior) const noexcept;
  // p: the snapshot's prediction for model i, refreshed in place with the tenant's entry.
  void refresh(Prediction& p, std::size_t i, const TenantOutcomes& outcomes, const TenantOutcomes::Entry& e,
               const MarketSnapshot& market) const;
  void refresh_derived(Prediction& p, std::size_t i, const TenantOutcomes::Entry& e,  // e: derived
                       const MarketSnapshot& market) const;
  // The tenant's counts of model i plus the pool's, derived; false when there are none.
  bool combine(std::size_t i, const TenantOutcomes& outcomes, const SharedOutcomes* pool,
               TenantOutcomes::Entry& out) const noexcept;
  // Draws p's latency, quality and success blocks from Dirichlet(concentration x mean), the
  // concentration being prior_strength plus e's counts (e may be null: the prior alone).
  void sample(Prediction& p, const TenantOutcomes::Entry* e, Rng& rng) const noexcept;
  Result<std::size_t> feedback_bins(const Feedback& f, std::array<std::int8_t, kModalities>& bin) const;
  std::size_t find_key(std::uint32_t key) const noexcept;  // catalogue size if absent

  Catalogue catalogue_;
  RouterParams params_;
  std::vector<ModelPrior> priors_;
  std::array<double, 4> latency_rep_{};  // representative latency of each bin, ms
  std::array<double, 12> pref_points_{};  // bin representatives on the thresholds' scales
  LogPreferences absent_pref_{};          // ln sigma(C) when no threshold is given
  std::uint64_t id_{0};
};

// Cost-bin edges at the (geometric) quartiles of the catalogue's cost per token under `market`,
// for aligning BinParams::cost_edges with the market's price scale.
Result<std::array<double, 3>> suggest_cost_edges(const Catalogue& catalogue, const MarketView& market);

}  // namespace hanzo::hmm::routing
