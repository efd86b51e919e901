// HOST:PORT parsing for listen addresses (metrics.listen, --metrics-listen). Checked at
// configuration time so a typo exits 78 from --check-config instead of failing at bind.
#include <cctype>
#include <string_view>

#include "hanzo/hmm/daemon/config.hpp"

namespace hanzo::hmm::daemon {

namespace {

bool host_char(char ch) {
  const auto c = static_cast<unsigned char>(ch);
  return std::isalnum(c) || ch == '.' || ch == '-' || ch == '_';
}

// An IPv6 literal: hex digits, ':' and '.' (IPv4-mapped tail), optionally "%zone".
bool ipv6_literal(std::string_view h) {
  const auto zone = h.find('%');
  const std::string_view addr = h.substr(0, zone);
  if (addr.find(':') == std::string_view::npos) return false;
  for (char ch : addr)
    if (!std::isxdigit(static_cast<unsigned char>(ch)) && ch != ':' && ch != '.') return false;
  if (zone == std::string_view::npos) return true;
  const std::string_view name = h.substr(zone + 1);
  if (name.empty()) return false;
  for (char ch : name)
    if (!host_char(ch)) return false;
  return true;
}

}  // namespace

Result<std::pair<std::string, std::uint16_t>> parse_listen_address(const std::string& text, const std::string& key) {
  auto bad = [&](const std::string& why) -> Error {
    return make_error(Errc::invalid_value, key, "\"" + text + "\" is not HOST:PORT: " + why);
  };
  const std::string_view t(text);
  std::string_view host, port;
  if (t.starts_with('[')) {
    const auto close = t.find(']');
    if (close == std::string_view::npos) return bad("'[' without ']'");
    host = t.substr(1, close - 1);
    if (host.empty()) return bad("empty host");
    if (!ipv6_literal(host)) return bad("brackets hold an IPv6 address, e.g. [::1]:9464");
    if (close + 1 >= t.size() || t[close + 1] != ':') return bad("expected :PORT after ']'");
    port = t.substr(close + 2);
  } else {
    const auto colon = t.rfind(':');
    if (colon == std::string_view::npos) return bad("no port (use HOST:0 for any free port)");
    host = t.substr(0, colon);
    port = t.substr(colon + 1);
    if (host.empty()) return bad("empty host (0.0.0.0 listens on every interface)");
    if (host.find(':') != std::string_view::npos) return bad("an IPv6 address needs brackets, e.g. [::1]:9464");
    for (char ch : host)
      if (!host_char(ch)) return bad("invalid character in host");
  }
  if (port.empty()) return bad("empty port");
  unsigned long value = 0;
  for (char ch : port) {
    if (ch < '0' || ch > '9') return bad("the port must be a decimal number");
    value = value * 10 + static_cast<unsigned long>(ch - '0');
    if (value > 65535) return bad("the port must be at most 65535");
  }
  return std::pair<std::string, std::uint16_t>{std::string(host), static_cast<std::uint16_t>(value)};
}

}  // namespace hanzo::hmm::daemon
