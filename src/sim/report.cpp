// Text renderings of a run: the regret curve as CSV, and the summary table.
#include <cstdio>
#include <string>

#include "hanzo/hmm/sim/simulate.hpp"

namespace hanzo::hmm::sim {

namespace {

std::string fixed(double x, int decimals) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
  return buf;
}

std::string share(const std::optional<double>& s) { return s ? fixed(100.0 * *s, 1) + "%" : "n/a"; }

std::string pad(std::string s, std::size_t width, bool left = false) {
  if (s.size() < width) s = left ? s + std::string(width - s.size(), ' ') : std::string(width - s.size(), ' ') + s;
  return s;
}

}  // namespace

std::string regret_csv(const Report& r) {
  std::string out = "requests";
  for (const auto& p : r.policies) out += "," + p.name;
  out += '\n';
  for (std::size_t j = 0; j < r.curve_at.size(); ++j) {
    out += std::to_string(r.curve_at[j]);
    for (const auto& p : r.policies) out += "," + fixed(p.regret_curve[j], 6);
    out += '\n';
  }
  return out;
}

std::string regret_table(const Report& r) {
  std::string out = "preset " + r.preset + ", seed " + std::to_string(r.seed) + ", " + std::to_string(r.tenants) +
                    " tenants, " + std::to_string(r.requests) + " requests; outage of " + r.outage_model +
                    " at requests [" + std::to_string(r.outage_start) + ", " + std::to_string(r.outage_end) + ")\n";
  out += pad("policy", 22, true) + pad("regret", 10) + pad("before", 9) + pad("during", 9) + pad("after", 9) +
         pad("E[U]", 8) + pad("U", 8) + pad("share<", 8) + pad("outage%", 9) + pad("fails", 7) + pad("@50", 8) + pad("@200", 8) + pad("retries", 9) +
         pad("cost/ok", 9) + '\n';
  for (const auto& p : r.policies) {
    out += pad(p.name, 22, true) + pad(fixed(p.total_regret, 1), 10);
    for (const auto& ph : p.phases) out += pad(fixed(ph.regret, 1), 9);
    out += pad(fixed(p.mean_expected_utility, 3), 8) + pad(fixed(p.mean_realised_utility, 3), 8) +
           pad(fixed(100.0 * p.share_before, 1) + "%", 8) + pad(fixed(100.0 * p.outage_share, 1) + "%", 9) +
           pad(std::to_string(p.outage_failures), 7) + pad(share(p.share_after_50), 8) +
           pad(share(p.share_after_200), 8) + pad(std::to_string(p.retries_after_recovery), 9) +
           pad(fixed(p.cost_per_success, 2), 9) + '\n';
  }
  return out;
}

}  // namespace hanzo::hmm::sim
