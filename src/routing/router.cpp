// Router construction (per-model prior tables) and price snapshots.
#include "hanzo/hmm/routing/router.hpp"

#include <algorithm>
#include <atomic>
#include <cmath>

#include "maths.hpp"
#include "preferences.hpp"

namespace hanzo::hmm::routing {

using namespace detail;

namespace {

std::array<double, 3> log_edges(const std::array<double, 3>& e) {
  return {std::log(e[0]), std::log(e[1]), std::log(e[2])};
}

std::array<const MarketEffect*, kMarketRegimes> effects(const OutcomeParams& o) {
  return {&o.slack, &o.balanced, &o.congested, &o.shock};
}

double devices_for(const ModelSpec& m, const ClassInfo& c) { return std::max(1.0, std::ceil(m.memory_gb / c.memory_gb)); }

// Credits per token: the class's device-second price times the devices the model occupies,
// over its tokens per second, plus the risk and base fees (fractions of the compute price).
double cost_per_token(const ModelSpec& m, double devices, const ClassPrice& p) {
  return p.price_per_gpu_second * devices / m.tokens_per_second * (1.0 + p.risk_fee + p.base_fee);
}

template <std::size_t N>
std::size_t argmax(const std::array<double, N>& p) {
  return static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin());
}

}  // namespace

Result<Router> Router::create(Catalogue catalogue, RouterParams params) {
  if (auto r = catalogue.validate(); !r) return std::move(r).error().within("catalogue");
  if (auto r = params.validate(); !r) return std::move(r).error();
  static std::atomic<std::uint64_t> next_id{1};
  Router router;
  router.id_ = next_id.fetch_add(1, std::memory_order_relaxed);
  const auto lat_edges = log_edges(params.bins.latency_edges_ms);
  std::array<double, 3> q_edges{};
  for (std::size_t i = 0; i < 3; ++i) q_edges[i] = logit(params.bins.quality_edges[i]);
  const auto fx = effects(params.outcomes);
  router.priors_.resize(catalogue.models.size());
  for (std::size_t i = 0; i < catalogue.models.size(); ++i) {
    const ModelSpec& m = catalogue.models[i];
    ModelPrior& p = router.priors_[i];
    p.key = model_key(m.name);
    for (std::size_t j = 0; j < i; ++j)
      if (router.priors_[j].key == p.key)
        return make_error(Errc::duplicate_label, "catalogue.models[" + std::to_string(i) + "].name",
                          "hash collides with models[" + std::to_string(j) + "]; rename one");
    p.class_index = *catalogue.class_index(m.compute_class);
    p.devices = devices_for(m, catalogue.classes[p.class_index]);
    for (std::size_t s = 0; s < kMarketRegimes; ++s) {
      const double mu = std::log(m.latency_ms * fx[s]->latency_stretch);
      const double sigma = m.latency_sigma * fx[s]->latency_sigma_scale;
      p.latency[s] = normal_bins(lat_edges, mu, sigma);
      p.latency_entropy[s] = -neg_entropy(p.latency[s].data(), 4);
      p.latency_mean_ms[s] = std::exp(mu + 0.5 * sigma * sigma);
      const double fail = std::clamp((1.0 - m.success_rate) * fx[s]->failure_multiplier, kProbFloor, 0.5);
      p.success[s] = {fail, 1.0 - fail};
      p.success_entropy[s] = -neg_entropy(p.success[s].data(), 2);
    }
    p.quality = normal_bins(q_edges, logit(std::clamp(m.quality, 0.01, 0.99)), params.outcomes.quality_sigma);
    p.quality_entropy = -neg_entropy(p.quality.data(), 4);
  }
  router.latency_rep_ = geometric_reps(params.bins.latency_edges_ms);
  const auto tables = preference_tables(params);
  router.pref_points_ = tables.points;
  router.absent_pref_ = tables.absent;
  router.catalogue_ = std::move(catalogue);
  router.params_ = params;
  return router;
}

