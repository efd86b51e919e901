#include "hanzo/hmm/daemon/answer_log.hpp"

#include <charconv>
#include <functional>

namespace hanzo::hmm::daemon {

std::vector<std::int32_t> answer_partitions(std::int32_t p, std::int32_t requests, std::int32_t decisions) {
  if (requests <= 0 || decisions <= 0 || p < 0) return {};
  if (decisions <= requests) return {p % decisions};
  std::vector<std::int32_t> out;
  for (std::int32_t q = p; q < decisions; q += requests) out.push_back(q);
  return out;
}

std::int32_t answer_partition(std::int32_t p, std::int32_t requests, std::int32_t decisions,
                              std::string_view tenant) noexcept {
  if (requests <= 0 || decisions <= 0 || p < 0) return -1;
  if (decisions <= requests) return p % decisions;
  const auto choices = static_cast<std::size_t>((decisions - 1 - p) / requests + 1);
  return p + requests * static_cast<std::int32_t>(std::hash<std::string_view>{}(tenant) % choices);
}

std::string RestorePoint::encode() const {
  std::string out = "hzrp1 c=" + std::to_string(changelog) + " d=";
  bool first = true;
  for (const auto& [q, offset] : decisions) {
    if (!first) out.push_back(',');
    first = false;
    out += std::to_string(q) + ":" + std::to_string(offset);
  }
  return out;
}

namespace {
template <class T>
bool parse(std::string_view& in, T& v) {
  auto [end, ec] = std::from_chars(in.data(), in.data() + in.size(), v);
  if (ec != std::errc{}) return false;
  in.remove_prefix(static_cast<std::size_t>(end - in.data()));
  return true;
}
bool eat(std::string_view& in, std::string_view token) {
  if (in.substr(0, token.size()) != token) return false;
  in.remove_prefix(token.size());
  return true;
}
}  // namespace

std::optional<RestorePoint> RestorePoint::decode(std::string_view in) {
  RestorePoint r;
  if (!eat(in, "hzrp1 c=") || !parse(in, r.changelog) || !eat(in, " d=")) return std::nullopt;
  while (!in.empty()) {
    std::int32_t q = 0;
    std::int64_t offset = 0;
    if (!parse(in, q) || !eat(in, ":") || !parse(in, offset) || q < 0) return std::nullopt;
    r.decisions[q] = offset;
    if (in.empty()) break;
    if (!eat(in, ",") || in.empty()) return std::nullopt;
  }
  return r;
}

}  // namespace hanzo::hmm::daemon
