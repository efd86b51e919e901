#include "dynamics.hpp"

#include <algorithm>
#include <cmath>

namespace hanzo::hmm::market::detail {

double hamiltonian(const double* w, double lambda, const double* psi, const double* theta, std::size_t n) noexcept {
  double cross = 0.0, square = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    cross += w[i] * psi[i] * theta[i];
    square += psi[i] * psi[i] + theta[i] * theta[i];
  }
  return cross + 0.5 * lambda * square;
}

namespace {

// v = P(x) F = F − ∇H (∇H·F)/|∇H|². ∇H has all components > 0 on the open quadrant, so |∇H| > 0.
// Returns |∇H|².
double velocity(const StateView& s, double lambda, const double* psi, const double* theta, const double* fp,
                const double* ft, double* vp, double* vt) noexcept {
  double gg = 0.0, gf = 0.0;
  for (std::size_t i = 0; i < s.n; ++i) {
    const double gp = s.w[i] * theta[i] + lambda * psi[i];
    const double gt = s.w[i] * psi[i] + lambda * theta[i];
    gg += gp * gp + gt * gt;
    gf += gp * fp[i] + gt * ft[i];
  }
  const double c = gf / gg;
  for (std::size_t i = 0; i < s.n; ++i) {
    vp[i] = fp[i] - c * (s.w[i] * theta[i] + lambda * psi[i]);
    vt[i] = ft[i] - c * (s.w[i] * psi[i] + lambda * theta[i]);
  }
  return gg;
}

// Adds δ to flow component (j, which) and updates v = P F to match: v += δ (e_j − g g_j/|g|²).
void shift_flow(const StateView& s, double lambda, double gg, std::size_t j, bool psi_side, double delta, double* fp,
                double* ft, double* vp, double* vt) noexcept {
  const double gj = psi_side ? s.w[j] * s.theta[j] + lambda * s.psi[j] : s.w[j] * s.psi[j] + lambda * s.theta[j];
  const double k = delta * gj / gg;
  for (std::size_t i = 0; i < s.n; ++i) {
    vp[i] -= k * (s.w[i] * s.theta[i] + lambda * s.psi[i]);
    vt[i] -= k * (s.w[i] * s.psi[i] + lambda * s.theta[i]);
  }
  (psi_side ? fp : ft)[j] += delta;
  (psi_side ? vp : vt)[j] += delta;
}

// Cuts the flows of this sub-step so that no coordinate ends below its floor (Euler predictor):
// a coordinate j that would is given the extra inflow δ_j that makes it land on its floor, which
// also withdraws the compensation the rest of the market would have made for that part of the
// flow. A few Gauss–Seidel sweeps settle the coupling between several cut coordinates; the final
// clamp catches what is left. Returns false (and leaves ep, et alone) when nothing is cut.
bool cut_flows(const StateView& s, double lambda, double gg, double h, const double* fp, const double* ft, double* ep,
               double* et, double* vp, double* vt) noexcept {
  bool any = false;  // branch-free: the common case is a scan that finds nothing
  for (std::size_t i = 0; i < s.n; ++i)
    any |= (s.psi[i] + h * vp[i] < s.floor_psi[i]) | (s.theta[i] + h * vt[i] < s.floor_theta[i]);
  if (!any) return false;
  std::copy(fp, fp + s.n, ep);
  std::copy(ft, ft + s.n, et);
  for (int sweep = 0; sweep < 3; ++sweep)
    for (std::size_t j = 0; j < s.n; ++j)
      for (const bool psi_side : {true, false}) {
        const double x = psi_side ? s.psi[j] : s.theta[j];
        const double floor = psi_side ? s.floor_psi[j] : s.floor_theta[j];
        const double v = psi_side ? vp[j] : vt[j];
        const double want = (floor - x) / h;  // the velocity that lands on the floor
        if (v >= want) continue;
        const double gj = psi_side ? s.w[j] * s.theta[j] + lambda * s.psi[j] : s.w[j] * s.psi[j] + lambda * s.theta[j];
        const double keep = 1.0 - gj * gj / gg;  // dv_j/dF_j, in (0, 1] unless one coordinate is all of ∇H
        if (keep > 1e-12) shift_flow(s, lambda, gg, j, psi_side, (want - v) / keep, ep, et, vp, vt);
      }
  return true;
}

}  // namespace

unsigned flow_along_level_set(const StateView& s, double lambda, const double* f_psi, const double* f_theta,
                              double eta, unsigned max_substeps, double* cut_psi, double* cut_theta,
                              double* work) noexcept {
  const std::size_t n = s.n;
  double* vp = work;
  double* vt = work + n;
  double* mp = work + 2 * n;
  double* mt = work + 3 * n;
  double* ep = work + 4 * n;  // this sub-step's flows after cuts
  double* et = work + 5 * n;
  double gg = velocity(s, lambda, s.psi, s.theta, f_psi, f_theta, vp, vt);
  // Only decreases count: growth cannot break positivity, and the level set is restored exactly
  // after the flow step anyway. Reserves near their floor do not count either: cuts hold them.
  bool fast = true;  // one step suffices: no division needed to find out
  for (std::size_t i = 0; i < n; ++i)
    fast &= (-vp[i] <= eta * s.psi[i] || s.psi[i] <= 2.0 * s.floor_psi[i]) &
            (-vt[i] <= eta * s.theta[i] || s.theta[i] <= 2.0 * s.floor_theta[i]);
  unsigned steps = 1;
  if (!fast) {
    double rate = 0.0;  // largest relative decrease of one full step
    for (std::size_t i = 0; i < n; ++i) {
      if (s.psi[i] > 2.0 * s.floor_psi[i]) rate = std::max(rate, -vp[i] / s.psi[i]);
      if (s.theta[i] > 2.0 * s.floor_theta[i]) rate = std::max(rate, -vt[i] / s.theta[i]);
    }
    const double want = std::ceil(rate / eta);
    steps = want >= max_substeps ? max_substeps : std::max(1u, static_cast<unsigned>(want));
  }
  const double h = 1.0 / steps;
  for (unsigned k = 0; k < steps; ++k) {
    if (k > 0) gg = velocity(s, lambda, s.psi, s.theta, f_psi, f_theta, vp, vt);
    const double* fp = f_psi;
    const double* ft = f_theta;
    if (cut_flows(s, lambda, gg, h, f_psi, f_theta, ep, et, vp, vt)) {
      for (std::size_t i = 0; i < n; ++i) {
        cut_psi[i] += h * (ep[i] - f_psi[i]);
        cut_theta[i] += h * (et[i] - f_theta[i]);
      }
      fp = ep;
      ft = et;
    }
    for (std::size_t i = 0; i < n; ++i) {
      mp[i] = std::max(s.psi[i] + 0.5 * h * vp[i], s.floor_psi[i]);
      mt[i] = std::max(s.theta[i] + 0.5 * h * vt[i], s.floor_theta[i]);
    }
    velocity(s, lambda, mp, mt, fp, ft, vp, vt);
    for (std::size_t i = 0; i < n; ++i) {
      const double p = s.psi[i] + h * vp[i], t = s.theta[i] + h * vt[i];
      if (p < s.floor_psi[i]) cut_psi[i] += s.floor_psi[i] - p;
      if (t < s.floor_theta[i]) cut_theta[i] += s.floor_theta[i] - t;
      s.psi[i] = std::max(p, s.floor_psi[i]);
      s.theta[i] = std::max(t, s.floor_theta[i]);
    }
  }
  return steps;
}

}  // namespace hanzo::hmm::market::detail
