// Market::tick and its validation; the class-id resolver of the wire format.
#include <algorithm>
#include <cmath>
#include <limits>

#include "dynamics.hpp"
#include "hanzo/hmm/chain.hpp"
#include "hanzo/hmm/market/market.hpp"

namespace hanzo::hmm::market {

using hanzo::hmm::detail::format_number;

Result<std::vector<std::size_t>> resolve_class_ids(std::span<const ComputeClass> classes,
                                                   std::span<const std::string> ids) {
  std::vector<std::size_t> out;
  out.reserve(ids.size());
  for (std::size_t k = 0; k < ids.size(); ++k) {
    const auto it = std::find_if(classes.begin(), classes.end(), [&](const ComputeClass& c) { return c.id == ids[k]; });
    if (it == classes.end()) {
      std::string known;
      for (const auto& c : classes) known += (known.empty() ? "" : ", ") + c.id;
      return make_error(Errc::unknown_symbol, "ids[" + std::to_string(k) + "]",
                        "unknown compute class \"" + ids[k] + "\" (known: " + known + ")", static_cast<std::ptrdiff_t>(k));
    }
    out.push_back(static_cast<std::size_t>(it - classes.begin()));
  }
  return out;
}

namespace {
bool amount_ok(double x) noexcept { return x >= 0.0 && x <= std::numeric_limits<double>::max(); }  // NaN: false
}  // namespace

Result<void> Market::check(const Tick& t) {
  // Fast path: one branch-light pass; only a bad tick pays for the search that names the field.
  bool ok = amount_ok(t.dt);
  ++stamp_;
  for (const ClassFlow& f : t.flows) {
    const bool in_range = f.cls < size();
    ok &= in_range && seen_[f.cls] != stamp_;
    if (in_range) seen_[f.cls] = stamp_;
    ok = ok && amount_ok(f.supply_in) && amount_ok(f.usage) && amount_ok(f.demand) && amount_ok(f.value_out) &&
         f.shock > 0.0 && f.shock <= config_.market.max_shock;
    if (ok) {
      const double ratio = config_.market.max_flow_ratio;
      const double lp = ratio * std::max(psi_[f.cls], limit_psi_[f.cls]);
      const double lt = ratio * std::max(theta_[f.cls], limit_theta_[f.cls]);
      ok = f.supply_in <= lp && f.usage <= lp && f.demand <= lt && f.value_out <= lt;
    }
  }
  if (ok) return {};
  if (!amount_ok(t.dt))
    return make_error(Errc::invalid_value, "tick.dt", "must be finite and >= 0, got " + format_number(t.dt));
  ++stamp_;
  for (std::size_t k = 0; k < t.flows.size(); ++k) {
    const ClassFlow& f = t.flows[k];
    const auto row = static_cast<std::ptrdiff_t>(k);
    const auto field = [&](const char* name) { return "tick.flows[" + std::to_string(k) + "]." + name; };
    if (f.cls >= size())
      return make_error(Errc::invalid_value, field("cls"),
                        "index " + std::to_string(f.cls) + " is out of range (" + std::to_string(size()) + " classes)",
                        row);
    if (seen_[f.cls] == stamp_)
      return make_error(Errc::invalid_value, field("cls"),
                        "class " + config_.classes[f.cls].id + " is listed more than once", row);
    seen_[f.cls] = stamp_;
    const std::pair<const char*, double> amounts[] = {
        {"supply_in", f.supply_in}, {"usage", f.usage}, {"demand", f.demand}, {"value_out", f.value_out}};
    for (const auto& [name, x] : amounts)
      if (!std::isfinite(x) || x < 0.0)
        return make_error(Errc::invalid_value, field(name), "must be finite and >= 0, got " + format_number(x), row);
    if (!(f.shock > 0.0 && f.shock <= config_.market.max_shock))
      return make_error(Errc::invalid_value, field("shock"),
                        "must be in (0, " + format_number(config_.market.max_shock) + "], got " +
                            format_number(f.shock),
                        row);
  }
  return flow_error(t);
}

Error Market::flow_error(const Tick& t) const {
  const double ratio = config_.market.max_flow_ratio;
  for (std::size_t k = 0; k < t.flows.size(); ++k) {
    const ClassFlow& f = t.flows[k];
    const std::size_t c = f.cls;
    const double psi = std::max(psi_[c], limit_psi_[c]), theta = std::max(theta_[c], limit_theta_[c]);
    const struct {
      const char* name;
      double amount, reserve;
      const char* unit;
    } flows[] = {{"supply_in", f.supply_in, psi, "GPU-seconds"},
                 {"usage", f.usage, psi, "GPU-seconds"},
                 {"demand", f.demand, theta, "credits"},
                 {"value_out", f.value_out, theta, "credits"}};
    for (const auto& x : flows)
      if (!(x.amount <= ratio * x.reserve))
        return make_error(Errc::invalid_value, "tick.flows[" + std::to_string(k) + "]." + x.name,
                          format_number(x.amount) + " " + x.unit + " is out of proportion to class " +
                              config_.classes[c].id + "'s reserve of " + format_number(x.reserve) + " " + x.unit +
                              " (at most market.max_flow_ratio = " + format_number(ratio) + " times it per tick)",
                          static_cast<std::ptrdiff_t>(k));
  }
  return make_error(Errc::invalid_value, "tick", "rejected");  // not reached: check() found a problem
}

bool Market::recover(double lam, double decay) noexcept {
  bool held = false;
  for (std::size_t i = 0; i < size(); ++i) {
    const double w = w_[i];
    const double kap = class_energy(w, lam, ref_psi_[i], ref_theta_[i]);
    const double base = price(w, lam, ref_psi_[i], ref_theta_[i]);
    const double h = class_energy(w, lam, psi_[i], theta_[i]);
    const double p = price(w, lam, psi_[i], theta_[i]);
    if (h == kap && p == base) continue;  // at the reference: stays there bit for bit
    const double target_h = kap + (h - kap) * decay;
    const double target_p = base * std::pow(p / base, decay);
    // The ratio r = Θ/Ψ of price target_p, from p = (w r + λ)/(w + λ r); then H_i = Ψ² (w r + (λ/2)(1 + r²)).
    const double r = (target_p * w - lam) / (w - lam * target_p);
    const double psi = std::sqrt(target_h / (w * r + 0.5 * lam * (1.0 + r * r)));
    const double theta = r * psi;
    held |= psi < floor_psi_[i] || theta < floor_theta_[i];
    psi_[i] = std::max(psi, floor_psi_[i]);
    theta_[i] = std::max(theta, floor_theta_[i]);
  }
  return held;
}

Result<void> Market::finite_or_undo() {
  for (std::size_t i = 0; i < size(); ++i) {
    const double h = class_energy(w_[i], lambda_, psi_[i], theta_[i]);
    if (std::isfinite(h) && psi_[i] > 0.0 && theta_[i] > 0.0 && std::isfinite(price(w_[i], lambda_, psi_[i], theta_[i])))
      continue;
    Error e = make_error(Errc::invalid_value, "tick",
                         "the flows would take class " + config_.classes[i].id +
                             " out of the representable range (supply " + format_number(psi_[i]) + ", credits " +
                             format_number(theta_[i]) + "); the tick was not applied");
    std::copy(saved_psi_.begin(), saved_psi_.end(), psi_.begin());
    std::copy(saved_theta_.begin(), saved_theta_.end(), theta_.begin());
    return e;
  }
  return {};
}

namespace {
// ln(p/q) with p = num/den, for the volatility: the atanh series 2(z + z³/3 + …) in
// z = (p−q)/(p+q) = (num − q·den)/(num + q·den) (one division) when the move is small (|z| < 0.03:
// the first omitted term is below 1e-16 relative), std::log otherwise.
double log_ratio(double num, double den, double q) noexcept {
  const double a = num, b = q * den;
  const double z = (a - b) / (a + b);
  if (std::fabs(z) >= 0.03) return std::log(a / b);
  const double z2 = z * z;
  return 2.0 * z * (1.0 + z2 * (1.0 / 3 + z2 * (1.0 / 5 + z2 * (1.0 / 7 + z2 * (1.0 / 9)))));
}
}  // namespace

Result<void> Market::tick(const Tick& t) {
  if (auto ok = check(t); !ok) return ok;
  const std::size_t k = size();
  const double lam = lambda_;  // λ is held over the tick; the regime updates it at the end
  std::fill(f_psi_.begin(), f_psi_.end(), 0.0);
  std::fill(f_theta_.begin(), f_theta_.end(), 0.0);
  std::fill(cut_psi_.begin(), cut_psi_.end(), 0.0);
  std::fill(cut_theta_.begin(), cut_theta_.end(), 0.0);
  std::copy(psi_.begin(), psi_.end(), saved_psi_.begin());
  std::copy(theta_.begin(), theta_.end(), saved_theta_.begin());

  // 1. Restoring and price recovery over the dt seconds since the last tick, per class (none at
  // dt = 0 or α = 0); then this tick's shocks and flows land, so its snapshot shows them.
  if (t.dt != decay_dt_) decay_dt_ = t.dt, decay_ = std::exp(-config_.market.alpha * t.dt);  // ticks keep a cadence
  const bool held = decay_ != 1.0 && recover(lam, decay_);

  // 2. Shocks, instantly; a shock below the floor is cut like an outflow.
  for (const ClassFlow& f : t.flows) {
    if (f.shock == 1.0) continue;
    const double p = psi_[f.cls] * f.shock;
    if (p < floor_psi_[f.cls]) cut_psi_[f.cls] += floor_psi_[f.cls] - p;
    psi_[f.cls] = std::max(p, floor_psi_[f.cls]);
  }

  // 3. Dense net flows, and the regime observation's flow parts at the post-shock state.
  double used = 0.0, inflow = 0.0, wanted = 0.0, available = 0.0;
  bool flowing = false;
  for (const ClassFlow& f : t.flows) {
    const std::size_t c = f.cls;
    f_psi_[c] = f.supply_in - f.usage;
    f_theta_[c] = f.demand - f.value_out;
    flowing |= f_psi_[c] != 0.0 || f_theta_[c] != 0.0;
    used += f.usage;
    inflow += f.supply_in;
    if (f.demand > 0.0)  // d / p with p = ∂_Ψ H / ∂_Θ H: one division
      wanted += f.demand * grad_theta(w_[c], lam, psi_[c], theta_[c]) / grad_psi(w_[c], lam, psi_[c], theta_[c]);
  }
  for (std::size_t i = 0; i < k; ++i) available += psi_[i];
  RegimeObservation obs;
  obs.utilisation = used / available;
  obs.imbalance = wanted + inflow > 0.0 ? (wanted - inflow) / (wanted + inflow) : 0.0;

  // 4. Each class's flows along its own level set: no other class takes part.
  unsigned substeps = 0;
  if (flowing)
    for (const ClassFlow& f : t.flows) {
      const std::size_t c = f.cls;
      if (f_psi_[c] == 0.0 && f_theta_[c] == 0.0) continue;
      const double h = class_energy(w_[c], lam, psi_[c], theta_[c]);
      const detail::StateView one{1, &w_[c], &psi_[c], &theta_[c], &floor_psi_[c], &floor_theta_[c]};
      substeps = std::max(substeps, detail::flow_along_level_set(one, lam, &f_psi_[c], &f_theta_[c],
                                                                 config_.market.max_step_fraction,
                                                                 config_.market.max_substeps, &cut_psi_[c],
                                                                 &cut_theta_[c], work_.data()));
      // Back onto the level set: the midpoint rule keeps H_i to second order only (one class's
      // curve bends faster than the market's did). H_i is homogeneous of degree 2 and p_i of
      // degree 0, so scaling restores H_i exactly and leaves the price the flow reached.
      // A reserve held at its floor stays there, the other coordinate on the level set.
      if (psi_[c] == floor_psi_[c] || theta_[c] == floor_theta_[c]) {
        const bool psi_floored = psi_[c] == floor_psi_[c];
        double& other = psi_floored ? theta_[c] : psi_[c];
        const double x = level_other(w_[c], lam, h, psi_floored ? psi_[c] : theta_[c]);
        if (x > 0.0) other = std::max(x, psi_floored ? floor_theta_[c] : floor_psi_[c]);
        continue;
      }
      const double scale = std::sqrt(h / class_energy(w_[c], lam, psi_[c], theta_[c]));
      if (std::isfinite(scale) && scale != 1.0) {
        psi_[c] = std::max(psi_[c] * scale, floor_psi_[c]);
        theta_[c] = std::max(theta_[c] * scale, floor_theta_[c]);
      }
    }
  snap_.substeps = substeps;
  if (auto ok = finite_or_undo(); !ok) return ok;
  snap_.restore_limited = held;

  // 5. Volatility at the λ the tick ran with, then the regime and the next λ.
  double squares = 0.0;
  for (std::size_t i = 0; i < k; ++i) {
    const double r = log_ratio(grad_psi(w_[i], lam, psi_[i], theta_[i]), grad_theta(w_[i], lam, psi_[i], theta_[i]),
                               prev_price_[i]);  // price = grad_psi / grad_theta
    squares += r * r;
  }
  obs.volatility = regime_.fold_volatility(squares / static_cast<double>(k));
  regime_.update(obs);
  modulate();
  refresh_prices();
  std::copy(price_.begin(), price_.end(), prev_price_.begin());

  snap_.tick += 1;
  snap_.time += t.dt;
  snap_.utilisation = obs.utilisation;
  snap_.imbalance = obs.imbalance;
  snap_.volatility = obs.volatility;
  snap_.cuts.clear();
  for (std::size_t i = 0; i < k; ++i)
    if (cut_psi_[i] > 0.0 || cut_theta_[i] > 0.0) snap_.cuts.push_back({i, cut_psi_[i], cut_theta_[i]});
  fill_snapshot();
  return {};
}

}  // namespace hanzo::hmm::market
