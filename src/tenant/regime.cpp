#include "hanzo/hmm/tenant/regime.hpp"

#include <string>

namespace hanzo::hmm::tenant {

namespace {
Error prefixed(Error e) {
  e.where = "tenants.regime" + (e.where.empty() ? std::string() : "." + e.where);
  return e;
}
Result<void> check_rows(std::size_t got, const char* key, const char* what) {
  if (got == kNumRegimes) return {};
  return make_error(Errc::invalid_dimension, std::string("tenants.regime.") + key,
                    "has " + std::to_string(got) + " " + what + ", expected " + std::to_string(kNumRegimes) +
                        " (exploration, exploitation, crisis, transition)");
}
}  // namespace

Result<GaussianHmm> make_regime_model(const RegimeParams& p) {
  // The regimes are fixed by name, so the row counts are checked here with a message that says so.
  for (auto ok : {check_rows(p.initial.size(), "initial", "entries"),
                  check_rows(p.transitions.size(), "transitions", "rows"), check_rows(p.means.size(), "means", "rows"),
                  check_rows(p.variances.size(), "variances", "rows")})
    if (!ok) return std::move(ok).error();
  auto m = make_gaussian_hmm({kRegimeNames.begin(), kRegimeNames.end()}, p.initial, p.transitions, p.means,
                             p.variances);
  if (!m) return prefixed(std::move(m).error());
  return m;
}

Result<std::span<const double>> RegimeFilter::observe(const std::vector<double>& observations) {
  if (observations.empty()) {
    filter_.skip();
    return filter_.posterior();
  }
  auto r = filter_.update(observations);
  if (!r) {
    Error e = std::move(r).error();
    // The core says "observation[2]"; the request field is "observations".
    if (e.where.rfind("observation", 0) == 0) e.where = "observations" + e.where.substr(11);
    return e;
  }
  return r;
}

Regime RegimeFilter::most_likely() const noexcept {
  const auto p = posterior();
  std::size_t best = 0;
  for (std::size_t i = 1; i < p.size(); ++i)
    if (p[i] > p[best]) best = i;
  return static_cast<Regime>(best);
}

}  // namespace hanzo::hmm::tenant
