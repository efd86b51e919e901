// TenantOutcomes: recording feedback counts, and the versioned, checksummed byte format.
#include "hanzo/hmm/routing/outcomes.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <span>

#include "hanzo/hmm/crc32.hpp"

namespace hanzo::hmm::routing {

namespace {

constexpr std::uint8_t kMagic[4] = {'H', 'R', 'T', 'O'};
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kHeader = 12, kEntry = 64, kTrailer = 4;
static_assert(8 + 4 * kOutcomeBins == kEntry);
// A decoded count above the largest count_cap validate() allows is corruption.
constexpr float kMaxCount = 1e6F;

std::uint32_t checksum(const std::uint8_t* p, std::size_t n) noexcept {
  return crc32(std::as_bytes(std::span<const std::uint8_t>(p, n)));
}

void put32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
std::uint32_t get32(const std::uint8_t* p) noexcept {
  return std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 | std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24;
}

// One count per observed modality, each modality's counts then rescaled to sum to at most cap.
void add_counts(std::array<float, kOutcomeBins>& counts, const std::array<std::int8_t, kModalities>& bin,
                float cap) noexcept {
  for (std::size_t m = 0; m < kModalities; ++m) {
    if (bin[m] < 0 || static_cast<std::size_t>(bin[m]) >= kBins[m]) continue;
    float* c = counts.data() + kOffset[m];
    c[bin[m]] += 1.0F;
    float sum = 0.0F;
    for (std::size_t b = 0; b < kBins[m]; ++b) sum += c[b];
    if (sum > cap)
      for (std::size_t b = 0; b < kBins[m]; ++b) c[b] *= cap / sum;
  }
}

Error corrupt(std::string where, std::string message) {
  return make_error(Errc::parse_error, "tenant_outcomes" + (where.empty() ? "" : "." + where), std::move(message));
}

}  // namespace

std::uint32_t model_key(std::string_view name) noexcept {
  std::uint32_t h = 2166136261U;
  for (const char ch : name) {
    h ^= static_cast<std::uint8_t>(ch);
    h *= 16777619U;
  }
  return h;
}

const TenantOutcomes::Entry* TenantOutcomes::find(std::uint32_t model) const noexcept {
  for (std::size_t i = 0; i < size_; ++i)
    if (entries_[i].model == model) return &entries_[i];
  return nullptr;
}

void TenantOutcomes::record(std::uint32_t model, const std::array<std::int8_t, kModalities>& bin, float cap,
                            float keep) noexcept {
  derived_for_ = 0;
  Entry* e = nullptr;
  for (std::size_t i = 0; i < size_; ++i)
    if (entries_[i].model == model) e = &entries_[i];
  if (e == nullptr) {
    if (size_ < kMaxModels) {
      e = &entries_[size_++];
    } else {  // evict the least recently updated
      e = &*std::min_element(entries_.begin(), entries_.end(),
                             [](const Entry& a, const Entry& b) { return a.stamp < b.stamp; });
    }
    *e = Entry{};
    e->model = model;
  }
  // The clock only orders updates; before it wraps (4e9 updates) renumber the stamps by rank.
  if (clock_ == UINT32_MAX) {
    std::array<std::uint32_t, kMaxModels> rank{};
    for (std::size_t i = 0; i < size_; ++i)
      for (std::size_t j = 0; j < size_; ++j) rank[i] += entries_[j].stamp < entries_[i].stamp ? 1U : 0U;
    for (std::size_t i = 0; i < size_; ++i) entries_[i].stamp = rank[i] + 1;
    clock_ = size_;
  }
  e->stamp = ++clock_;
  if (keep < 1.0F)
    for (std::size_t i = 0; i < size_; ++i)
      for (auto& c : entries_[i].counts) c *= keep;
  add_counts(e->counts, bin, cap);
}

void SharedOutcomes::record(std::size_t model, const std::array<std::int8_t, kModalities>& bin, float cap,
                            float keep) noexcept {
  if (model >= counts_.size()) return;
  if (keep < 1.0F)
    for (auto& block : counts_)
      for (auto& c : block) c *= keep;
  add_counts(counts_[model], bin, cap);
}

std::vector<std::uint8_t> TenantOutcomes::encode() const {
  std::vector<std::uint8_t> out;
  out.reserve(encoded_size(size_));
  out.insert(out.end(), kMagic, kMagic + 4);
  out.push_back(kVersion);
  out.push_back(size_);
  out.push_back(static_cast<std::uint8_t>(kOutcomeBins));
  out.push_back(0);
  put32(out, clock_);
  for (std::size_t i = 0; i < size_; ++i) {
    put32(out, entries_[i].model);
    put32(out, entries_[i].stamp);
    for (const float c : entries_[i].counts) {
      std::uint32_t bits;
      std::memcpy(&bits, &c, 4);
      put32(out, bits);
    }
  }
  put32(out, checksum(out.data(), out.size()));
  return out;
}

Result<TenantOutcomes> TenantOutcomes::decode(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < kHeader + kTrailer) return corrupt("", "too short (" + std::to_string(bytes.size()) + " bytes)");
  if (std::memcmp(bytes.data(), kMagic, 4) != 0) return corrupt("", "bad magic");
  if (bytes[4] != kVersion) return corrupt("version", "unsupported version " + std::to_string(bytes[4]));
  const std::size_t n = bytes[5];
  if (n > kMaxModels) return corrupt("", std::to_string(n) + " models, at most 8");
  if (bytes[6] != kOutcomeBins) return corrupt("", "bin layout " + std::to_string(bytes[6]) + ", expected 14");
  if (bytes.size() != encoded_size(n))
    return corrupt("", "length " + std::to_string(bytes.size()) + ", expected " + std::to_string(encoded_size(n)));
  if (get32(bytes.data() + bytes.size() - 4) != checksum(bytes.data(), bytes.size() - 4))
    return corrupt("", "checksum mismatch");
  TenantOutcomes t;
  t.clock_ = get32(bytes.data() + 8);
  t.size_ = static_cast<std::uint8_t>(n);
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint8_t* p = bytes.data() + kHeader + i * kEntry;
    Entry& e = t.entries_[i];
    const std::string at = "entries[" + std::to_string(i) + "]";
    e.model = get32(p);
    e.stamp = get32(p + 4);
    if (e.stamp > t.clock_) return corrupt(at + ".stamp", "later than the clock");
    for (std::size_t j = 0; j < i; ++j)
      if (t.entries_[j].model == e.model) return corrupt(at + ".model", "duplicate");
    for (std::size_t b = 0; b < kOutcomeBins; ++b) {
      const std::uint32_t bits = get32(p + 8 + 4 * b);
      std::memcpy(&e.counts[b], &bits, 4);
      if (!(e.counts[b] >= 0.0F && e.counts[b] <= kMaxCount))  // rejects NaN too
        return corrupt(at + ".counts[" + std::to_string(b) + "]", "not a count");
    }
  }
  return t;
}

bool operator==(const TenantOutcomes& a, const TenantOutcomes& b) noexcept {
  if (a.size_ != b.size_ || a.clock_ != b.clock_) return false;
  for (std::size_t i = 0; i < a.size_; ++i) {
    const auto& x = a.entries_[i];
    const auto& y = b.entries_[i];
    if (x.model != y.model || x.stamp != y.stamp || x.counts != y.counts) return false;
  }
  return true;
}

}  // namespace hanzo::hmm::routing
