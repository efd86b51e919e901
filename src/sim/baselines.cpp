// The baselines: oracle, cheapest, advertised-best, random, lowest latency with cooldown, and
// Thompson sampling per tenant or per segment.
#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "hanzo/hmm/random.hpp"
#include "hanzo/hmm/sim/policy.hpp"

namespace hanzo::hmm::sim {

namespace {

template <class Score>
std::size_t best_of(std::span<const std::size_t> feasible, Score score) {
  std::size_t best = feasible[0];
  double top = score(best);
  for (const std::size_t m : feasible.subspan(1))
    if (const double s = score(m); s > top) top = s, best = m;
  return best;
}

// Picks the feasible model of highest score(world, request, model): the oracle (truth),
// cheapest (minus the price) and advertised-best (catalogue figures).
class Greedy final : public Policy {
 public:
  using Score = double (*)(const World&, const Request&, std::size_t);
  Greedy(std::string name, Score score) : Policy(std::move(name)), score_(score) {}
  Result<std::size_t> choose(const Step& s) override {
    return best_of(s.feasible, [&](std::size_t m) { return score_(s.world, s.request, m); });
  }

 private:
  Score score_;
};

class Random final : public Policy {
 public:
  explicit Random(std::uint64_t seed) : Policy("random"), seed_(seed) {}
  Result<std::size_t> choose(const Step& s) override {
    const double u = uniform(seed_, s.request.t, 0, 0x5a17);
    const auto k = std::min(s.feasible.size() - 1, static_cast<std::size_t>(u * static_cast<double>(s.feasible.size())));
    return s.feasible[k];
  }

 private:
  std::uint64_t seed_;
};

class LowestLatency final : public Policy {
 public:
  explicit LowestLatency(LatencyRoutingParams p) : Policy("lowest-latency"), p_(p) {}
  Result<std::size_t> choose(const Step& s) override {
    init(s.world);
    const std::size_t t = s.request.t;
    const bool all_cooling = std::all_of(s.feasible.begin(), s.feasible.end(), [&](std::size_t m) { return until_[m] > t; });
    return best_of(s.feasible, [&](std::size_t m) {
      return (!all_cooling && until_[m] > t) ? -INFINITY : -latency_[m];
    });
  }
  Result<void> observe(const Step& s, std::size_t m, const Outcome& o) override {
    latency_[m] += p_.ewma_weight * (o.latency_ms - latency_[m]);
    if (o.success) {
      fails_[m] = 0;
    } else if (++fails_[m] >= p_.allowed_fails) {
      fails_[m] = 0;
      until_[m] = s.request.t + 1 + p_.cooldown;
    }
    return {};
  }

 private:
  void init(const World& w) {
    if (!latency_.empty()) return;
    for (const auto& m : w.spec().config.models) latency_.push_back(m.latency_ms);
    fails_.assign(latency_.size(), 0);
    until_.assign(latency_.size(), 0);
  }
  LatencyRoutingParams p_;
  std::vector<double> latency_;
  std::vector<std::size_t> fails_, until_;
};

class Thompson final : public Policy {
 public:
  Thompson(ThompsonScope scope, std::uint64_t seed, ThompsonParams p)
      : Policy(scope == ThompsonScope::tenant ? "thompson-tenant" : "thompson-segment"), scope_(scope), seed_(seed), p_(p) {}
  Result<std::size_t> choose(const Step& s) override {
    Rng rng(seed_ ^ (0x7470ULL + s.request.t * 0x9e3779b97f4a7c15ULL));
    const auto& arms = arms_of(s);
    return best_of(s.feasible, [&](std::size_t m) {
      const double n0 = p_.prior_count, n = arms[m].n;
      const double mean = (n0 * s.world.advertised_utility(s.request, m) + arms[m].sum) / (n0 + n);
      return mean + p_.sigma / std::sqrt(n0 + n) * rng.normal();
    });
  }
  Result<void> observe(const Step& s, std::size_t m, const Outcome& o) override {
    auto& arm = arms_of(s)[m];
    arm.n += 1.0;
    arm.sum += o.utility;
    return {};
  }

 private:
  struct Arm {
    double n{0.0}, sum{0.0};
  };
  std::vector<Arm>& arms_of(const Step& s) {
    const std::size_t key = scope_ == ThompsonScope::tenant ? s.request.tenant : s.request.segment;
    auto& arms = arms_[key];
    if (arms.empty()) arms.resize(s.world.models());
    return arms;
  }
  ThompsonScope scope_;
  std::uint64_t seed_;
  ThompsonParams p_;
  std::unordered_map<std::size_t, std::vector<Arm>> arms_;
};

}  // namespace

std::unique_ptr<Policy> make_oracle() {
  return std::make_unique<Greedy>("oracle", [](const World& w, const Request& r, std::size_t m) {
    return w.expected_utility(r, m);
  });
}
std::unique_ptr<Policy> make_cheapest() {
  return std::make_unique<Greedy>("cheapest", [](const World& w, const Request&, std::size_t m) { return -w.prices()[m]; });
}
std::unique_ptr<Policy> make_advertised_best() {
  return std::make_unique<Greedy>("advertised-best", [](const World& w, const Request& r, std::size_t m) {
    return w.advertised_utility(r, m);
  });
}
std::unique_ptr<Policy> make_random(std::uint64_t seed) { return std::make_unique<Random>(seed); }
std::unique_ptr<Policy> make_lowest_latency(LatencyRoutingParams params) {
  return std::make_unique<LowestLatency>(params);
}
std::unique_ptr<Policy> make_thompson(ThompsonScope scope, std::uint64_t seed, ThompsonParams params) {
  return std::make_unique<Thompson>(scope, seed, params);
}

}  // namespace hanzo::hmm::sim
