// Log-preferences C and the risk/ambiguity split of the expected free energy.
//
// A bin's satisfaction s is a logistic of how far its representative value lies on the good side
// of the stated threshold (ln scale for latency and cost, logit scale for quality), and
// C = ln(floor + (1 - floor) s): satisfying bins ~0, failing ones ~ln floor, smooth in the
// threshold, so a tighter max_latency_ms moves preference mass towards the faster bins.
// Without a threshold a gentle ramp (absent_slope per bin) still prefers faster, cheaper, better.
#include "preferences.hpp"

#include <algorithm>
#include <cmath>

#include "maths.hpp"

namespace hanzo::hmm::routing {

namespace detail {

namespace {

double clamp_unit(double x) noexcept { return std::clamp(x, 1e-3, 1.0 - 1e-3); }

// ln sigma(C) of a block given C directly (the ramps).
void normalise(double* c, std::size_t n) noexcept {
  double mx = c[0];
  for (std::size_t b = 1; b < n; ++b) mx = std::max(mx, c[b]);
  double s = 0.0;
  for (std::size_t b = 0; b < n; ++b) s += std::exp(c[b] - mx);
  const double lse = mx + std::log(s);
  for (std::size_t b = 0; b < n; ++b) c[b] -= lse;
}

// ln sigma(C) of a 4-bin block from the bins' satisfactions: with u = floor + (1 - floor) s,
// sigma(C) = u / sum u, so no exponentials are needed.
// Satisfaction is relative to the best bin (s / max s): a threshold no bin meets (a budget below
// every price) would otherwise leave every s ~ 0 and C uniform, so the modality would drop out of
// G and the others would pick the dearest model. Relative, the best reachable bin counts as met
// and each other bin keeps its logistic ratio to it, which only falls as the threshold tightens:
// the preference is monotone in the threshold. Nothing changes while some bin is fully met.
void shaped(double* c, const double* points, double threshold, double softness, double sign, double floor) noexcept {
  // In logs: a budget of 1e-300 puts s below the smallest double.
  std::array<double, 4> ln_s{}, u{};
  double best = -INFINITY;
  for (std::size_t b = 0; b < 4; ++b) {
    const double x = sign * (threshold - points[b]) / softness;
    ln_s[b] = x < 0.0 ? x - std::log1p(std::exp(x)) : -std::log1p(std::exp(-x));
    best = std::max(best, ln_s[b]);
  }
  const double shift = -best;  // ln of 1 / max s
  double sum = 0.0;
  for (std::size_t b = 0; b < 4; ++b) {
    u[b] = floor + (1.0 - floor) * std::min(1.0, std::exp(ln_s[b] + shift));
    sum += u[b];
  }
  const double ls = std::log(sum);
  for (std::size_t b = 0; b < 4; ++b) c[b] = std::log(u[b]) - ls;
}

}  // namespace

double latency_satisfaction(double latency_ms, double max_latency_ms, const PreferenceParams& p) noexcept {
  return logistic(std::log(max_latency_ms / std::max(latency_ms, 1e-9)) / p.latency_softness);
}
double cost_satisfaction(double cost, double max_cost, const PreferenceParams& p) noexcept {
  return logistic(std::log(max_cost / std::max(cost, 1e-300)) / p.cost_softness);
}
double quality_satisfaction(double quality, double threshold, const PreferenceParams& p) noexcept {
  return logistic((logit(clamp_unit(quality)) - logit(clamp_unit(threshold))) / p.quality_softness);
}

PreferenceTables preference_tables(const RouterParams& params) noexcept {
  PreferenceTables t;
  const auto lat = geometric_reps(params.bins.latency_edges_ms);
  const auto cost = geometric_reps(params.bins.cost_edges);
  const auto qual = linear_reps(params.bins.quality_edges);
  for (std::size_t b = 0; b < 4; ++b) {
    t.points[b] = std::log(lat[b]);
    t.points[4 + b] = std::log(cost[b]);
    t.points[8 + b] = logit(clamp_unit(qual[b]));
    const double rank = static_cast<double>(b);
    t.absent[kOffset[0] + b] = -params.preferences.absent_slope * rank;
    t.absent[kOffset[1] + b] = -params.preferences.absent_slope * rank;
    t.absent[kOffset[2] + b] = -params.preferences.absent_slope * (3.0 - rank);
  }
  t.absent[kOffset[3] + 0] = params.preferences.failure_log_preference;
  t.absent[kOffset[3] + 1] = 0.0;
  for (std::size_t m = 0; m < kModalities; ++m) normalise(t.absent.data() + kOffset[m], kBins[m]);
  return t;
}

LogPreferences log_preferences(const Preferences& prefs, const RouterParams& params,
                               const PreferenceTables& t) noexcept {
  const PreferenceParams& pp = params.preferences;
  LogPreferences c = t.absent;
  if (prefs.max_latency_ms)
    shaped(c.data() + kOffset[0], t.points.data(), std::log(*prefs.max_latency_ms), pp.latency_softness, 1.0, pp.floor);
  if (prefs.max_cost_per_token)
    shaped(c.data() + kOffset[1], t.points.data() + 4, std::log(*prefs.max_cost_per_token), pp.cost_softness, 1.0,
           pp.floor);
  if (prefs.quality_threshold > 0.0)
    shaped(c.data() + kOffset[2], t.points.data() + 8, logit(clamp_unit(prefs.quality_threshold)),
           pp.quality_softness, -1.0, pp.floor);
  return c;
}

}  // namespace detail

LogPreferences log_preferences(const Preferences& prefs, const RouterParams& params) {
  return detail::log_preferences(prefs, params, detail::preference_tables(params));
}

EfeTerms efe_terms(const Prediction& p, const LogPreferences& ln_pref) noexcept {
  EfeTerms t;
  for (std::size_t m = 0; m < kModalities; ++m) {
    double cross = 0.0;  // sum_o Q ln sigma(C)
    for (std::size_t b = 0; b < kBins[m]; ++b) cross += p.q[kOffset[m] + b] * ln_pref[kOffset[m] + b];
    t.risk[m] = p.neg_entropy[m] - cross;
    t.ambiguity[m] = p.ambiguity[m];
  }
  return t;
}

}  // namespace hanzo::hmm::routing
