// A seeded world the router cannot see: per (model, tenant segment) true success probability,
// quality and log-normal latency (some unlike the catalogue's advertised figures), an outage of
// one popular model, a supply shock that makes one compute class expensive, and a slow latency
// drift of one model. Tenants in segments send a fixed request stream.
//
// Utility of one request served by model m (fixed; the benchmark's yardstick):
//   U = success * quality - cost_weight * price_per_token - latency_penalty * [latency > bound]
// with the tenant segment's cost_weight, latency bound and penalty. The oracle maximises its
// expectation E[U] = p * q - w * price - pen * P(latency > bound) under the truth.
//
// Common random numbers: request t's tenant and size come from (seed, t); the outcome of serving
// request t with model m from uniforms of (seed, t, m) alone, so every policy that picks m for t
// sees the same outcome, and policies differ only by their choices.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/market/market.hpp"
#include "hanzo/hmm/mm/config.hpp"
#include "hanzo/hmm/routing/types.hpp"

namespace hanzo::hmm::sim {

struct Segment {
  std::string name;
  double cost_weight{1.0};         // utility lost per credit per token
  double latency_bound_ms{2000.0};  // tenants' latency bound
  double latency_penalty{0.3};     // utility lost when a response exceeds it
  double quality_threshold{0.0};   // stated to the router as a preference
  std::optional<double> max_cost_per_token;  // stated to the router as a (soft) budget
  bool requires_function_calling{false};
};

// The truth of one model for one segment (balanced market; events modify it over time).
struct Truth {
  double success{0.99};
  double quality{0.7};       // mean of the realised quality; noise is uniform +-quality_noise
  double latency_ms{500.0};  // median
  double latency_sigma{0.35};
};

struct Outage {
  std::string model;
  double start{0.35}, end{0.6};  // fractions of the run
  double success{0.1};
};
struct SupplyShock {
  std::string compute_class;
  double at{0.75};      // fraction of the run
  double factor{0.2};   // supply multiplier of the market tick (< 1 raises the price)
};
struct Drift {
  std::string model;
  double to{3.0};  // latency multiplier reached linearly at the end of the run
};

struct WorldSpec {
  mm::MarketMakerConfig config;  // catalogue, market classes, router parameters
  std::vector<Segment> segments;
  std::vector<std::vector<Truth>> truth;  // [model][segment]
  Outage outage;
  SupplyShock shock;
  Drift drift;
  std::size_t tenants{8};
  std::size_t requests{2000};
  std::uint64_t seed{1};
  double quality_noise{0.08};

  Result<void> validate() const;
};

// "small" (CI: 8 tenants, 3,000 requests) or "full" (40 tenants, 20,000 requests); both with the
// default catalogue, four segments (chat, code, batch, analysis), an outage of gpt-4o-mini, a
// supply shock on the cpu class and a latency drift of llama-3.1-70b.
Result<WorldSpec> preset(std::string_view name);

// One request of the stream, as every policy sees it.
struct Request {
  std::size_t t{0};
  std::size_t tenant{0};
  std::size_t segment{0};
  routing::RoutingRequest request;  // preferences and requirements from the segment
};

struct Outcome {
  bool success{false};
  double quality{0.0};  // 0 on failure
  double latency_ms{0.0};
  double price_per_token{0.0};
  double utility{0.0};  // realised U
};

enum class Phase : std::uint8_t { before, during, after };
inline constexpr const char* kPhaseNames[] = {"before", "during", "after"};

class World {
 public:
  static Result<World> create(WorldSpec spec);

  const WorldSpec& spec() const noexcept { return spec_; }
  std::size_t models() const noexcept { return spec_.config.models.size(); }
  std::size_t outage_model() const noexcept { return outage_model_; }
  std::string tenant_name(std::size_t tenant) const;
  std::size_t segment_of(std::size_t tenant) const noexcept { return tenant % spec_.segments.size(); }

  // Moves the world to request t (t increasing from 0): applies the supply shock when due.
  Result<void> advance(std::size_t t);
  // The request from which the supply shock is in force, and the market tick that makes it (what
  // a run through the daemon sends on its ticks topic at that point of the stream).
  std::size_t shock_request() const noexcept;
  market::Tick shock_tick() const;
  Request request(std::size_t t) const;
  Phase phase(std::size_t t) const noexcept;
  bool feasible(const Request& r, std::size_t model) const noexcept;

  // Current market: what the router's snapshot is built from, and each model's price per token.
  const market::Market& market() const noexcept { return market_; }
  std::uint64_t market_version() const noexcept { return market_version_; }
  const std::vector<double>& prices() const noexcept { return prices_; }

  Truth truth(std::size_t t, std::size_t model, std::size_t segment) const noexcept;
  double expected_utility(const Request& r, std::size_t model) const noexcept;
  // The catalogue's figures in the same utility (what an operator would expect on paper).
  double advertised_utility(const Request& r, std::size_t model) const noexcept;
  Outcome outcome(const Request& r, std::size_t model) const noexcept;
  routing::Feedback feedback(const Request& r, std::size_t model, const Outcome& o) const;

 private:
  World(WorldSpec spec, market::Market market) : spec_(std::move(spec)), market_(std::move(market)) {}
  void refresh_prices();

  WorldSpec spec_;
  market::Market market_;
  std::vector<double> prices_;
  std::uint64_t market_version_{0};
  std::size_t outage_model_{0}, drift_model_{0}, shock_class_{0};
  bool shocked_{false};
};

// Counter-based uniform in [0, 1): splitmix64 of the mixed keys.
double uniform(std::uint64_t seed, std::uint64_t a, std::uint64_t b, std::uint64_t c) noexcept;

}  // namespace hanzo::hmm::sim
