// Every MarketMaker option, declared once: key, description, default (the field's value), bounds.
#include "hanzo/hmm/mm/config.hpp"

namespace hanzo::hmm::mm {

using config::at_least;
using config::between;
using config::greater_than;
using config::Schema;

namespace {

void declare_market(Schema& s, market::MarketParams& m) {
  s.number("lambda", m.lambda, "curvature λ0 of the invariant; prices stay within [λ/w, w/λ]", at_least(0.0))
      .table("lambda_modulation", "λ(t) = λ0 (1 + congested·P(congested) + shock·P(shock))",
             [&](Schema& t) {
               t.number("congested", m.lambda_modulation.congested, "weight of P(congested)", at_least(0.0))
                   .number("shock", m.lambda_modulation.shock, "weight of P(shock)", at_least(0.0));
             })
      .number("alpha", m.alpha,
              "restoring rate (1/s): each class's |H_i-κ_i| and |ln(p_i/baseline)| decay as e^(-αt) without flows",
              at_least(0.0))
      .optional_number("kappa", m.kappa, "target invariant κ; default: H at start", greater_than(0.0))
      .number("market_fee", m.market_fee, "market fee f_m, fraction of a swap's credits", between(0.0, 0.5))
      .number("risk_fee", m.risk_fee, "risk fee coefficient λ_r0: f_r = λ_r ΔΨ/Ψ", at_least(0.0))
      .table("risk_fee_modulation", "λ_r(t), same shape as λ(t)",
             [&](Schema& t) {
               t.number("congested", m.risk_fee_modulation.congested, "weight of P(congested)", at_least(0.0))
                   .number("shock", m.risk_fee_modulation.shock, "weight of P(shock)", at_least(0.0));
             })
      .number("reserve_floor", m.reserve_floor, "reserves never fall below this fraction of their start",
              greater_than(0.0))
      .number("max_shock", m.max_shock, "largest accepted shock factor", greater_than(1.0))
      .number("max_step_fraction", m.max_step_fraction, "largest relative reserve change per integration sub-step",
              between(1e-6, 0.5))
      .number("max_flow_ratio", m.max_flow_ratio,
              "a tick's flow may be at most this many times the class reserve it draws on", greater_than(0.0));
}

void declare_gaussian_hmm(Schema& s, std::vector<double>& initial, std::vector<std::vector<double>>& transitions,
                          std::vector<std::vector<double>>& means, std::vector<std::vector<double>>& variances) {
  s.numbers("initial", initial, "initial regime distribution", between(0.0, 1.0))
      .rows("transitions", transitions, "regime transition matrix (rows sum to 1)", between(0.0, 1.0))
      .rows("means", means, "per regime: mean of each observed signal")
      .rows("variances", variances, "per regime: variance of each observed signal", greater_than(0.0));
}

void declare_router(Schema& s, routing::RouterParams& r) {
  auto edges = [](Schema& t, const char* key, std::array<double, 3>& a, const char* what) {
    t.number(std::string(key) + "_1", a[0], std::string(what) + ": first bin edge", greater_than(0.0))
        .number(std::string(key) + "_2", a[1], std::string(what) + ": second bin edge", greater_than(0.0))
        .number(std::string(key) + "_3", a[2], std::string(what) + ": third bin edge", greater_than(0.0));
  };
  auto regime = [](Schema& t, routing::RegimeParams& p) {
    t.number("gamma", p.gamma, "precision γ of q(π) = softmax(-γG + ln E)", greater_than(0.0))
        .number("latency", p.latency, "weight of the latency modality in G", at_least(0.0))
        .number("cost", p.cost, "weight of the cost modality", at_least(0.0))
        .number("quality", p.quality, "weight of the quality modality", at_least(0.0))
        .number("success", p.success, "weight of the success modality", at_least(0.0));
  };
  auto effect = [](Schema& t, routing::MarketEffect& e) {
    t.number("latency_stretch", e.latency_stretch, "multiplies median latency", greater_than(0.0))
        .number("latency_sigma_scale", e.latency_sigma_scale, "multiplies latency spread", greater_than(0.0))
        .number("failure_multiplier", e.failure_multiplier, "multiplies the failure rate", greater_than(0.0));
  };
  s.table("bins", "outcome bin edges (bin counts are fixed)",
          [&](Schema& t) {
            edges(t, "latency_ms", r.bins.latency_edges_ms, "latency (ms)");
            edges(t, "cost", r.bins.cost_edges, "cost per token (credits); see auto_cost_edges");
            edges(t, "quality", r.bins.quality_edges, "quality in (0, 1)");
          })
      .table("preferences", "how preferences become log-preferences C",
             [&](Schema& t) {
               t.number("floor", r.preferences.floor, "relative preference of a fully unsatisfying bin", between(1e-6, 0.999))
                   .number("latency_softness", r.preferences.latency_softness, "logistic width, ln(ms)", greater_than(0.0))
                   .number("cost_softness", r.preferences.cost_softness, "logistic width, ln(credits)", greater_than(0.0))
                   .number("quality_softness", r.preferences.quality_softness, "logistic width, logit", greater_than(0.0))
                   .number("absent_slope", r.preferences.absent_slope, "C drop per worse bin without a threshold",
                           at_least(0.0))
                   .number("failure_log_preference", r.preferences.failure_log_preference, "C of the failure bin",
                           config::Bounds{std::nullopt, 0.0, false, true});
             })
      .table("outcomes", "predicted outcome model",
             [&](Schema& t) {
               t.number("prior_strength", r.outcomes.prior_strength, "pseudo-counts of catalogue evidence", greater_than(0.0))
                   .number("count_cap", r.outcomes.count_cap, "tenant counts per model and modality are capped here",
                           greater_than(0.0))
                   .number("cost_sigma", r.outcomes.cost_sigma, "log-normal spread of cost per token", greater_than(0.0))
                   .number("quality_sigma", r.outcomes.quality_sigma, "logit-normal spread of quality", greater_than(0.0))
                   .table("slack", "effect of a slack market", [&](Schema& u) { effect(u, r.outcomes.slack); })
                   .table("balanced", "effect of a balanced market", [&](Schema& u) { effect(u, r.outcomes.balanced); })
                   .table("congested", "effect of congestion", [&](Schema& u) { effect(u, r.outcomes.congested); })
                   .table("shock", "effect of a supply shock", [&](Schema& u) { effect(u, r.outcomes.shock); });
             })
      .table("regimes", "precision and modality weights per tenant regime",
             [&](Schema& t) {
               t.table("exploration", "", [&](Schema& u) { regime(u, r.regimes.exploration); })
                   .table("exploitation", "", [&](Schema& u) { regime(u, r.regimes.exploitation); })
                   .table("crisis", "", [&](Schema& u) { regime(u, r.regimes.crisis); })
                   .table("transition", "", [&](Schema& u) { regime(u, r.regimes.transition); });
             })
      .flag("sample", r.sample,
            "Thompson sampling: draw each candidate's latency, quality and success likelihoods from its counts "
            "(seeded by tenant and request id) instead of using their means")
      .number("forgetting", r.forgetting, "each update multiplies the counts held by 1 - this (old evidence fades)",
              config::Bounds{0.0, 1.0, false, true})
      .flag("shared_base", r.shared_base,
            "add the counts of a pool shared by several tenants to each tenant's own (only where the caller keeps "
            "a pool: the simulator; the daemon keeps none)")
      .number("shared_cap", r.shared_cap, "pool counts per model and modality are capped here", between(1.0, 1e6))
      .number("shared_forgetting", r.shared_forgetting, "like forgetting, per pool update",
              config::Bounds{0.0, 1.0, false, true})
      .number("habit_weight", r.habit_weight,
              "multiplies the BitDelta adapter's habit score (0: its reward has no baseline, so habits lock a "
              "tenant onto its first choice)",
              at_least(0.0))
      .number("preferred_bonus", r.preferred_bonus, "ln E bonus for a preferred model", at_least(0.0))
      .number("completion_tokens", r.completion_tokens, "assumed completion size for expected_cost", at_least(0.0))
      .number("chars_per_token", r.chars_per_token, "input characters per token", greater_than(0.0))
      .count("max_fallbacks", r.max_fallbacks, "fallback models listed per decision", between(0, 64));
}

}  // namespace

void declare(Schema& s, MarketMakerConfig& c) {
  s.tables<market::ComputeClass>("classes", c.classes, "compute classes: the market's assets",
                                 [](Schema& t, market::ComputeClass& k) {
                                   t.text("id", k.id, "class id, e.g. h100-80g")
                                       .number("weight", k.weight, "quality weight w_i in the invariant", greater_than(0.0))
                                       .number("supply", k.supply, "initial supply Ψ_i (GPU-seconds)", greater_than(0.0))
                                       .number("credits", k.credits, "initial credit pool Θ_i", greater_than(0.0))
                                       .number("memory_gb", k.memory_gb, "memory per device (GB)", at_least(0.0));
                                 })
      .table("market", "Hamiltonian market parameters", [&](Schema& t) { declare_market(t, c.market); })
      .table("market_regime", "market-regime HMM over (utilisation, imbalance, volatility)",
             [&](Schema& t) {
               t.texts("states", c.market_regime.states, "regime names");
               declare_gaussian_hmm(t, c.market_regime.initial, c.market_regime.transitions, c.market_regime.means,
                                    c.market_regime.variances);
               t.number("volatility_decay", c.market_regime.volatility_decay, "EWMA weight of the newest squared log-price change",
                        config::Bounds{0.0, 1.0, true, false});
             })
      .table("tenants", "per-tenant state",
             [&](Schema& t) {
               t.count("feedback_window", c.tenants.feedback_window,
                       "routed decisions remembered per tenant so their feedback trains the adapter (about 100 bytes "
                       "each in every changelog record)",
                       between(1, tenant::TenantParams::kMaxFeedbackWindow))
                   .table("adapter", "BitDelta habit adapter",
                       [&](Schema& u) {
                         u.number("learning_rate", c.tenants.adapter.learning_rate,
                                  "step per unit reward; 0 freezes the adapters (habits stay as restored)", at_least(0.0))
                             .number("clip", c.tenants.adapter.clip, "bound on each working-delta entry", greater_than(0.0));
                       })
                   .table("regime", "tenant-regime HMM (exploration, exploitation, crisis, transition)",
                          [&](Schema& u) {
                            declare_gaussian_hmm(u, c.tenants.regime.initial, c.tenants.regime.transitions,
                                                 c.tenants.regime.means, c.tenants.regime.variances);
                          });
             })
      .table("router", "active-inference router", [&](Schema& t) { declare_router(t, c.router); })
      .tables<routing::ModelSpec>("models", c.models, "routing candidates",
                                  [](Schema& t, routing::ModelSpec& m) {
                                    t.text("name", m.name, "model name")
                                        .text("provider", m.provider, "provider")
                                        .text("compute_class", m.compute_class, "a classes[].id")
                                        .number("memory_gb", m.memory_gb, "serving footprint (GB)", greater_than(0.0))
                                        .number("tokens_per_second", m.tokens_per_second, "decode speed", greater_than(0.0))
                                        .number("latency_ms", m.latency_ms, "median latency, balanced market", greater_than(0.0))
                                        .number("latency_sigma", m.latency_sigma, "log-normal latency spread", greater_than(0.0))
                                        .number("quality", m.quality, "quality", between(0.0, 1.0))
                                        .number("success_rate", m.success_rate, "success rate", config::Bounds{0.0, 1.0, true, false})
                                        .flag("function_calling", m.capabilities.function_calling, "supports function calling")
                                        .flag("vision", m.capabilities.vision, "accepts images")
                                        .text("region", m.region, "serving region");
                                  })
      .flag("auto_cost_edges", c.auto_cost_edges, "derive router cost bins from the initial prices");
}

}  // namespace hanzo::hmm::mm
