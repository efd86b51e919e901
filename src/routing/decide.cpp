// The decision: hard filter, expected free energy per feasible model, q(pi), argmax, explanation.
// Hot path: no printf (std::to_chars), candidates scored in a per-thread POD scratch and sorted
// there, so the Decision's strings are only assigned, never moved around.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>

#include "hanzo/hmm/routing/router.hpp"
#include "maths.hpp"
#include "preferences.hpp"
#include "sampling.hpp"

namespace hanzo::hmm::routing {

namespace {

struct Candidate {
  std::size_t index;
  double g, risk, ambiguity, habit, p;
};

// Per-request weights of the prediction's fields: G = sum_m w_m (risk_m + ambiguity_m) with
// risk_m = sum Q ln Q - sum Q ln sigma(C) is a dot product of the prediction's contiguous
// (q[14], neg_entropy[4]) with risk_w = (-w_m(b) ln sigma(C)_b, w_m), plus ambiguity . w.
struct Weights {
  std::array<double, kOutcomeBins + kModalities> risk{};
  std::array<double, kModalities> ambiguity{};
};
static_assert(offsetof(Prediction, neg_entropy) == offsetof(Prediction, q) + sizeof(double) * kOutcomeBins);

void score(Candidate& c, const Prediction& p, const Weights& w) {
  const double* x = p.q.data();  // followed by neg_entropy (asserted above)
  double r0 = 0.0, r1 = 0.0, r2 = 0.0, r3 = 0.0;  // independent chains
  for (std::size_t b = 0; b < 16; b += 4) {
    r0 += x[b] * w.risk[b];
    r1 += x[b + 1] * w.risk[b + 1];
    r2 += x[b + 2] * w.risk[b + 2];
    r3 += x[b + 3] * w.risk[b + 3];
  }
  r0 += x[16] * w.risk[16];
  r1 += x[17] * w.risk[17];
  const double amb = p.ambiguity[0] * w.ambiguity[0] + p.ambiguity[1] * w.ambiguity[1] +
                     (p.ambiguity[2] * w.ambiguity[2] + p.ambiguity[3] * w.ambiguity[3]);
  c.risk = (r0 + r1) + (r2 + r3);
  c.ambiguity = amb;
  c.g = c.risk + amb;
}

// The candidate for catalogue model i (candidates are in catalogue order here), or nullptr.
Candidate* find_candidate(std::vector<Candidate>& cs, std::size_t i) {
  const auto it = std::lower_bound(cs.begin(), cs.end(), i, [](const Candidate& c, std::size_t k) { return c.index < k; });
  return it != cs.end() && it->index == i ? &*it : nullptr;
}

template <std::size_t N>
std::size_t argmax(const std::array<double, N>& p) {
  return static_cast<std::size_t>(std::max_element(p.begin(), p.end()) - p.begin());
}

void add_reason(std::string& r, const char* text) {
  if (!r.empty()) r += "; ";
  r += text;
}
void add_reason(std::string& r, const char* what, double value, const char* op, double bound) {
  add_reason(r, what);
  r += ' ';
  detail::append_number(r, value, 4);
  r += op;
  detail::append_number(r, bound, 4);
}

}  // namespace

Result<void> Router::decide_into(Decision& out, const RoutingRequest& req, const TenantView& tv,
                                 const TenantOutcomes& outcomes, const MarketSnapshot& market,
                                 const SharedOutcomes* shared) const {
  const std::size_t k_models = priors_.size();
  if (market.router_id_ != id_) return make_error(Errc::invalid_value, "market", "snapshot of another router");
  if (auto r = req.validate(); !r) return std::move(r).error().within("request");
  if (auto r = tv.validate(k_models); !r) return std::move(r).error();
  if (shared != nullptr && shared->models() != k_models)
    return make_error(Errc::invalid_dimension, "shared", "pool size differs from the catalogue's");

  out.request_id = req.request_id;
  out.tenant.assign(tv.tenant);
  out.regime_posterior = tv.regime_posterior;
  if (tv.regime.empty()) out.regime = kTenantRegimeNames[argmax(tv.regime_posterior)];
  else out.regime.assign(tv.regime);
  out.market_regime = market.regime_;

  // Precision and modality weights: means over the tenant regime posterior.
  const auto& rg = params_.regimes;
  const RegimeParams* per_regime[kTenantRegimes] = {&rg.exploration, &rg.exploitation, &rg.crisis, &rg.transition};
  double gamma = 0.0;
  std::array<double, kModalities> w{};
  for (std::size_t r = 0; r < kTenantRegimes; ++r) {
    const double pr = tv.regime_posterior[r];
    const RegimeParams& x = *per_regime[r];
    gamma += pr * x.gamma;
    w[0] += pr * x.latency;
    w[1] += pr * x.cost;
    w[2] += pr * x.quality;
    w[3] += pr * x.success;
  }
  const LogPreferences ln_c =
      detail::log_preferences(req.preferences, params_, detail::PreferenceTables{pref_points_, absent_pref_});
  Weights sw;
  for (std::size_t m = 0; m < kModalities; ++m) {
    for (std::size_t b = 0; b < kBins[m]; ++b) sw.risk[kOffset[m] + b] = -w[m] * ln_c[kOffset[m] + b];
    sw.risk[kOutcomeBins + m] = w[m];
    sw.ambiguity[m] = w[m];
  }

  // 1. Hard filter; 2-4. G of every feasible model from the snapshot.
  thread_local std::vector<Candidate> cands;
  cands.clear();
  const Requirements& rq = req.requirements;
  std::size_t n_exc = 0;
  for (std::size_t i = 0; i < k_models; ++i) {
    const ModelSpec& m = catalogue_.models[i];
    const bool vision = rq.requires_vision && !m.capabilities.vision;
    const bool fc = rq.requires_function_calling && !m.capabilities.function_calling;
    const bool tps = rq.min_tokens_per_second && m.tokens_per_second < *rq.min_tokens_per_second;
    const bool mem = rq.max_memory_gb && m.memory_gb > *rq.max_memory_gb;
    const bool region = rq.region && m.region != *rq.region;
    const double price = market.models_[i].prediction.price_per_token;
    const bool budget = rq.hard_budget && price > *req.preferences.max_cost_per_token;
    if (vision || fc || tps || mem || region || budget) {
      if (out.excluded.size() <= n_exc) out.excluded.emplace_back();
      Exclusion& e = out.excluded[n_exc++];
      e.model = m.name;
      e.reason.clear();
      if (vision) add_reason(e.reason, "requires vision");
      if (fc) add_reason(e.reason, "requires function calling");
      if (tps) add_reason(e.reason, "tokens_per_second", m.tokens_per_second, " < ", *rq.min_tokens_per_second);
      if (mem) add_reason(e.reason, "memory_gb", m.memory_gb, " > ", *rq.max_memory_gb);
      if (region) {
        add_reason(e.reason, "region ");
        e.reason += m.region;
        e.reason += " != ";
        e.reason += *rq.region;
      }
      if (budget) add_reason(e.reason, "price_per_token", price, " > max_cost_per_token ", *req.preferences.max_cost_per_token);
      continue;
    }
    Candidate& c = cands.emplace_back();
    c.index = i;
    c.habit = tv.habit.empty() ? 0.0 : params_.habit_weight * tv.habit[i];
    score(c, market.models_[i].prediction, sw);
  }
  out.excluded.resize(n_exc);

  if (cands.empty()) {
    out.alternatives.clear();
    out.status = Status::rejected;
    out.model.clear();
    out.provider.clear();
    out.compute_class.clear();
    out.model_index = 0;
    out.confidence = out.price_per_token = out.expected_cost = out.expected_latency_ms = 0.0;
    out.expected_free_energy = 0.0;
    out.fallback_models.clear();
    out.meets_preferences = {false, false, false};
    out.reasoning = "Rejected: none of the ";
    detail::append_number(out.reasoning, static_cast<double>(k_models), 6);
    out.reasoning += " models meets the requirements (";
    out.reasoning += out.excluded[0].model;
    out.reasoning += ": ";
    out.reasoning += out.excluded[0].reason;
    out.reasoning += ").";
    return {};
  }

  const SharedOutcomes* pool = params_.shared_base ? shared : nullptr;
  if (pool == nullptr && !params_.sample) {
    // The tenant's own evidence: refresh the (at most 8) models it has counts for.
    for (const auto& e : outcomes.entries()) {
      const std::size_t i = find_key(e.model);
      if (i == k_models) continue;  // a model no longer in the catalogue
      if (Candidate* c = find_candidate(cands, i)) {
        Prediction p = market.models_[i].prediction;
        refresh(p, i, outcomes, e, market);
        score(*c, p, sw);
      }
    }
  } else {
    // Every candidate: the tenant's counts plus the pool's, then (sample) a Thompson draw.
    Rng rng(detail::decision_seed(tv.tenant, req.request_id));
    TenantOutcomes::Entry both;
    for (auto& c : cands) {
      Prediction p = market.models_[c.index].prediction;
      const bool any = combine(c.index, outcomes, pool, both);
      if (any) refresh_derived(p, c.index, both, market);
      if (params_.sample) sample(p, any ? &both : nullptr, rng);
      score(c, p, sw);
    }
  }
  // Habit: preferred models get a bonus in ln E (once per model, however often listed).
  const auto& preferred = req.preferences.preferred_models;
  for (std::size_t j = 0; j < preferred.size(); ++j) {
    const auto first = preferred.begin(), here = first + static_cast<std::ptrdiff_t>(j);
    if (std::find(first, here, *here) != here) continue;
    const std::size_t i = find_key(model_key(*here));
    if (i == k_models || catalogue_.models[i].name != *here) continue;
    if (Candidate* c = find_candidate(cands, i)) c->habit += params_.preferred_bonus;
  }

  // q(pi) = softmax(-gamma G + ln E).
  double mx = -std::numeric_limits<double>::infinity();
  for (auto& c : cands) mx = std::max(mx, c.p = -gamma * c.g + c.habit);
  double sum = 0.0;
  for (auto& c : cands) sum += (c.p = std::exp(c.p - mx));
  const double inv = 1.0 / sum;
  for (auto& c : cands) c.p *= inv;

  // 5. Argmax q, ties to catalogue order: the first after sorting by (q desc, index asc).
  std::sort(cands.begin(), cands.end(),
            [](const Candidate& a, const Candidate& b) { return a.p > b.p || (a.p == b.p && a.index < b.index); });
  const std::size_t n_alt = cands.size();
  out.alternatives.resize(n_alt);
  for (std::size_t j = 0; j < n_alt; ++j) {
    const Candidate& c = cands[j];
    Alternative& a = out.alternatives[j];
    a.model = catalogue_.models[c.index].name;
    a.index = c.index;
    a.probability = c.p;
    a.expected_free_energy = c.g;
    a.risk = c.risk;
    a.ambiguity = c.ambiguity;
    a.habit = c.habit;
  }
  const std::size_t n_fb = std::min(params_.max_fallbacks, n_alt - 1);
  out.fallback_models.resize(n_fb);
  for (std::size_t f = 0; f < n_fb; ++f) out.fallback_models[f] = out.alternatives[f + 1].model;

  const Candidate& best = cands[0];
  const ModelSpec& m = catalogue_.models[best.index];
  Prediction p = market.models_[best.index].prediction;
  if (pool != nullptr) {
    TenantOutcomes::Entry both;
    if (combine(best.index, outcomes, pool, both)) refresh_derived(p, best.index, both, market);
  } else if (const auto* e = outcomes.find(priors_[best.index].key)) {
    refresh(p, best.index, outcomes, *e, market);
  }
  const double in_tokens =
      std::ceil(static_cast<double>(req.input.size() + req.context.size()) / params_.chars_per_token);
  out.status = Status::routed;
  out.model = m.name;
  out.provider = m.provider;
  out.compute_class = m.compute_class;
  out.model_index = best.index;
  out.confidence = best.p;
  out.price_per_token = p.price_per_token;
  out.expected_cost = p.price_per_token * (in_tokens + params_.completion_tokens);
  out.expected_latency_ms = p.expected_latency_ms;
  out.expected_free_energy = best.g;
  const Preferences& pf = req.preferences;
  out.meets_preferences = {!pf.max_latency_ms || p.expected_latency_ms <= *pf.max_latency_ms,
                           !pf.max_cost_per_token || p.price_per_token <= *pf.max_cost_per_token,
                           m.quality >= pf.quality_threshold};

  // "Routed to M (provider, class) with q=0.57 among 12 feasible models: G=3.6 nats (risk 1.77,
  //  ambiguity 1.84), ln E=0, tenant exploitation, market balanced; expect 478 ms at 5.35e-06 credits/token."
  std::string& s = out.reasoning;
  using detail::append_number;
  s = "Routed to ";
  s += m.name;
  s += " (";
  s += m.provider;
  s += ", ";
  s += m.compute_class;
  s += ") with q=";
  append_number(s, best.p, 2, true);
  s += " among ";
  append_number(s, static_cast<double>(n_alt), 6);
  s += " feasible models: G=";
  append_number(s, best.g, 3);
  s += " nats (risk ";
  append_number(s, best.risk, 3);
  s += ", ambiguity ";
  append_number(s, best.ambiguity, 3);
  s += "), ln E=";
  append_number(s, best.habit, 2);
  s += ", tenant ";
  s += out.regime;
  s += ", market ";
  s += out.market_regime;
  s += "; expect ";
  append_number(s, p.expected_latency_ms, 0, true);
  s += " ms at ";
  append_number(s, p.price_per_token, 3);
  s += " credits/token.";
  if (params_.sample) s += " Likelihoods sampled from the outcome counts (Thompson; seeded by tenant and request id).";
  if (pool != nullptr) s += " Counts include the shared base.";
  return {};
}

Result<Decision> Router::decide(const RoutingRequest& request, const TenantView& tenant, const TenantOutcomes& outcomes,
                                const MarketSnapshot& market, const SharedOutcomes* shared) const {
  Decision d;
  if (auto r = decide_into(d, request, tenant, outcomes, market, shared); !r) return std::move(r).error();
  return d;
}

Result<Decision> Router::decide(const RoutingRequest& request, const TenantView& tenant, const TenantOutcomes& outcomes,
                                const MarketView& market) const {
  auto snap = prepare(market);
  if (!snap) return std::move(snap).error();
  return decide(request, tenant, outcomes, *snap);
}

}  // namespace hanzo::hmm::routing
