// The invariant, its gradient, the price and the level-set moves (include/.../market/curve.hpp).
#include <catch2/catch.hpp>

#include <random>

#include "hanzo/hmm/market/curve.hpp"

using namespace hanzo::hmm::market;

TEST_CASE("curve: one class by hand", "[market][curve]") {
  // w = 1, λ = 0.25, Ψ = 100, Θ = 300: H = 30000 + 0.125·(10⁴ + 9·10⁴) = 42500,
  // p = (300 + 25)/(100 + 75) = 13/7.
  CHECK(class_energy(1.0, 0.25, 100.0, 300.0) == 42500.0);
  CHECK(price(1.0, 0.25, 100.0, 300.0) == Approx(13.0 / 7.0).epsilon(1e-15));
  // λ = 0: the constant-product price Θ/Ψ, whatever w.
  CHECK(price(2.0, 0.0, 50.0, 200.0) == 4.0);
  // Ψ = Θ: price 1 for any w, λ.
  CHECK(price(0.7, 0.3, 42.0, 42.0) == 1.0);
}

TEST_CASE("curve: gradients match finite differences - dp/dΨ has the sign of λ² − w²", "[market][curve]") {
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int k = 0; k < 200; ++k) {
    const double w = 0.2 + 2.0 * u(rng), lam = 1.5 * w * u(rng);  // λ on both sides of w
    const double psi = 1.0 + 1000.0 * u(rng), theta = 1.0 + 1000.0 * u(rng);
    const double h = 1e-4 * std::min(psi, theta);
    const auto e = [&](double x, double y) { return class_energy(w, lam, x, y); };
    const double fd_psi = (e(psi + h, theta) - e(psi - h, theta)) / (2 * h);
    const double fd_theta = (e(psi, theta + h) - e(psi, theta - h)) / (2 * h);
    CHECK(grad_psi(w, lam, psi, theta) == Approx(fd_psi).epsilon(1e-7));
    CHECK(grad_theta(w, lam, psi, theta) == Approx(fd_theta).epsilon(1e-7));
    // Closed form: ∂p/∂Ψ = (λ² − w²)Θ / (wΨ + λΘ)².
    const double dp = (lam * lam - w * w) * theta / std::pow(w * psi + lam * theta, 2);
    const double fd_p = (price(w, lam, psi + h, theta) - price(w, lam, psi - h, theta)) / (2 * h);
    CHECK(fd_p == Approx(dp).epsilon(1e-5).margin(1e-14));
    if (std::fabs(lam - w) > 1e-3) CHECK((fd_p < 0) == (lam < w));
  }
}

TEST_CASE("curve: price is homogeneous of degree 0", "[market][curve]") {
  for (double s : {1e-6, 0.5, 3.0, 1e9})
    CHECK(price(0.9, 0.2, 70.0 * s, 130.0 * s) == Approx(price(0.9, 0.2, 70.0, 130.0)).epsilon(1e-15));
}

TEST_CASE("curve: level-set moves keep H_i and agree with the closed form through κ", "[market][curve]") {
  std::mt19937_64 rng(2);
  std::uniform_real_distribution<double> u(0.0, 1.0);
  for (int k = 0; k < 500; ++k) {
    const double w = 0.2 + 2.0 * u(rng), lam = 0.99 * w * u(rng);
    const double psi = std::pow(10.0, 4 * u(rng)), theta = std::pow(10.0, 4 * u(rng));
    const double kappa = class_energy(w, lam, psi, theta);
    const double in = theta * std::pow(10.0, -6 + 6 * u(rng));
    const double out = level_out_for_in(w, lam, theta, psi, in);
    const double psi1 = level_other(w, lam, kappa, theta + in);  // the formula
    if (psi1 > 1e-3 * psi) CHECK(psi - out == Approx(psi1).epsilon(1e-9));
    if (out < psi) CHECK(class_energy(w, lam, psi - out, theta + in) == Approx(kappa).epsilon(1e-13));
    // The inverse move.
    if (out < psi) CHECK(level_in_for_out(w, lam, theta, psi, out) == Approx(in).epsilon(1e-10));
  }
  // λ = 0: constant product, ΔΨ = Ψ d/(Θ + d).
  CHECK(level_out_for_in(1.3, 0.0, 200.0, 100.0, 50.0) == Approx(20.0).epsilon(1e-15));
  CHECK(level_other(2.0, 0.0, 40000.0, 250.0) == Approx(80.0).epsilon(1e-15));
}

TEST_CASE("curve: at λ > 0 the level set ends at Θ = √(2κ/λ)", "[market][curve]") {
  const double w = 1.0, lam = 0.1, kappa = class_energy(w, lam, 1000.0, 1000.0);
  const double end = std::sqrt(2 * kappa / lam);
  CHECK(level_other(w, lam, kappa, end) == Approx(0.0).margin(1e-9));
  CHECK(level_other(w, lam, kappa, 1.01 * end) < 0.0);
  // Paying past the end would need more than the whole supply.
  CHECK(level_out_for_in(w, lam, 1000.0, 1000.0, 1.01 * end - 1000.0) > 1000.0);
}