Result<MarketSnapshot> Router::prepare(const MarketView& market) const {
  if (auto r = market.validate(catalogue_.classes.size()); !r) return std::move(r).error();
  MarketSnapshot snap;
  snap.router_id_ = id_;
  snap.posterior_ = market.regime_posterior;
  snap.regime_ = market.regime.empty() ? kMarketRegimeNames[argmax(market.regime_posterior)] : market.regime;
  const auto& pi = market.regime_posterior;
  const auto cost_edges = log_edges(params_.bins.cost_edges);
  snap.models_.resize(priors_.size());
  for (std::size_t i = 0; i < priors_.size(); ++i) {
    const ModelPrior& pr = priors_[i];
    auto& out = snap.models_[i];
    Prediction& p = out.prediction;
    p.price_per_token = cost_per_token(catalogue_.models[i], pr.devices, market.classes[pr.class_index]);
    out.cost_prior = normal_bins(cost_edges, std::log(p.price_per_token), params_.outcomes.cost_sigma);
    // Regime-mixed latency and success; cost and quality do not depend on the regime.
    p.q = {};
    p.ambiguity = {};
    p.expected_latency_ms = 0.0;
    for (std::size_t s = 0; s < kMarketRegimes; ++s) {
      for (std::size_t b = 0; b < 4; ++b) p.q[kOffset[0] + b] += pi[s] * pr.latency[s][b];
      for (std::size_t b = 0; b < 2; ++b) p.q[kOffset[3] + b] += pi[s] * pr.success[s][b];
      p.ambiguity[0] += pi[s] * pr.latency_entropy[s];
      p.ambiguity[3] += pi[s] * pr.success_entropy[s];
      p.expected_latency_ms += pi[s] * pr.latency_mean_ms[s];
    }
    std::copy(out.cost_prior.begin(), out.cost_prior.end(), p.q.begin() + kOffset[1]);
    std::copy(pr.quality.begin(), pr.quality.end(), p.q.begin() + kOffset[2]);
    for (const std::size_t m : {std::size_t{0}, std::size_t{1}, std::size_t{3}})
      p.neg_entropy[m] = neg_entropy(p.q.data() + kOffset[m], kBins[m]);
    p.neg_entropy[2] = -pr.quality_entropy;
    p.ambiguity[1] = -p.neg_entropy[1];
    p.ambiguity[2] = pr.quality_entropy;
  }
  return snap;
}

std::size_t Router::find_key(std::uint32_t key) const noexcept {
  std::size_t i = 0;
  while (i < priors_.size() && priors_[i].key != key) ++i;
  return i;
}

Result<std::array<double, 3>> suggest_cost_edges(const Catalogue& catalogue, const MarketView& market) {
  if (auto r = catalogue.validate(); !r) return std::move(r).error().within("catalogue");
  if (auto r = market.validate(catalogue.classes.size()); !r) return std::move(r).error();
  std::vector<double> ln_cost;
  for (const auto& m : catalogue.models) {
    const std::size_t c = *catalogue.class_index(m.compute_class);
    ln_cost.push_back(std::log(cost_per_token(m, devices_for(m, catalogue.classes[c]), market.classes[c])));
  }
  std::sort(ln_cost.begin(), ln_cost.end());
  std::array<double, 3> edges{};
  const double n = static_cast<double>(ln_cost.size() - 1);
  for (std::size_t k = 0; k < 3; ++k) {  // linear interpolation between order statistics
    const double x = n * static_cast<double>(k + 1) / 4.0;
    const auto lo = static_cast<std::size_t>(x);
    const double hi = ln_cost[std::min(lo + 1, ln_cost.size() - 1)];
    edges[k] = std::exp(ln_cost[lo] + (x - static_cast<double>(lo)) * (hi - ln_cost[lo]));
  }
  // Ties (few models or equal costs) would break the strictly increasing edges.
  for (std::size_t k = 1; k < 3; ++k) edges[k] = std::max(edges[k], edges[k - 1] * 1.5);
  return edges;
}

}  // namespace hanzo::hmm::routing
