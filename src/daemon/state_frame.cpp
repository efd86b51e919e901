#include "hanzo/hmm/daemon/state_frame.hpp"

#include <cstring>

#include "hanzo/hmm/crc32.hpp"
#include "hanzo/hmm/daemon/state_patch.hpp"

namespace hanzo::hmm::daemon {

namespace {

constexpr char kMagic[4] = {'H', 'Z', 'S', 'F'};
constexpr std::uint8_t kVersion = 1;
// magic, version, kind, sequence, chain, partition, crc
constexpr std::size_t kHeaderBytes = 4 + 1 + 1 + 8 + 8 + 4 + 4;

template <class T>
void put(std::string& out, T v) {
  for (std::size_t i = 0; i < sizeof(T); ++i)
    out.push_back(static_cast<char>((static_cast<std::uint64_t>(v) >> (8 * i)) & 0xffu));
}

template <class T>
T get(const std::byte* p) {
  std::uint64_t r = 0;
  for (std::size_t i = 0; i < sizeof(T); ++i) r |= std::to_integer<std::uint64_t>(p[i]) << (8 * i);
  return static_cast<T>(r);
}

Error corrupt(const std::string& what) { return make_error(Errc::parse_error, "state record", what); }

}  // namespace

Result<StateFrame> StateFrame::decode(std::span<const std::byte> bytes) {
  if (bytes.size() < kHeaderBytes || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    return corrupt("not a tenant state record (no HZSF header)");
  const auto version = std::to_integer<std::uint8_t>(bytes[4]);
  if (version != kVersion)
    return corrupt("version " + std::to_string(version) + " not supported (this build reads " +
                   std::to_string(kVersion) + ")");
  StateFrame f;
  const auto kind = std::to_integer<std::uint8_t>(bytes[5]);
  if (kind > 1) return corrupt("kind " + std::to_string(kind) + " is neither full (0) nor delta (1)");
  f.kind = static_cast<Kind>(kind);
  const std::byte* p = bytes.data() + 6;
  f.sequence = get<std::uint64_t>(p);
  f.chain = get<std::uint64_t>(p + 8);
  f.partition = static_cast<std::int32_t>(get<std::uint32_t>(p + 16));
  f.crc = get<std::uint32_t>(p + 20);
  if (f.kind == Kind::full ? f.chain != f.sequence : f.chain >= f.sequence)
    return corrupt("sequence " + std::to_string(f.sequence) + " does not fit chain " + std::to_string(f.chain));
  f.payload = bytes.subspan(kHeaderBytes);
  return f;
}

void StateFrame::encode_into(std::string& out) const {
  out.reserve(out.size() + kHeaderBytes + payload.size());
  out.append(kMagic, sizeof kMagic);
  put(out, kVersion);
  put(out, static_cast<std::uint8_t>(kind));
  put(out, sequence);
  put(out, chain);
  put(out, static_cast<std::uint32_t>(partition));
  put(out, crc);
  out.append(reinterpret_cast<const char*>(payload.data()), payload.size());
}

std::string state_key(std::string_view tenant, std::uint64_t index_in_chain) {
  std::string key(tenant);
  if (index_in_chain > 0) {
    key.push_back('\0');
    key += std::to_string(index_in_chain);
  }
  return key;
}

std::string_view tenant_of_state_key(std::string_view key) noexcept { return key.substr(0, key.find('\0')); }

bool StateWriter::next(std::string_view tenant, std::int32_t partition, std::uint64_t sequence,
                       std::vector<std::byte> state, bool force_full, std::string& key, std::string& value) {
  StateFrame f;
  f.sequence = sequence;
  f.partition = partition;
  f.crc = hmm::crc32(state);
  value.clear();
  if (force_full || in_chain_ == 0 || in_chain_ >= full_every_) {
    f.kind = StateFrame::Kind::full;
    f.chain = sequence;
    f.payload = state;
    f.encode_into(value);
    chain_ = sequence;
    in_chain_ = 1;
    key = state_key(tenant, 0);
    base_ = std::move(state);
    return true;
  }
  {
    std::string patch;
    make_patch(base_, state, patch);
    f.kind = StateFrame::Kind::delta;
    f.chain = chain_;
    f.payload = std::span(reinterpret_cast<const std::byte*>(patch.data()), patch.size());
    f.encode_into(value);
    key = state_key(tenant, in_chain_);
    ++in_chain_;
  }
  base_ = std::move(state);
  return false;
}

}  // namespace hanzo::hmm::daemon
