// Per-tenant Dirichlet feedback counts: the tenant's own evidence on up to 8 models, added to the
// router's shared prior counts. A small fixed-size value (no heap) that is persisted per tenant.
//
// Counts are regime-agnostic: an observation counts in every market regime (the regime dependence
// lives in the prior). Attributing by the market posterior would quadruple the latency counts for
// a distinction feedback rarely resolves.
//
// Each entry also carries the entropies of its price-independent blended likelihoods, derived by
// Router::observe/attach (28 of the 38 logarithms a tracked model costs per decision). They are
// not persisted: after decode(), call Router::attach() once, or decisions derive them on the fly
// (same results, slower).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/routing/types.hpp"

namespace hanzo::hmm::routing {

// FNV-1a of a model name: how outcomes refer to models, so stored counts survive catalogue
// reordering (Router::create rejects a catalogue whose names collide).
std::uint32_t model_key(std::string_view name) noexcept;

class TenantOutcomes {
 public:
  static constexpr std::size_t kMaxModels = 8;
  struct Entry {
    std::uint32_t model{0};  // model_key of the name
    std::uint32_t stamp{0};  // value of the update clock at the last update
    std::array<float, kOutcomeBins> counts{};
    // Derived, not persisted: H[P(latency|s)] for the 4 regimes, H[P(success|s)] likewise,
    // H[P(quality)], each of the prior blended with these counts.
    std::array<float, 9> entropy{};
  };

  std::span<const Entry> entries() const noexcept { return {entries_.data(), size_}; }
  const Entry* find(std::uint32_t model) const noexcept;
  std::uint32_t clock() const noexcept { return clock_; }

  // One observation: bin[m] is the bin of modality m, or -1 if not observed. Each modality's
  // counts are rescaled to sum to at most `cap`, which keeps the tenant's evidence adaptive.
  // A new model evicts the least recently updated one when 8 are tracked. `keep` < 1 first
  // multiplies every count held by it (forgetting). Invalidates the derived entropies
  // (Router::observe re-derives them).
  void record(std::uint32_t model, const std::array<std::int8_t, kModalities>& bin, float cap,
              float keep = 1.0F) noexcept;

  // Format v1, little-endian: "HRTO", u8 version=1, u8 n<=8, u8 bins=14, u8 0, u32 clock,
  // n x (u32 model, u32 stamp, 14 x f32 counts), u32 CRC-32 of everything before it.
  // 16 bytes empty, 528 with 8 models. The derived entropies are not encoded.
  std::vector<std::uint8_t> encode() const;
  static Result<TenantOutcomes> decode(std::span<const std::uint8_t> bytes);
  static constexpr std::size_t encoded_size(std::size_t n) noexcept { return 16 + 64 * n; }

  std::size_t memory_bytes() const noexcept { return sizeof(TenantOutcomes); }  // no heap
  // Equal counts, stamps and clock (the derived entropies follow from those).
  friend bool operator==(const TenantOutcomes& a, const TenantOutcomes& b) noexcept;

 private:
  friend class Router;
  std::uint64_t derived_for_{0};  // id of the router whose priors the entropies were derived with
  std::array<Entry, kMaxModels> entries_{};
  std::uint32_t clock_{0};
  std::uint8_t size_{0};
};

// Counts pooled across tenants (a segment, or the whole fleet): one block per catalogue model,
// fed by every sharing tenant's feedback (Router::observe_shared) and added to a tenant's own
// counts when RouterParams::shared_base is set. Not persisted; the caller owns one per pool.
class SharedOutcomes {
 public:
  explicit SharedOutcomes(std::size_t models) : counts_(models) {}
  std::size_t models() const noexcept { return counts_.size(); }
  const std::array<float, kOutcomeBins>& counts(std::size_t model) const { return counts_.at(model); }
  // As TenantOutcomes::record, by catalogue index (ignored when out of range).
  void record(std::size_t model, const std::array<std::int8_t, kModalities>& bin, float cap, float keep) noexcept;

 private:
  std::vector<std::array<float, kOutcomeBins>> counts_;
};

}  // namespace hanzo::hmm::routing
