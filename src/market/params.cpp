#include "hanzo/hmm/market/params.hpp"

#include <algorithm>
#include <cmath>

#include "hanzo/hmm/chain.hpp"

namespace hanzo::hmm::market {

namespace {

using hanzo::hmm::detail::format_number;

Error bad(const std::string& where, const std::string& message) {
  return make_error(Errc::invalid_value, where, message);
}
bool finite_positive(double x) { return std::isfinite(x) && x > 0.0; }
bool finite_nonnegative(double x) { return std::isfinite(x) && x >= 0.0; }

Result<void> check_modulation(const Modulation& m, const std::string& path) {
  if (!std::isfinite(m.congested)) return bad(path + ".congested", "must be finite");
  if (!std::isfinite(m.shock)) return bad(path + ".shock", "must be finite");
  if (m.min_factor() < 0.0)
    return bad(path, "factor 1 + min(congested, shock) = " + format_number(m.min_factor()) +
                         " must be >= 0 (the coefficient would turn negative)");
  return {};
}

}  // namespace

double Modulation::max_factor() const noexcept { return 1.0 + std::max({congested, shock, 0.0}); }
double Modulation::min_factor() const noexcept { return 1.0 + std::min({congested, shock, 0.0}); }

Result<void> ComputeClass::validate(const std::string& path) const {
  if (id.empty()) return bad(path + ".id", "must not be empty");
  if (!finite_positive(weight)) return bad(path + ".weight", "must be > 0, got " + format_number(weight));
  if (!finite_positive(supply)) return bad(path + ".supply", "must be > 0, got " + format_number(supply));
  if (!finite_positive(credits)) return bad(path + ".credits", "must be > 0, got " + format_number(credits));
  if (!finite_nonnegative(memory_gb))
    return bad(path + ".memory_gb", "must be >= 0, got " + format_number(memory_gb));
  return {};
}

Result<void> MarketParams::validate() const {
  if (!finite_nonnegative(lambda)) return bad("market.lambda", "must be >= 0, got " + format_number(lambda));
  if (auto ok = check_modulation(lambda_modulation, "market.lambda_modulation"); !ok) return ok;
  if (!finite_nonnegative(alpha)) return bad("market.alpha", "must be >= 0, got " + format_number(alpha));
  if (kappa && !finite_positive(*kappa)) return bad("market.kappa", "must be > 0, got " + format_number(*kappa));
  if (!finite_nonnegative(market_fee) || market_fee >= 1.0)
    return bad("market.market_fee", "must be in [0, 1), got " + format_number(market_fee));
  if (!finite_nonnegative(risk_fee)) return bad("market.risk_fee", "must be >= 0, got " + format_number(risk_fee));
  if (auto ok = check_modulation(risk_fee_modulation, "market.risk_fee_modulation"); !ok) return ok;
  // f_r < λ_r, so this keeps every fee below 1 and makes the inverse quote unique (quote.hpp).
  const double max_risk = risk_fee * risk_fee_modulation.max_factor();
  if (!(market_fee + 2.0 * max_risk < 1.0))
    return bad("market.risk_fee", "market_fee + 2 x the largest modulated risk fee (" + format_number(max_risk) +
                                      ") must be < 1");
  if (!finite_positive(reserve_floor) || reserve_floor >= 1.0)
    return bad("market.reserve_floor", "must be in (0, 1), got " + format_number(reserve_floor));
  if (!std::isfinite(max_shock) || max_shock < 1.0)
    return bad("market.max_shock", "must be finite and >= 1, got " + format_number(max_shock));
  if (!finite_positive(max_step_fraction) || max_step_fraction > 1.0)
    return bad("market.max_step_fraction", "must be in (0, 1], got " + format_number(max_step_fraction));
  if (!finite_positive(max_flow_ratio))
    return bad("market.max_flow_ratio", "must be > 0, got " + format_number(max_flow_ratio));
  if (max_substeps < 1) return bad("market.max_substeps", "must be >= 1");
  return {};
}

Result<void> MarketConfig::validate() const {
  if (classes.empty())
    return make_error(Errc::invalid_dimension, "classes", "at least one compute class is required");
  double min_weight = HUGE_VAL;
  std::size_t lightest = 0;
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const auto path = "classes[" + std::to_string(i) + "]";
    if (auto ok = classes[i].validate(path); !ok) return ok;
    for (std::size_t j = 0; j < i; ++j)
      if (classes[j].id == classes[i].id)
        return make_error(Errc::duplicate_label, path + ".id",
                          "\"" + classes[i].id + "\" is already the id of classes[" + std::to_string(j) + "]");
    if (classes[i].weight < min_weight) min_weight = classes[i].weight, lightest = i;
  }
  if (auto ok = market.validate(); !ok) return ok;
  if (auto ok = regime.validate(); !ok) return ok;
  // ∂p_i/∂Ψ_i has the sign of λ² − w_i²: only λ < w_i keeps supply lowering the price.
  const double max_lambda = market.lambda * market.lambda_modulation.max_factor();
  if (!(max_lambda < min_weight))
    return bad("market.lambda", "must be < min class weight " + format_number(min_weight) + " (classes[" +
                                    std::to_string(lightest) + "]) at its largest modulated value, lambda x (1 + " +
                                    "max(lambda_modulation)) = " + format_number(max_lambda));
  const auto has = [&](const char* s) { return std::find(regime.states.begin(), regime.states.end(), s) != regime.states.end(); };
  const std::pair<const char*, double> needs[] = {
      {"congested", market.lambda_modulation.congested}, {"congested", market.risk_fee_modulation.congested},
      {"shock", market.lambda_modulation.shock}, {"shock", market.risk_fee_modulation.shock}};
  for (const auto& [state, coefficient] : needs)
    if (coefficient != 0.0 && !has(state))
      return bad("regime.states", std::string("needs a state named \"") + state +
                                      "\": the market modulation has a nonzero coefficient for it");
  return {};
}

}  // namespace hanzo::hmm::market
