// The load generator's traffic (hanzo::loadgen), without Kafka: ticks, routing requests and
// feedback as the daemon's wire format (config/schemas). Every item is a pure function of
// (seed, its index): request 17 is the same whatever was generated before it, so runs are
// reproducible per seed and the driver may interleave kinds freely.
//
// What it models:
// - ticks: balanced flows for every class at its opening price (about 300 GPU-seconds offered
//   and used per second of dt, demand and value paid out at the price, 1% noise), and one supply
//   shock: `shock_class`'s supply multiplied by `shock_factor` at tick floor(shock_at * ticks);
// - requests for tenants "tenant-<i>" (a skewed popularity: low ids are hot), each tenant with a
//   fixed profile (cost-, latency-, quality-sensitive, vision or EU-bound apps; favourite models)
//   that shapes preferences and requirements, and regime observations drawn from the tenant
//   regime model's own Gaussians for the tenant's current regime (sticky over runs of requests);
// - feedback for a routed decision: latency, speed, quality and success drawn around the
//   catalogue's figures for the chosen model, cost around the decision's price.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/mm/config.hpp"
#include "hanzo/hmm/random.hpp"
#include "hanzo/hmm/routing/decision.hpp"
#include "hanzo/hmm/wire/market.hpp"
#include "hanzo/hmm/wire/request.hpp"

namespace hanzo::hmm::loadgen {

struct GeneratorOptions {
  std::uint64_t seed{1};
  std::string run_id{"run"};      // prefix of every request_id: "<run_id>-<index>"
  std::uint64_t tenants{1000};    // tenant ids "tenant-0" .. "tenant-<tenants-1>"
  double tenant_skew{2.0};        // tenant = floor(tenants * u^skew); 1 = uniform, larger = hotter head
  std::uint64_t ticks{0};         // ticks planned for the run (places the shock)
  double tick_dt{1.0};            // seconds of flows per tick (> 0)
  std::string shock_class{"h100-80g"};
  double shock_at{0.5};           // fraction of the ticks, in [0, 1]
  double shock_factor{0.5};       // supply multiplier at the shock, in (0, max_shock]
  double feedback_ratio{0.1};     // share of routed decisions that get feedback, in [0, 1]

  Result<void> validate() const;  // errors name the field
};

// A message ready to produce: key (tenant id; empty for unkeyed ticks) and JSON value.
struct Outgoing {
  std::string key;
  std::string value;
};

class Generator {
 public:
  // The engine config supplies the classes (tick flows at opening prices), the catalogue
  // (model names, figures for feedback) and the tenant regime model (observations).
  static Result<Generator> create(GeneratorOptions options, const mm::MarketMakerConfig& config = mm::default_config());

  const GeneratorOptions& options() const noexcept { return options_; }
  const std::vector<market::ComputeClass>& classes() const noexcept { return classes_; }

  // The tick index carrying the shock, nullopt when no ticks are planned.
  std::optional<std::uint64_t> shock_tick() const noexcept;
  wire::TickMessage tick(std::uint64_t index) const;  // sequence = index, no timestamp
  std::string tick_json(std::uint64_t index, std::optional<std::int64_t> timestamp_ms = std::nullopt) const;

  std::string tenant_of(std::uint64_t request_index) const;
  std::string request_id(std::uint64_t request_index) const;  // "<run_id>-<index>"
  wire::RequestMessage request(std::uint64_t index) const;    // tenant set (the record key)
  // Key = tenant; the value omits the tenant (the key carries it, like most producers would).
  Outgoing request_record(std::uint64_t index) const;

  // The index of one of this run's request_ids, nullopt for anybody else's.
  std::optional<std::uint64_t> parse_request_id(std::string_view request_id) const noexcept;

  // Whether this decision gets feedback (a fixed share of routed ones, by request_id hash).
  bool feedback_due(const routing::Decision& decision) const noexcept;
  // Plausible observed outcome of a routed decision; nullopt for a rejected one (no model).
  std::optional<routing::Feedback> feedback(const routing::Decision& decision) const;
  std::optional<Outgoing> feedback_record(const routing::Decision& decision) const;

 private:
  struct Profile;
  Generator() = default;
  Profile profile(std::uint64_t tenant) const;
  std::uint64_t draw_tenant(Rng& rng) const;

  GeneratorOptions options_;
  std::vector<market::ComputeClass> classes_;
  std::vector<double> opening_price_;  // per class: credits / supply
  std::size_t shock_cls_{0};
  std::vector<routing::ModelSpec> models_;
  tenant::RegimeParams regime_;
};

}  // namespace hanzo::hmm::loadgen
