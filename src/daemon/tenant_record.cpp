#include "hanzo/hmm/daemon/tenant_record.hpp"

#include <algorithm>
#include <cstring>

namespace hanzo::hmm::daemon {

namespace {

constexpr char kMagic[4] = {'H', 'Z', 'T', 'R'};
constexpr std::uint8_t kVersion = 2;  // 2: answers keyed by offset, with the routed model
// magic, version, sequence u64, partition i32: what peek() reads.
constexpr std::size_t kHeaderBytes = 4 + 1 + 8 + 4;

// Writes into a buffer sized for the whole record.
struct Writer {
  std::byte* p;
  template <class T>
  void put(T v) {
    for (std::size_t i = 0; i < sizeof(T); ++i) *p++ = static_cast<std::byte>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xffu);
  }
  void bytes(const void* src, std::size_t n) {
    if (n) std::memcpy(p, src, n);
    p += n;
  }
};

// Bounds-checked little-endian reads; a failed read leaves `ok` false.
struct Reader {
  std::span<const std::byte> in;
  std::size_t at{0};
  template <class T>
  bool get(T& v) {
    if (in.size() - at < sizeof(T)) return false;
    std::uint64_t r = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) r |= std::to_integer<std::uint64_t>(in[at + i]) << (8 * i);
    v = static_cast<T>(r);
    at += sizeof(T);
    return true;
  }
  bool get_string(std::string& s, std::size_t n) {
    if (in.size() - at < n) return false;
    s.assign(reinterpret_cast<const char*>(in.data() + at), n);
    at += n;
    return true;
  }
};

Error corrupt(const std::string& what) { return make_error(Errc::parse_error, "tenant record", what); }

}  // namespace

const TenantRecord::Answer* TenantRecord::find(const std::vector<Answer>& answers, std::int64_t offset) noexcept {
  for (auto it = answers.rbegin(); it != answers.rend(); ++it)
    if (it->offset == offset) return &*it;
  return nullptr;
}

void TenantRecord::prune(std::int64_t committed) {
  if (committed < 0) return;
  std::erase_if(answers, [&](const Answer& a) { return a.offset >= 0 && a.offset < committed; });
}

namespace {
std::size_t model_len(const TenantRecord::Answer& a) { return std::min<std::size_t>(a.model.size(), 0xffff); }
}  // namespace

std::size_t TenantRecord::encoded_size() const noexcept {
  std::size_t size = kHeaderBytes + 8 + 8 + 4 + 4 + session.size() + 4 + progress.size();
  for (const auto& a : answers) size += 8 + 2 + model_len(a) + 4 + a.decision.size();
  return size;
}

void TenantRecord::encode_to(std::byte* out) const noexcept {
  Writer w{out};
  w.bytes(kMagic, sizeof kMagic);
  w.put(kVersion);
  w.put(sequence);
  w.put(static_cast<std::uint32_t>(partition));
  w.put(static_cast<std::uint64_t>(requests_through));
  w.put(static_cast<std::uint64_t>(feedback_through));
  w.put(static_cast<std::uint32_t>(answers.size()));
  for (const auto& a : answers) {
    w.put(static_cast<std::uint64_t>(a.offset));
    w.put(static_cast<std::uint16_t>(model_len(a)));
    w.bytes(a.model.data(), model_len(a));
    w.put(static_cast<std::uint32_t>(a.decision.size()));
    w.bytes(a.decision.data(), a.decision.size());
  }
  w.put(static_cast<std::uint32_t>(session.size()));
  w.bytes(session.data(), session.size());
  w.put(static_cast<std::uint32_t>(progress.size()));
  w.bytes(progress.data(), progress.size());
}

std::vector<std::byte> TenantRecord::encode() const {
  std::vector<std::byte> out(encoded_size());
  encode_to(out.data());
  return out;
}

std::optional<TenantRecord::Head> TenantRecord::peek(std::span<const std::byte> bytes) noexcept {
  if (bytes.size() < kHeaderBytes || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) return std::nullopt;
  Reader r{bytes, 4};
  std::uint8_t version = 0;
  std::uint32_t partition = 0;
  std::uint64_t skip = 0;
  Head h;
  if (!r.get(version) || version != kVersion || !r.get(h.sequence) || !r.get(partition) || !r.get(skip) ||
      !r.get(skip) || !r.get(h.answers))
    return std::nullopt;
  h.partition = static_cast<std::int32_t>(partition);
  return h;
}

Result<TenantRecord> TenantRecord::decode(std::span<const std::byte> bytes) {
  if (bytes.size() < kHeaderBytes || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    return corrupt("not a tenant record (no HZTR header)");
  if (std::to_integer<std::uint8_t>(bytes[4]) != kVersion)
    return corrupt("version " + std::to_string(std::to_integer<int>(bytes[4])) + " not supported (this build reads " +
                   std::to_string(kVersion) + ")");
  Reader r{bytes, 5};
  TenantRecord t;
  std::uint32_t partition = 0, count = 0, session_len = 0;
  std::uint64_t req = 0, fb = 0;
  if (!r.get(t.sequence) || !r.get(partition) || !r.get(req) || !r.get(fb) || !r.get(count))
    return corrupt("truncated header");
  t.partition = static_cast<std::int32_t>(partition);
  t.requests_through = static_cast<std::int64_t>(req);
  t.feedback_through = static_cast<std::int64_t>(fb);
  if (count > kMaxAnswers) return corrupt(std::to_string(count) + " answers, at most " + std::to_string(kMaxAnswers));
  for (std::uint32_t i = 0; i < count; ++i) {
    auto& a = t.answers.emplace_back();
    std::uint16_t model_len = 0;
    std::uint32_t len = 0;
    std::uint64_t offset = 0;
    if (!r.get(offset) || !r.get(model_len) || !r.get_string(a.model, model_len) || !r.get(len) ||
        !r.get_string(a.decision, len))
      return corrupt("answer " + std::to_string(i) + " truncated");
    a.offset = static_cast<std::int64_t>(offset);
  }
  if (!r.get(session_len) || bytes.size() - r.at < session_len) return corrupt("session snapshot truncated");
  t.session.assign(bytes.begin() + static_cast<std::ptrdiff_t>(r.at),
                   bytes.begin() + static_cast<std::ptrdiff_t>(r.at + session_len));
  r.at += session_len;
  std::uint32_t progress_len = 0;
  if (!r.get(progress_len) || bytes.size() - r.at != progress_len)
    return corrupt("adapter progress: length does not match the " + std::to_string(bytes.size() - r.at) +
                   " bytes left");
  t.progress.assign(bytes.begin() + static_cast<std::ptrdiff_t>(r.at), bytes.end());
  return t;
}

std::string mark_redelivered(std::string_view decision) {
  const auto open = decision.find_first_not_of(" \t\r\n");
  const auto close = decision.find_last_not_of(" \t\r\n");
  if (open == std::string_view::npos || close == open || decision[open] != '{' || decision[close] != '}')
    return std::string(decision);
  const auto before = decision.find_last_not_of(" \t\r\n", close == 0 ? 0 : close - 1);
  const bool empty = before == std::string_view::npos || decision[before] == '{';
  std::string out(decision.substr(0, close));
  out += empty ? "\"redelivered\":true" : ",\"redelivered\":true";
  out += decision.substr(close);
  return out;
}

}  // namespace hanzo::hmm::daemon
