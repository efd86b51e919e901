#include "hanzo/hmm/mm/tenant_session.hpp"

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>

namespace hanzo::hmm::mm {

Result<void> TenantSession::prepare(const routing::RoutingRequest& request, TenantPart& out) {
  auto posterior = tenant_.observe(request.observations);
  if (!posterior) return std::move(posterior).error().within("observations");
  for (std::size_t i = 0; i < out.regime_posterior.size() && i < posterior->size(); ++i)
    out.regime_posterior[i] = (*posterior)[i];
  out.regime = tenant::to_string(tenant_.regime().most_likely());
  const auto x = routing::features(request, out.regime_posterior);
  for (std::size_t j = 0; j < x.size(); ++j) out.x[j] = static_cast<float>(x[j]);
  const std::size_t k = tenant_.context().models();
  thread_local std::vector<float> scores;
  scores.resize(k);
  if (auto ok = tenant_.scores(out.x, scores); !ok) return ok;
  out.habit.resize(k);
  std::copy(scores.begin(), scores.end(), out.habit.begin());
  return {};
}

void TenantSession::current_regime(TenantPart& out) const {
  const auto posterior = tenant_.regime().posterior();
  for (std::size_t i = 0; i < out.regime_posterior.size(); ++i)
    out.regime_posterior[i] = i < posterior.size() ? posterior[i] : 0.0;
  out.regime = tenant::to_string(tenant_.regime().most_likely());
}

void TenantSession::remember(const routing::RoutingRequest& request, const TenantPart& part, std::size_t model_index) {
  const std::size_t cap = window_cap();
  Pending* slot;
  if (window_.size() < cap) {
    slot = &window_.emplace_back();
  } else {
    slot = &window_[next_];  // overwrite the oldest
    next_ = (next_ + 1) % cap;
  }
  Pending& p = *slot;
  // Assign in place so the slot's string keeps its capacity.
  p.request_id.assign(request.request_id);
  p.model = model_index;
  p.x = part.x;
  p.preferences.max_latency_ms = request.preferences.max_latency_ms;
  p.preferences.max_cost_per_token = request.preferences.max_cost_per_token;
  p.preferences.quality_threshold = request.preferences.quality_threshold;  // the reward ignores preferred_models
  p.answered = false;
}

Result<FeedbackEffect> TenantSession::feedback(const routing::Feedback& fb, const routing::Router& router) {
  if (auto ok = fb.validate(); !ok) return std::move(ok).error();
  const auto model = router.catalogue().model_index(fb.model);
  if (!model) return make_error(Errc::invalid_value, "model", "unknown model \"" + fb.model + "\"");
  FeedbackEffect effect;
  Pending* pending = nullptr;
  for (auto& p : window_)
    if (p.request_id == fb.request_id) pending = &p;
  if (pending && pending->answered) {
    effect.duplicate = true;  // at-least-once delivery: count and learn once
    return effect;
  }
  if (auto ok = router.observe(fb, outcomes_); !ok) return std::move(ok).error();
  effect.counted = true;
  if (pending) {
    pending->answered = true;
    const double r = routing::reward(fb, pending->preferences, router.params());
    if (auto ok = tenant_.learn(*model, pending->x, r); !ok) return std::move(ok).error();
    effect.learned = true;
  }
  return effect;
}

namespace {
constexpr char kMagic[4] = {'H', 'Z', 'M', 'M'};
// v3 writes the window in ring order (a new decision changes one slot, so the changelog's
// deltas stay small); v2 wrote it oldest first, v1 had none. Both are still read.
constexpr std::uint16_t kVersion = 3;

std::uint32_t get_u32(const std::byte* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
  return v;
}
Error corrupt(const std::string& what) { return make_error(Errc::parse_error, "tenant snapshot", what); }

// Writes into a buffer sized up front, in host order: the snapshot format is little-endian and
// so is every host this builds for.
static_assert(std::endian::native == std::endian::little, "tenant snapshots are written in host order");
struct Cursor {
  std::byte* p;
  void bytes(const void* src, std::size_t n) {
    if (n) std::memcpy(p, src, n);
    p += n;
  }
  template <class T>
  void put(const T& v) {
    bytes(&v, sizeof v);
  }
};

template <class T>
bool get_raw(std::span<const std::byte> bytes, std::size_t& at, T& v) {
  if (bytes.size() - at < sizeof v) return false;
  std::memcpy(&v, bytes.data() + at, sizeof v);
  at += sizeof v;
  return true;
}
}  // namespace

// The window, so feedback for a decision made before an eviction still trains the adapter once
// (and a repeated one is still a duplicate) after the tenant comes back: u16 count, u16 index
// of the oldest entry, then the entries in ring order. Per entry: answered u8, model u16, id length u16 + bytes, x (f32 each), preference flags u8,
// [max_latency f64], [max_cost f64], quality_threshold f64.
// Written field by field into a buffer sized once: this runs for every changelog record.
std::size_t TenantSession::window_bytes() const noexcept {
  std::size_t n = 4;
  for (const auto& p : window_)
    n += 1 + 2 + 2 + std::min<std::size_t>(p.request_id.size(), 0xffff) + sizeof(p.x) + 1 + 8 +
         (p.preferences.max_latency_ms ? 8 : 0) + (p.preferences.max_cost_per_token ? 8 : 0);
  return n;
}

std::byte* TenantSession::encode_window(std::byte* out) const {
  Cursor c{out};
  c.put(static_cast<std::uint16_t>(window_.size()));
  c.put(static_cast<std::uint16_t>(next_));
  for (const Pending& p : window_) {
    const auto id_len = static_cast<std::uint16_t>(std::min<std::size_t>(p.request_id.size(), 0xffff));
    c.put(static_cast<std::uint8_t>(p.answered));
    c.put(static_cast<std::uint16_t>(p.model));
    c.put(id_len);
    c.bytes(p.request_id.data(), id_len);
    static_assert(sizeof(p.x) == sizeof(float) * routing::kFeatures, "x is packed floats");
    c.put(p.x);
    const std::uint8_t flags = (p.preferences.max_latency_ms ? 1 : 0) | (p.preferences.max_cost_per_token ? 2 : 0);
    c.put(flags);
    if (p.preferences.max_latency_ms) c.put(*p.preferences.max_latency_ms);
    if (p.preferences.max_cost_per_token) c.put(*p.preferences.max_cost_per_token);
    c.put(p.preferences.quality_threshold);
  }
  return c.p;
}

Result<void> TenantSession::decode_window(std::span<const std::byte> bytes, std::size_t models, bool ring) {
  std::size_t at = 0;
  std::uint16_t n = 0, oldest = 0;
  if (!get_raw(bytes, at, n) || n > tenant::TenantParams::kMaxFeedbackWindow)
    return corrupt("decision window: bad entry count");
  if (ring && (!get_raw(bytes, at, oldest) || (oldest > 0 && oldest >= n)))
    return corrupt("decision window: bad oldest entry index");
  window_.resize(n);
  next_ = 0;
  for (auto& p : window_) {
    std::uint8_t answered = 0, flags = 0;
    std::uint16_t model = 0, id_len = 0;
    if (!get_raw(bytes, at, answered) || !get_raw(bytes, at, model) || !get_raw(bytes, at, id_len) ||
        bytes.size() - at < id_len)
      return corrupt("decision window: truncated entry");
    if (model >= models) return corrupt("decision window: model index " + std::to_string(model) + " out of range");
    p.answered = answered != 0;
    p.model = model;
    p.request_id.assign(reinterpret_cast<const char*>(bytes.data() + at), id_len);
    at += id_len;
    for (float& f : p.x)
      if (!get_raw(bytes, at, f)) return corrupt("decision window: truncated features");
    if (!get_raw(bytes, at, flags)) return corrupt("decision window: truncated preferences");
    double v = 0.0;
    if (flags & 1) {
      if (!get_raw(bytes, at, v)) return corrupt("decision window: truncated preferences");
      p.preferences.max_latency_ms = v;
    }
    if (flags & 2) {
      if (!get_raw(bytes, at, v)) return corrupt("decision window: truncated preferences");
      p.preferences.max_cost_per_token = v;
    }
    if (!get_raw(bytes, at, p.preferences.quality_threshold)) return corrupt("decision window: truncated preferences");
  }
  if (at != bytes.size()) return corrupt("decision window: trailing bytes");
  if (window_.size() == window_cap()) {
    next_ = oldest;
  } else {
    // Under another tenants.feedback_window: oldest first, and only the newest entries that fit.
    std::rotate(window_.begin(), window_.begin() + oldest, window_.end());
    if (window_.size() > window_cap())
      window_.erase(window_.begin(), window_.end() - static_cast<std::ptrdiff_t>(window_cap()));
  }
  return {};
}

std::vector<std::byte> TenantSession::snapshot() {
  tenant_.snapshot();  // rebase: the state encoded below is then what a restore continues from
  return checkpoint().state;
}

TenantSession::Checkpoint TenantSession::checkpoint() const {
  const auto inner = tenant_.snapshot_unchanged();
  const auto counts = outcomes_.encode();
  const std::size_t window = window_bytes();
  std::vector<std::byte> out(6 + 4 + inner.size() + 4 + counts.size() + 4 + window);
  Cursor c{out.data()};
  c.bytes(kMagic, 4);
  c.put(kVersion);
  c.put(static_cast<std::uint32_t>(inner.size()));
  c.bytes(inner.data(), inner.size());
  c.put(static_cast<std::uint32_t>(counts.size()));
  c.bytes(counts.data(), counts.size());
  c.put(static_cast<std::uint32_t>(window));
  c.p = encode_window(c.p);
  assert(c.p == out.data() + out.size());
  return {std::move(out), tenant_.progress()};
}

Result<TenantSession> TenantSession::restore(const tenant::TenantContext& ctx, const routing::Router& router,
                                             std::span<const std::byte> bytes) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 4) != 0) return corrupt("not a tenant snapshot (magic)");
  const auto version = static_cast<std::uint16_t>(static_cast<unsigned>(bytes[4]) | (static_cast<unsigned>(bytes[5]) << 8));
  if (version < 1 || version > kVersion) return corrupt("unsupported version " + std::to_string(version));
  std::size_t at = 6;
  const std::size_t inner_len = get_u32(bytes.data() + at);
  at += 4;
  if (inner_len > bytes.size() - at) return corrupt("truncated (tenant section)");
  auto tenant = tenant::ActiveTenant::restore(ctx, bytes.subspan(at, inner_len));
  if (!tenant) return std::move(tenant).error();
  at += inner_len;
  if (bytes.size() - at < 4) return corrupt("truncated (outcome section length)");
  const std::size_t counts_len = get_u32(bytes.data() + at);
  at += 4;
  if (version == 1 ? counts_len != bytes.size() - at : counts_len > bytes.size() - at)
    return corrupt("outcome section length does not match the snapshot size");
  std::vector<std::uint8_t> raw(counts_len);
  std::memcpy(raw.data(), bytes.data() + at, counts_len);
  at += counts_len;
  auto outcomes = routing::TenantOutcomes::decode(raw);
  if (!outcomes) return std::move(outcomes).error();
  router.attach(*outcomes);
  TenantSession session(std::move(*tenant), std::move(*outcomes));
  if (version >= 2) {
    if (bytes.size() - at < 4) return corrupt("truncated (decision window length)");
    const std::size_t window_len = get_u32(bytes.data() + at);
    at += 4;
    if (window_len != bytes.size() - at) return corrupt("decision window length does not match the snapshot size");
    if (auto ok = session.decode_window(bytes.subspan(at), ctx.models(), version >= 3); !ok) return std::move(ok).error();
  }
  return session;
}

std::size_t TenantSession::memory_bytes() const noexcept {
  std::size_t window = window_.capacity() * sizeof(Pending);
  for (const auto& p : window_) window += p.request_id.capacity();
  return sizeof(*this) - sizeof(tenant_) - sizeof(outcomes_) + tenant_.memory_bytes() + outcomes_.memory_bytes() +
         window;
}

}  // namespace hanzo::hmm::mm
