// Decisions: the hand-written encoder on the daemon's hot path, and a strict decoder for tests
// and the load generator.
#include "hanzo/hmm/wire/decision.hpp"

#include <algorithm>
#include <limits>

#include "reader.hpp"
#include "writer.hpp"

namespace hanzo::hmm::wire {

using detail::Path;
using detail::Reader;
using detail::Writer;
using routing::kTenantRegimeNames;
using routing::kTenantRegimes;
using routing::Status;

namespace {

// A number, or null when the decision is rejected (there is no chosen model to describe).
// Estimates carry 6 significant digits; a price is exact (it is matched against the market's).
void chosen(Writer& w, const char* key, bool routed, double x, bool exact = false) {
  w.key(key);
  if (!routed)
    w.null();
  else if (exact)
    w.num(x);
  else
    w.approx(x);
}

void chosen(Writer& w, const char* key, bool routed, const std::string& s) {
  w.key(key);
  if (routed)
    w.str(s);
  else
    w.null();
}

constexpr std::string_view kTenantNames[kTenantRegimes] = {kTenantRegimeNames[0], kTenantRegimeNames[1],
                                                           kTenantRegimeNames[2], kTenantRegimeNames[3]};
constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();

}  // namespace

void encode_decision_into(std::string& out, const routing::Decision& d, bool redelivered) {
  out.clear();
  // One allocation for a fresh string rather than a doubling series (a decision is ~3 KB):
  // room for the largest decision this thread has written so far.
  thread_local std::size_t largest = 1024;
  out.reserve(largest);
  const bool routed = d.status == Status::routed;
  Writer w(out);
  w.begin_object().key("request_id").str(d.request_id);
  w.key("tenant").str(d.tenant);
  w.key("status").str(routing::to_string(d.status));
  chosen(w, "model", routed, d.model);
  chosen(w, "provider", routed, d.provider);
  chosen(w, "compute_class", routed, d.compute_class);
  w.key("regime").str(d.regime);
  w.key("regime_posterior").begin_object();
  // Exact: a posterior must sum to 1 (to 1e-6) when read back, which rounded entries can miss.
  for (std::size_t i = 0; i < kTenantRegimes; ++i) w.key(kTenantNames[i]).num(d.regime_posterior[i]);
  w.end_object();
  w.key("market_regime").str(d.market_regime);
  chosen(w, "confidence", routed, d.confidence);
  chosen(w, "price_per_token", routed, d.price_per_token, true);
  chosen(w, "expected_cost", routed, d.expected_cost);
  chosen(w, "expected_latency_ms", routed, d.expected_latency_ms);
  chosen(w, "expected_free_energy", routed, d.expected_free_energy);
  w.key("fallback_models").begin_array();
  for (const auto& m : d.fallback_models) w.str(m);
  w.end_array();
  w.key("alternatives").begin_array();
  for (const auto& a : d.alternatives) {
    w.begin_object().key("model").str(a.model);
    w.key("probability").approx(a.probability);
    w.key("risk").approx(a.risk);
    w.key("ambiguity").approx(a.ambiguity);
    w.key("habit").approx(a.habit);
    w.key("expected_free_energy").approx(a.expected_free_energy);
    w.end_object();
  }
  w.end_array();
  w.key("excluded").begin_array();
  for (const auto& e : d.excluded) w.begin_object().key("model").str(e.model).key("reason").str(e.reason).end_object();
  w.end_array();
  w.key("reasoning").str(d.reasoning);
  const auto& mp = d.meets_preferences;
  w.key("meets_preferences").begin_object();
  w.key("latency").boolean(mp.latency).key("cost").boolean(mp.cost).key("quality").boolean(mp.quality);
  w.end_object();
  if (redelivered) w.key("redelivered").boolean(true);
  w.end_object();
  w.flush();
  largest = std::max(largest, out.size());
}

std::string encode_decision(const routing::Decision& d, bool redelivered) {
  std::string out;
  out.reserve(1024 + 160 * d.alternatives.size() + 64 * d.excluded.size());
  encode_decision_into(out, d, redelivered);
  return out;
}

Result<DecisionMessage> decode_decision(std::string_view json) {
  Reader r;
  const Path root;
  const auto* o = r.object(r.parse(json, kNoLimit), root,
                           {"request_id", "tenant", "status", "model", "provider", "compute_class", "regime",
                            "regime_posterior", "market_regime", "confidence", "price_per_token", "expected_cost",
                            "expected_latency_ms", "expected_free_energy", "fallback_models", "alternatives",
                            "excluded", "reasoning", "meets_preferences"},
                           {"redelivered"});
  DecisionMessage m;
  routing::Decision& d = m.decision;
  d.request_id = r.text(o, "request_id", root, kNoLimit, true);
  d.tenant = r.text(o, "tenant", root, kNoLimit);
  const auto status = r.text(o, "status", root, kNoLimit);
  r.require(status == "routed" || status == "rejected", root.key("status"),
            "must be \"routed\" or \"rejected\"");
  d.status = status == "routed" ? Status::routed : Status::rejected;
  const bool routed = d.status == Status::routed;

  // The chosen model's fields: values when routed, null when rejected.
  const auto is_null = [&](const char* key) {
    const auto* v = o ? o->if_contains(key) : nullptr;
    return v && v->is_null();
  };
  const auto chosen_text = [&](const char* key, std::string& out) {
    if (!routed && is_null(key)) return;
    out = r.text(o, key, root, kNoLimit, true);
  };
  const auto chosen_number = [&](const char* key, double& out) {
    if (!routed && is_null(key)) return;
    out = r.number(o, key, root);
  };
  chosen_text("model", d.model);
  chosen_text("provider", d.provider);
  chosen_text("compute_class", d.compute_class);
  d.regime = r.text(o, "regime", root, kNoLimit);
  r.posterior(o, "regime_posterior", root, kTenantNames, d.regime_posterior);
  d.market_regime = r.text(o, "market_regime", root, kNoLimit);
  chosen_number("confidence", d.confidence);
  r.require(d.confidence >= 0.0 && d.confidence <= 1.0, root.key("confidence"), "must be in [0, 1]");
  chosen_number("price_per_token", d.price_per_token);
  r.require(d.price_per_token >= 0.0, root.key("price_per_token"), "must be >= 0");
  chosen_number("expected_cost", d.expected_cost);
  r.require(d.expected_cost >= 0.0, root.key("expected_cost"), "must be >= 0");
  chosen_number("expected_latency_ms", d.expected_latency_ms);
  r.require(d.expected_latency_ms >= 0.0, root.key("expected_latency_ms"), "must be >= 0");
  chosen_number("expected_free_energy", d.expected_free_energy);
  r.texts(r.array(o, "fallback_models", root), root.key("fallback_models"), kNoLimit, d.fallback_models);

  const Path ap = root.key("alternatives");
  if (const auto* alts = r.array(o, "alternatives", root)) {
    d.alternatives.resize(alts->size());
    for (std::size_t i = 0; i < alts->size() && !r.failed(); ++i) {
      const Path at = ap.at(i);
      const auto* a = r.object(&(*alts)[i], at,
                               {"model", "probability", "risk", "ambiguity", "habit", "expected_free_energy"});
      auto& alt = d.alternatives[i];
      alt.model = r.text(a, "model", at, kNoLimit, true);
      alt.probability = r.number(a, "probability", at);
      r.require(alt.probability >= 0.0 && alt.probability <= 1.0, at.key("probability"), "must be in [0, 1]");
      alt.risk = r.number(a, "risk", at);
      alt.ambiguity = r.number(a, "ambiguity", at);
      alt.habit = r.number(a, "habit", at);
      alt.expected_free_energy = r.number(a, "expected_free_energy", at);
    }
  }
  const Path ep = root.key("excluded");
  if (const auto* excl = r.array(o, "excluded", root)) {
    d.excluded.resize(excl->size());
    for (std::size_t i = 0; i < excl->size() && !r.failed(); ++i) {
      const Path at = ep.at(i);
      const auto* e = r.object(&(*excl)[i], at, {"model", "reason"});
      d.excluded[i].model = r.text(e, "model", at, kNoLimit, true);
      d.excluded[i].reason = r.text(e, "reason", at, kNoLimit);
    }
  }
  d.reasoning = r.text(o, "reasoning", root, kNoLimit);
  const Path mp = root.key("meets_preferences");
  const auto* p = r.object(o, "meets_preferences", root, {"latency", "cost", "quality"});
  d.meets_preferences = {r.boolean(p, "latency", mp), r.boolean(p, "cost", mp), r.boolean(p, "quality", mp)};
  m.redelivered = r.optional_boolean(o, "redelivered", root).value_or(false);
  if (r.failed()) return r.take();
  return m;
}

}  // namespace hanzo::hmm::wire
