// The Hamiltonian market's invariant for one compute class, its gradient and price, and exact
// moves along its level sets. Pure inline functions: quotes, ticks and tests share them.
//
// One class holds supply Ψ (quality-weighted GPU-seconds) and credits Θ. Its share of the
// Hamiltonian is H_i = w ΨΘ + (λ/2)(Ψ² + Θ²), symmetric in Ψ and Θ; the market's H is the sum.
// For 0 ≤ λ < w the level sets are AMM-shaped curves joining (0, √(2κ/λ)) to (√(2κ/λ), 0)
// (hyperbolae ΨΘ = κ/w at λ = 0).
#pragma once

#include <cmath>
#include <limits>

namespace hanzo::hmm::market {

inline double class_energy(double w, double lambda, double psi, double theta) noexcept {
  return w * psi * theta + 0.5 * lambda * (psi * psi + theta * theta);
}
// ∂H/∂Ψ_i and ∂H/∂Θ_i (also ∂H_i/∂x for the other coordinate, by symmetry).
inline double grad_psi(double w, double lambda, double psi, double theta) noexcept { return w * theta + lambda * psi; }
inline double grad_theta(double w, double lambda, double psi, double theta) noexcept { return w * psi + lambda * theta; }

// Credits per GPU-second: p = (∂H/∂Ψ)/(∂H/∂Θ), the exchange rate of a small swap on the level set.
// Homogeneous of degree 0 in (Ψ, Θ); ∂p/∂Ψ has the sign of λ² − w² (negative in the valid range).
inline double price(double w, double lambda, double psi, double theta) noexcept {
  return (w * theta + lambda * psi) / (w * psi + lambda * theta);
}

// Level-set move, with x and y either coordinate: x grows by `in` > 0; returns by how much y
// must fall to keep H_i. Derived from H(x+a, y−δ) = H(x, y) without forming H, so small trades do
// not cancel catastrophically:  (λ/2)δ² − Bδ + C = 0,  B = w x' + λ y,  C = a (w y + λ (x+x')/2),
// δ = 2C / (B + √(B² − 2λC))  (= a y / x' at λ = 0: constant product).
// NaN when there is no real root. The caller checks δ < y (the reserve is not exhausted).
inline double level_out_for_in(double w, double lambda, double x, double y, double in) noexcept {
  const double x1 = x + in;
  const double b = w * x1 + lambda * y;
  const double c = in * (w * y + 0.5 * lambda * (x + x1));
  const double disc = b * b - 2.0 * lambda * c;
  if (!(disc >= 0.0)) return std::numeric_limits<double>::quiet_NaN();
  return 2.0 * c / (b + std::sqrt(disc));
}

// The inverse: y falls by `out` (0 < out < y); returns by how much x must grow. From
// (λ/2)a² + B'a − C' = 0, B' = w y' + λ x, C' = out (w x + λ (y+y')/2): always one positive root.
inline double level_in_for_out(double w, double lambda, double x, double y, double out) noexcept {
  const double y1 = y - out;
  const double b = w * y1 + lambda * x;
  const double c = out * (w * x + 0.5 * lambda * (y + y1));
  return 2.0 * c / (b + std::sqrt(b * b + 2.0 * lambda * c));
}

// The other coordinate on the level set H_i = kappa at coordinate y: the positive root of
// (λ/2)x² + w y x + (λ/2)y² − κ = 0, cancellation-free: x = (2κ − λy²)/(w y + √((w²−λ²)y² + 2λκ)).
// ≤ 0 past the end of the curve (y ≥ √(2κ/λ)); NaN without a real root.
inline double level_other(double w, double lambda, double kappa, double y) noexcept {
  const double disc = (w * w - lambda * lambda) * y * y + 2.0 * lambda * kappa;
  if (!(disc >= 0.0)) return std::numeric_limits<double>::quiet_NaN();
  return (2.0 * kappa - lambda * y * y) / (w * y + std::sqrt(disc));
}

}  // namespace hanzo::hmm::market
