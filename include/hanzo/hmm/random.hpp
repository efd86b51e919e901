// Seeded, platform-independent randomness: xoshiro256** seeded through splitmix64, with our own
// uniform/normal transforms (std:: distributions differ between standard libraries).
#pragma once

#include <cmath>
#include <cstdint>

namespace hanzo::hmm {

class Rng {
 public:
  explicit Rng(std::uint64_t seed) noexcept {
    for (auto& s : s_) {
      seed += 0x9e3779b97f4a7c15ULL;
      std::uint64_t z = seed;
      z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
      z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
      s = z ^ (z >> 31);
    }
  }

  std::uint64_t next() noexcept {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }

  // Uniform in [0, 1) with 53 random bits.
  double uniform() noexcept { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

  // Standard normal by the Marsaglia polar method (caches the second variate).
  double normal() noexcept {
    if (has_spare_) {
      has_spare_ = false;
      return spare_;
    }
    double u, v, s;
    do {
      u = 2.0 * uniform() - 1.0;
      v = 2.0 * uniform() - 1.0;
      s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    const double f = std::sqrt(-2.0 * std::log(s) / s);
    spare_ = v * f;
    has_spare_ = true;
    return u * f;
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4]{};
  double spare_{0.0};
  bool has_spare_{false};
};

// Index drawn from a discrete distribution p[0..n) (need not be normalised exactly).
inline std::size_t sample_index(const double* p, std::size_t n, Rng& rng) noexcept {
  double total = 0.0;
  for (std::size_t i = 0; i < n; ++i) total += p[i];
  const double u = rng.uniform() * total;
  double acc = 0.0;
  std::size_t last_positive = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (p[i] <= 0.0) continue;
    acc += p[i];
    last_positive = i;
    if (u < acc) return i;
  }
  return last_positive;  // rounding left u past the final cumulative sum
}

}  // namespace hanzo::hmm
