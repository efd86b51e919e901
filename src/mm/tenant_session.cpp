#include "hanzo/hmm/mm/tenant_session.hpp"

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

void TenantSession::remember(const routing::RoutingRequest& request, const TenantPart& part, std::size_t model_index) {
  Pending* slot;
  if (window_.size() < kWindow) {
    slot = &window_.emplace_back();
  } else {
    slot = &window_[next_];  // overwrite the oldest
    next_ = (next_ + 1) % kWindow;
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
constexpr std::uint16_t kVersion = 1;

void put_u32(std::vector<std::byte>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::byte>((v >> (8 * i)) & 0xff));
}
std::uint32_t get_u32(const std::byte* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
  return v;
}
Error corrupt(const std::string& what) { return make_error(Errc::parse_error, "tenant snapshot", what); }
}  // namespace

std::vector<std::byte> TenantSession::snapshot() {
  const auto inner = tenant_.snapshot();
  const auto counts = outcomes_.encode();
  std::vector<std::byte> out;
  out.reserve(14 + inner.size() + counts.size());
  for (char c : kMagic) out.push_back(static_cast<std::byte>(c));
  out.push_back(static_cast<std::byte>(kVersion & 0xff));
  out.push_back(static_cast<std::byte>(kVersion >> 8));
  put_u32(out, static_cast<std::uint32_t>(inner.size()));
  out.insert(out.end(), inner.begin(), inner.end());
  put_u32(out, static_cast<std::uint32_t>(counts.size()));
  for (auto b : counts) out.push_back(static_cast<std::byte>(b));
  return out;
}

Result<TenantSession> TenantSession::restore(const tenant::TenantContext& ctx, const routing::Router& router,
                                             std::span<const std::byte> bytes) {
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic, 4) != 0) return corrupt("not a tenant snapshot (magic)");
  const auto version = static_cast<std::uint16_t>(static_cast<unsigned>(bytes[4]) | (static_cast<unsigned>(bytes[5]) << 8));
  if (version != kVersion) return corrupt("unsupported version " + std::to_string(version));
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
  if (counts_len != bytes.size() - at) return corrupt("outcome section length does not match the snapshot size");
  std::vector<std::uint8_t> raw(counts_len);
  std::memcpy(raw.data(), bytes.data() + at, counts_len);
  auto outcomes = routing::TenantOutcomes::decode(raw);
  if (!outcomes) return std::move(outcomes).error();
  router.attach(*outcomes);
  return TenantSession(std::move(*tenant), std::move(*outcomes));
}

std::size_t TenantSession::memory_bytes() const noexcept {
  std::size_t window = window_.capacity() * sizeof(Pending);
  for (const auto& p : window_) window += p.request_id.capacity();
  return sizeof(*this) - sizeof(tenant_) - sizeof(outcomes_) + tenant_.memory_bytes() + outcomes_.memory_bytes() +
         window;
}

}  // namespace hanzo::hmm::mm
