#include "writer.hpp"

#include <cassert>
#include <charconv>
#include <cmath>

namespace hanzo::hmm::wire::detail {

Writer& Writer::key(std::string_view k) {
  separate();
  out_ += '"';
  out_.append(k);
  out_.append("\":", 2);
  return *this;
}

Writer& Writer::str(std::string_view s) {
  static constexpr char hex[] = "0123456789abcdef";
  separate();
  out_ += '"';
  std::size_t run = 0;  // start of the pending run of characters that need no escape
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out_.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out_.append("\\\"", 2); break;
      case '\\': out_.append("\\\\", 2); break;
      case '\n': out_.append("\\n", 2); break;
      case '\r': out_.append("\\r", 2); break;
      case '\t': out_.append("\\t", 2); break;
      default: {
        const char u[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        out_.append(u, sizeof u);
      }
    }
  }
  out_.append(s.data() + run, s.size() - run);
  out_ += '"';
  return *this;
}

Writer& Writer::num(double x) {
  assert(std::isfinite(x) && "the wire carries finite numbers only");
  if (!std::isfinite(x)) return null();
  separate();
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);  // shortest round trip, e.g. 1e-05
  out_.append(buf, static_cast<std::size_t>(r.ptr - buf));
  return *this;
}

namespace {
template <class Int>
void append_integer(std::string& out, Int x) {
  char buf[24];  // 20 digits and a sign at most
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}
}  // namespace

Writer& Writer::uint(std::uint64_t x) {
  separate();
  append_integer(out_, x);
  return *this;
}

Writer& Writer::integer(std::int64_t x) {
  separate();
  append_integer(out_, x);
  return *this;
}

Writer& Writer::boolean(bool b) {
  separate();
  if (b)
    out_.append("true", 4);
  else
    out_.append("false", 5);
  return *this;
}

Writer& Writer::null() {
  separate();
  out_.append("null", 4);
  return *this;
}

}  // namespace hanzo::hmm::wire::detail
