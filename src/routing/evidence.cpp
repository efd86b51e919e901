// The tenant's evidence: feedback into counts, and counts into the tenant's predictions.
//
// P(o|s) = (a P_prior(o|s) + n(o)) / (a + N) per modality, the Dirichlet posterior predictive
// with the tenant's regime-agnostic counts added in every regime. The entropies of the
// price-independent blends (latency and success per regime, quality) are derived at feedback
// time and cached in the entry; a decision then pays only the regime mixture's and the cost
// block's logarithms (<= 10 per tracked model instead of 38).
#include <cmath>

#include "hanzo/hmm/routing/router.hpp"
#include "maths.hpp"
#include "sampling.hpp"

namespace hanzo::hmm::routing {

using detail::neg_entropy;

namespace {

std::array<double, kModalities> totals(const TenantOutcomes::Entry& e) noexcept {
  std::array<double, kModalities> t{};
  for (std::size_t m = 0; m < kModalities; ++m)
    for (std::size_t b = 0; b < kBins[m]; ++b) t[m] += e.counts[kOffset[m] + b];
  return t;
}

template <std::size_t N>
void blend(double a, double total, const double* prior, const float* counts, double* out) noexcept {
  const double inv = 1.0 / (a + total);
  for (std::size_t b = 0; b < N; ++b) out[b] = (a * prior[b] + counts[b]) * inv;
}

}  // namespace

void Router::derive(TenantOutcomes::Entry& e, const ModelPrior& prior) const noexcept {
  const double a = params_.outcomes.prior_strength;
  const auto t = totals(e);
  e.entropy = {};
  for (std::size_t s = 0; s < kMarketRegimes; ++s) {
    std::array<double, 4> p{};
    if (t[0] > 0.0) {
      blend<4>(a, t[0], prior.latency[s].data(), e.counts.data() + kOffset[0], p.data());
      e.entropy[s] = static_cast<float>(-neg_entropy(p.data(), 4));
    }
    if (t[3] > 0.0) {
      blend<2>(a, t[3], prior.success[s].data(), e.counts.data() + kOffset[3], p.data());
      e.entropy[4 + s] = static_cast<float>(-neg_entropy(p.data(), 2));
    }
  }
  if (t[2] > 0.0) {
    std::array<double, 4> p{};
    blend<4>(a, t[2], prior.quality.data(), e.counts.data() + kOffset[2], p.data());
    e.entropy[8] = static_cast<float>(-neg_entropy(p.data(), 4));
  }
}

void Router::attach(TenantOutcomes& outcomes) const noexcept {
  for (std::size_t k = 0; k < outcomes.size_; ++k) {
    auto& e = outcomes.entries_[k];
    const std::size_t i = find_key(e.model);
    if (i < priors_.size()) derive(e, priors_[i]);
    else e.entropy = {};
  }
  outcomes.derived_for_ = id_;
}

void Router::refresh(Prediction& p, std::size_t i, const TenantOutcomes& outcomes, const TenantOutcomes::Entry& entry,
                     const MarketSnapshot& market) const {
  if (outcomes.derived_for_ == id_) return refresh_derived(p, i, entry, market);
  TenantOutcomes::Entry local = entry;  // not attached: derive now, identically
  derive(local, priors_[i]);
  refresh_derived(p, i, local, market);
}

void Router::refresh_derived(Prediction& p, std::size_t i, const TenantOutcomes::Entry& entry,
                             const MarketSnapshot& market) const {
  const ModelPrior& prior = priors_[i];
  const TenantOutcomes::Entry* e = &entry;
  const double a = params_.outcomes.prior_strength;
  const auto t = totals(*e);
  const auto& pi = market.posterior_;
  // Regime-dependent modalities: Q = sum_s pi_s P(o|s), ambiguity = sum_s pi_s H[P(o|s)].
  if (t[0] > 0.0) {
    const double inv = 1.0 / (a + t[0]);
    std::array<double, 4> q{};
    double amb = 0.0;
    for (std::size_t s = 0; s < kMarketRegimes; ++s) {
      const double w = pi[s] * inv;
      for (std::size_t b = 0; b < 4; ++b) q[b] += w * (a * prior.latency[s][b] + e->counts[b]);
      amb += pi[s] * static_cast<double>(e->entropy[s]);
    }
    std::copy(q.begin(), q.end(), p.q.begin() + kOffset[0]);
    p.ambiguity[0] = amb;
    p.neg_entropy[0] = neg_entropy(q.data(), 4);
  }
  if (t[3] > 0.0) {
    const double inv = 1.0 / (a + t[3]);
    const float* n = e->counts.data() + kOffset[3];
    double fail = 0.0, amb = 0.0;
    for (std::size_t s = 0; s < kMarketRegimes; ++s) {
      fail += pi[s] * inv * (a * prior.success[s][0] + n[0]);
      amb += pi[s] * static_cast<double>(e->entropy[4 + s]);
    }
    p.q[kOffset[3]] = fail;
    p.q[kOffset[3] + 1] = 1.0 - fail;
    p.ambiguity[3] = amb;
    p.neg_entropy[3] = neg_entropy(p.q.data() + kOffset[3], 2);
  }
  if (t[0] > 0.0) {  // the tenant's latencies at their bins' representative values
    double observed = 0.0;
    for (std::size_t b = 0; b < 4; ++b) observed += e->counts[b] * latency_rep_[b];
    p.expected_latency_ms = (a * p.expected_latency_ms + observed) / (a + t[0]);
  }
  if (t[2] > 0.0) {
    blend<4>(a, t[2], prior.quality.data(), e->counts.data() + kOffset[2], p.q.data() + kOffset[2]);
    p.ambiguity[2] = static_cast<double>(e->entropy[8]);
    p.neg_entropy[2] = -p.ambiguity[2];
  }
  if (t[1] > 0.0) {  // the cost prior moves with the price: its entropy cannot be cached
    double* q = p.q.data() + kOffset[1];
    blend<4>(a, t[1], market.models_[i].cost_prior.data(), e->counts.data() + kOffset[1], q);
    p.neg_entropy[1] = neg_entropy(q, 4);
    p.ambiguity[1] = -p.neg_entropy[1];
  }
}

Result<Prediction> Router::predict(std::size_t i, const TenantOutcomes& outcomes, const MarketSnapshot& market) const {
  if (market.router_id_ != id_) return make_error(Errc::invalid_value, "market", "snapshot of another router");
  if (i >= priors_.size()) return make_error(Errc::invalid_dimension, "model", "index out of range");
  Prediction p = market.models_[i].prediction;
  if (const auto* e = outcomes.find(priors_[i].key)) refresh(p, i, outcomes, *e, market);
  return p;
}

Result<std::size_t> Router::feedback_bins(const Feedback& f, std::array<std::int8_t, kModalities>& bin) const {
  if (auto r = f.validate(); !r) return std::move(r).error().within("feedback");
  const std::size_t i = find_key(model_key(f.model));
  if (i == priors_.size() || catalogue_.models[i].name != f.model)
    return make_error(Errc::unknown_symbol, "feedback.model", "'" + f.model + "' is not in the catalogue");
  bin = {-1, -1, -1, static_cast<std::int8_t>(f.success ? 1 : 0)};
  if (f.success) {
    bin[0] = static_cast<std::int8_t>(detail::bin_of(f.latency_ms, params_.bins.latency_edges_ms));
    bin[1] = static_cast<std::int8_t>(detail::bin_of(f.cost_per_token, params_.bins.cost_edges));
    bin[2] = static_cast<std::int8_t>(detail::bin_of(f.quality, params_.bins.quality_edges));
  }
  return i;
}

Result<void> Router::observe(const Feedback& f, TenantOutcomes& outcomes) const {
  std::array<std::int8_t, kModalities> bin{};
  const auto i = feedback_bins(f, bin);
  if (!i) return std::move(i).error();
  const bool current = outcomes.derived_for_ == id_;
  const auto keep = static_cast<float>(1.0 - params_.forgetting);
  outcomes.record(priors_[*i].key, bin, static_cast<float>(params_.outcomes.count_cap), keep);
  if (!current || params_.forgetting > 0.0) {  // forgetting changed every entry's counts
    attach(outcomes);
    return {};
  }
  for (std::size_t k = 0; k < outcomes.size_; ++k)
    if (outcomes.entries_[k].model == priors_[*i].key) derive(outcomes.entries_[k], priors_[*i]);
  outcomes.derived_for_ = id_;
  return {};
}

Result<void> Router::observe_shared(const Feedback& f, SharedOutcomes& pool) const {
  if (pool.models() != priors_.size())
    return make_error(Errc::invalid_dimension, "shared", "pool of " + std::to_string(pool.models()) +
                                                             " models, the catalogue has " +
                                                             std::to_string(priors_.size()));
  std::array<std::int8_t, kModalities> bin{};
  const auto i = feedback_bins(f, bin);
  if (!i) return std::move(i).error();
  pool.record(*i, bin, static_cast<float>(params_.shared_cap), static_cast<float>(1.0 - params_.shared_forgetting));
  return {};
}

bool Router::combine(std::size_t i, const TenantOutcomes& outcomes, const SharedOutcomes* pool,
                     TenantOutcomes::Entry& out) const noexcept {
  out = TenantOutcomes::Entry{};
  bool any = false;
  if (const auto* e = outcomes.find(priors_[i].key)) {
    out.counts = e->counts;
    any = true;
  }
  if (pool != nullptr && i < pool->models()) {
    const auto& c = pool->counts(i);
    for (std::size_t b = 0; b < kOutcomeBins; ++b) out.counts[b] += c[b];
    any = true;
  }
  if (any) derive(out, priors_[i]);
  return any;
}

void Router::sample(Prediction& p, const TenantOutcomes::Entry* e, Rng& rng) const noexcept {
  const double a = params_.outcomes.prior_strength;
  const auto t = e != nullptr ? totals(*e) : std::array<double, kModalities>{};
  for (const std::size_t m : {std::size_t{0}, std::size_t{2}, std::size_t{3}}) {
    double* q = p.q.data() + kOffset[m];
    detail::sample_dirichlet(q, kBins[m], a + t[m], rng);
    p.neg_entropy[m] = neg_entropy(q, kBins[m]);
  }
}

}  // namespace hanzo::hmm::routing
