#include "hanzo/hmm/market/market.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "dynamics.hpp"
#include "hanzo/hmm/chain.hpp"

namespace hanzo::hmm::market {

using hanzo::hmm::detail::format_number;

Result<Market> Market::create(MarketConfig config) {
  if (auto ok = config.validate(); !ok) return std::move(ok).error();
  auto regime = RegimeTracker::create(config.regime);
  if (!regime) return std::move(regime).error();
  return Market(std::move(config), std::move(*regime));
}

Market::Market(MarketConfig config, RegimeTracker regime) : config_(std::move(config)), regime_(std::move(regime)) {
  const std::size_t k = config_.classes.size();
  const double floor = config_.market.reserve_floor;
  for (const auto& c : config_.classes) {
    w_.push_back(c.weight);
    psi_.push_back(c.supply);
    theta_.push_back(c.credits);
    floor_psi_.push_back(floor * c.supply);
    floor_theta_.push_back(floor * c.credits);
  }
  limit_psi_ = psi_;
  limit_theta_ = theta_;
  saved_psi_.assign(k, 0.0);
  saved_theta_.assign(k, 0.0);
  fees_.assign(k, 0.0);
  price_.assign(k, 0.0);
  f_psi_.assign(k, 0.0);
  f_theta_.assign(k, 0.0);
  cut_psi_.assign(k, 0.0);
  cut_theta_.assign(k, 0.0);
  work_.assign(6 * k, 0.0);
  seen_.assign(k, 0);
  congested_ = regime_.state_index("congested");
  shock_ = regime_.state_index("shock");
  modulate();  // λ(0) from the regime's initial distribution
  // The reference state x_ref = s·x₀: H is homogeneous of degree 2, so H(x_ref; λ) = s² H(x₀; λ).
  double cross = 0.0, square = 0.0;  // summed as detail::hamiltonian does: κ = H at start exactly
  for (std::size_t i = 0; i < k; ++i) {
    cross += w_[i] * psi_[i] * theta_[i];
    square += psi_[i] * psi_[i] + theta_[i] * theta_[i];
  }
  ref_cross_ = cross;
  ref_square_ = 0.5 * square;
  ref_psi_ = psi_;
  ref_theta_ = theta_;
  if (config_.market.kappa) {
    const double s2 = *config_.market.kappa / (ref_cross_ + lambda_ * ref_square_);
    ref_cross_ *= s2;
    ref_square_ *= s2;
    const double s = std::sqrt(s2);
    for (std::size_t i = 0; i < k; ++i) ref_psi_[i] *= s, ref_theta_[i] *= s;
  }
  kappa_ = ref_cross_ + lambda_ * ref_square_;
  refresh_prices();
  prev_price_ = price_;
  // Sized once so that filling it never allocates.
  snap_.classes.resize(k);
  snap_.cuts.reserve(k);
  snap_.regime_posterior.assign(regime_.states().size(), 0.0);
  std::size_t longest = 0;
  for (const auto& s : regime_.states()) longest = std::max(longest, s.size());
  snap_.regime_label.reserve(longest);
  fill_snapshot();
}

Result<std::size_t> Market::index_of(std::string_view id) const {
  const std::string ids[] = {std::string(id)};
  auto r = resolve_class_ids(config_.classes, ids);
  if (!r) return std::move(r).error();
  return (*r)[0];
}

void Market::modulate() noexcept {
  const double pc = regime_.probability(congested_), ps = regime_.probability(shock_);
  const auto& m = config_.market;
  lambda_ = m.lambda * (1.0 + m.lambda_modulation.congested * pc + m.lambda_modulation.shock * ps);
  risk_lambda_ = m.risk_fee * (1.0 + m.risk_fee_modulation.congested * pc + m.risk_fee_modulation.shock * ps);
  kappa_ = ref_cross_ + lambda_ * ref_square_;
}

void Market::refresh_prices() noexcept {
  for (std::size_t i = 0; i < size(); ++i) price_[i] = price(w_[i], lambda_, psi_[i], theta_[i]);
}

double Market::class_kappa(std::size_t c) const noexcept {
  return class_energy(w_[c], lambda_, ref_psi_[c], ref_theta_[c]);
}

double Market::baseline_price(std::size_t c) const noexcept { return price(w_[c], lambda_, ref_psi_[c], ref_theta_[c]); }

double Market::hamiltonian() const noexcept {
  return detail::hamiltonian(w_.data(), lambda_, psi_.data(), theta_.data(), size());
}

void Market::fill_snapshot() noexcept {
  for (std::size_t i = 0; i < size(); ++i)
    snap_.classes[i] = {price_[i], psi_[i], theta_[i], risk_lambda_ / psi_[i], fees_[i]};
  snap_.hamiltonian = hamiltonian();
  snap_.kappa = kappa_;
  snap_.drift = std::fabs(snap_.hamiltonian - kappa_) / kappa_;
  snap_.lambda = lambda_;
  snap_.risk_lambda = risk_lambda_;
  snap_.market_fee = config_.market.market_fee;
  const auto post = regime_.posterior();
  std::copy(post.begin(), post.end(), snap_.regime_posterior.begin());
  snap_.regime = regime_.most_likely();
  snap_.regime_label.assign(regime_.states()[snap_.regime]);
}

Pool Market::pool(std::size_t c) const noexcept {
  return {w_[c], lambda_, psi_[c], theta_[c], floor_psi_[c], floor_theta_[c]};
}

Error Market::bad_class(std::size_t cls) const {
  return make_error(Errc::invalid_value, "quote.class",
                    "index " + std::to_string(cls) + " is out of range (" + std::to_string(size()) + " classes)");
}

namespace {
Result<Quote> for_class(Result<Quote>&& q, const std::string& id) {
  if (!q) {
    Error e = std::move(q).error();
    e.message = "class " + id + ": " + e.message;
    return e;
  }
  return std::move(q);
}
}  // namespace

Result<Quote> Market::quote(std::size_t cls, Side side, double amount) const {
  if (cls >= size()) return bad_class(cls);
  return for_class(market::quote(pool(cls), fees(), side, amount), config_.classes[cls].id);
}

Result<Quote> Market::quote_buy_supply(std::size_t cls, double supply) const {
  if (cls >= size()) return bad_class(cls);
  return for_class(market::quote_buy_supply(pool(cls), fees(), supply), config_.classes[cls].id);
}

Result<Quote> Market::swap(std::size_t cls, Side side, double amount, double min_out) {
  if (!(min_out >= 0.0 && min_out <= std::numeric_limits<double>::max()))
    return make_error(Errc::invalid_value, "swap.min_out", "must be finite and >= 0, got " + format_number(min_out));
  auto q = quote(cls, side, amount);
  if (!q) return q;
  if (q->amount_out < min_out)
    return make_error(Errc::invalid_value, "swap.min_out",
                      "class " + config_.classes[cls].id + ": the swap gives " + format_number(q->amount_out) +
                          ", below the minimum " + format_number(min_out));
  psi_[cls] = q->supply_after;
  theta_[cls] = q->credits_after;
  fees_[cls] += q->fee;
  price_[cls] = q->price_after;
  snap_.classes[cls] = {price_[cls], psi_[cls], theta_[cls], risk_lambda_ / psi_[cls], fees_[cls]};
  snap_.hamiltonian = hamiltonian();  // unchanged up to rounding: swaps keep κ_i
  snap_.drift = std::fabs(snap_.hamiltonian - kappa_) / kappa_;
  return q;
}

}  // namespace hanzo::hmm::market
