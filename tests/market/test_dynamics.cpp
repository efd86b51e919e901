// The integrator itself (src/market/dynamics.hpp, internal): the flow step is tangent to the
// level set (jointly over the classes it is given), second order.
#include <catch2/catch.hpp>

#include <random>
#include <vector>

#include "dynamics.hpp"
#include "hanzo/hmm/market/curve.hpp"

using namespace hanzo::hmm::market;

namespace {
struct State {
  std::vector<double> w, psi, theta, fp, ft, floor_psi, floor_theta, cut_psi, cut_theta, work;
  explicit State(std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> u(0.0, 1.0);
    for (std::size_t i = 0; i < n; ++i) {
      w.push_back(0.5 + u(rng));
      psi.push_back(100 + 900 * u(rng));
      theta.push_back(100 + 900 * u(rng));
      fp.push_back((u(rng) - 0.5) * 0.2 * psi.back());
      ft.push_back((u(rng) - 0.5) * 0.2 * theta.back());
    }
    floor_psi.assign(n, 1e-6);
    floor_theta.assign(n, 1e-6);
    cut_psi.assign(n, 0.0);
    cut_theta.assign(n, 0.0);
    work.assign(6 * n, 0.0);
  }
  detail::StateView view() {
    return {w.size(), w.data(), psi.data(), theta.data(), floor_psi.data(), floor_theta.data()};
  }
  double h(double lam) const { return detail::hamiltonian(w.data(), lam, psi.data(), theta.data(), w.size()); }
  unsigned flow(double lam, double eta, unsigned max_steps) {
    return detail::flow_along_level_set(view(), lam, fp.data(), ft.data(), eta, max_steps, cut_psi.data(),
                                        cut_theta.data(), work.data());
  }
};
}  // namespace

TEST_CASE("dynamics: the Hamiltonian is the sum of the class energies", "[market][dynamics]") {
  State s(7, 1);
  double sum = 0;
  for (std::size_t i = 0; i < 7; ++i) sum += class_energy(s.w[i], 0.3, s.psi[i], s.theta[i]);
  CHECK(s.h(0.3) == Approx(sum).epsilon(1e-14));
}

TEST_CASE("dynamics: the flow step keeps H to second order in the step", "[market][dynamics]") {
  const double lam = 0.2;
  double previous = 0.0;
  for (unsigned steps : {2u, 4u, 8u, 16u}) {
    State s(16, 2);
    const double h0 = s.h(lam);
    REQUIRE(s.flow(lam, 1e-9, steps) == steps);  // a tiny eta: the cap decides the count
    const double err = std::fabs(s.h(lam) - h0) / h0;
    CHECK(err < 1e-5);
    if (previous > 0.0) CHECK(err < 0.3 * previous);  // halving the step: error ÷ 4 (midpoint rule)
    previous = err;
  }
  // The sub-step rule: no reserve shrinks by more than eta per sub-step (10% outflows, eta 1%).
  State s(16, 2);
  CHECK(s.flow(lam, 0.01, 1000) >= 10);
}

TEST_CASE("dynamics: the projection spreads a one-class flow over all classes along ∇H", "[market][dynamics]") {
  State s(4, 3);
  const double lam = 0.1;
  std::fill(s.fp.begin(), s.fp.end(), 0.0);
  std::fill(s.ft.begin(), s.ft.end(), 0.0);
  s.fp[0] = 1e-3;  // a tiny inflow: one Euler-like step
  const auto before = s;
  s.flow(lam, 0.1, 1);
  // Displacement = F − c∇H with c = ∇H·F/|∇H|²: other classes move against their gradient.
  double gg = 0, gf = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    const double gp = grad_psi(s.w[i], lam, before.psi[i], before.theta[i]);
    const double gt = grad_theta(s.w[i], lam, before.psi[i], before.theta[i]);
    gg += gp * gp + gt * gt;
    if (i == 0) gf = gp * 1e-3;
  }
  const double c = gf / gg;
  for (std::size_t i = 1; i < 4; ++i) {
    CHECK(s.psi[i] - before.psi[i] ==
          Approx(-c * grad_psi(s.w[i], lam, before.psi[i], before.theta[i])).epsilon(1e-6));
    CHECK(s.theta[i] - before.theta[i] ==
          Approx(-c * grad_theta(s.w[i], lam, before.psi[i], before.theta[i])).epsilon(1e-6));
  }
  CHECK(s.psi[0] > before.psi[0]);
}
