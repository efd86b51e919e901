// Accumulates log(prod_t c_t) + sum_t offset_t over millions of steps without losing precision:
// the product keeps a mantissa and a binary exponent (exact exponent arithmetic, one rounding per
// step), offsets use Neumaier's compensated sum. Relative error stays ~1e-15 at T = 1e7, where a
// plain running sum of logs loses several digits.
#pragma once

#include <cmath>
#include <cstdint>
#include <limits>

namespace hanzo::hmm::detail {

class LogAccumulator {
 public:
  // Multiplies by c > 0 (c == 0 makes the total -inf for good).
  void multiply(double c) noexcept {
    if (c < 0x1p-100) {
      if (c <= 0.0) {
        zero_ = true;
        return;
      }
      int e;
      c = std::frexp(c, &e);
      exponent_ += e;
    }
    mantissa_ *= c;
    if (mantissa_ < 0x1p-600 || mantissa_ > 0x1p600) {
      int e;
      mantissa_ = std::frexp(mantissa_, &e);
      exponent_ += e;
    }
  }
  // Multiplies by 2^e (exact).
  void add_exponent(std::int64_t e) noexcept { exponent_ += e; }
  // Adds a log-domain offset (compensated).
  void add_log(double x) noexcept {
    const double t = sum_ + x;
    comp_ += std::fabs(sum_) >= std::fabs(x) ? (sum_ - t) + x : (x - t) + sum_;
    sum_ = t;
  }
  bool is_zero() const noexcept { return zero_; }
  double value() const noexcept {
    if (zero_) return -std::numeric_limits<double>::infinity();
    return (std::log(mantissa_) + static_cast<double>(exponent_) * 0.69314718055994530942) + (sum_ + comp_);
  }
  // Raw parts, for snapshotting a filter exactly.
  struct Parts {
    double mantissa, sum, comp;
    std::int64_t exponent;
    bool zero;
  };
  Parts parts() const noexcept { return {mantissa_, sum_, comp_, exponent_, zero_}; }
  static LogAccumulator from_parts(const Parts& p) noexcept {
    LogAccumulator a;
    a.mantissa_ = p.mantissa;
    a.sum_ = p.sum;
    a.comp_ = p.comp;
    a.exponent_ = p.exponent;
    a.zero_ = p.zero;
    return a;
  }

 private:
  double mantissa_{1.0};
  double sum_{0.0};
  double comp_{0.0};
  std::int64_t exponent_{0};
  bool zero_{false};
};

}  // namespace hanzo::hmm::detail
