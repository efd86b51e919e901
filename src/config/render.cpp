// Schema::render: the declaration written out as a TOML file, values and documentation together,
// so a shipped configuration file is generated from the declaration rather than kept beside it.
#include <boost/json.hpp>
#include <charconv>
#include <cmath>

#include "entry.hpp"

namespace hanzo::hmm::config {
namespace json = boost::json;

namespace {

constexpr std::size_t kWidth = 100;

bool bare_key(const std::string& k) {
  if (k.empty()) return false;
  for (char c : k)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(static_cast<unsigned char>(c)));
          out += buf;
        } else {
          out += c;
        }
    }
  }
  return out + "\"";
}

std::string toml_key(const std::string& k) { return bare_key(k) ? k : quoted(k); }

// Shortest text that reads back as the same double, always with a fraction or exponent so TOML
// reads a float.
std::string toml_double(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, x);
  std::string s(buf, r.ptr);
  if (s.find_first_of(".e") == std::string::npos) s += ".0";
  return s;
}

std::string toml_value(const json::value& v) {
  switch (v.kind()) {
    case json::kind::bool_: return v.get_bool() ? "true" : "false";
    case json::kind::int64: return std::to_string(v.get_int64());
    case json::kind::uint64: return std::to_string(v.get_uint64());
    case json::kind::double_: return toml_double(v.get_double());
    case json::kind::string: return quoted(v.get_string());
    case json::kind::array: {
      std::string out = "[";
      for (const auto& e : v.get_array()) out += (out.size() > 1 ? ", " : "") + toml_value(e);
      return out + "]";
    }
    default: return "\"\"";  // objects and null are rendered by the callers
  }
}

// `text` as comment lines of at most kWidth columns, broken at spaces.
void comment(std::string& out, const std::string& text, const std::string& indent = "") {
  if (text.empty()) return;
  const std::string lead = "# " + indent;
  std::string line;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t j = text.find(' ', i);
    if (j == std::string::npos) j = text.size();
    const std::string word = text.substr(i, j - i);
    if (!line.empty() && lead.size() + line.size() + 1 + word.size() > kWidth) {
      out += lead + line + "\n";
      line.clear();
    }
    line += (line.empty() ? "" : " ") + word;
    i = j + 1;
  }
  if (!line.empty()) out += lead + line + "\n";
}

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? toml_key(key) : path + "." + toml_key(key);
}

std::string kind_line(const OptionInfo& info) {
  return "(" + info.type + (info.bounds.empty() ? "" : ", " + info.bounds) + ")";
}

}  // namespace

std::string Schema::render(const std::string& header) const {
  std::string out;
  for (std::size_t i = 0; i < header.size();) {
    std::size_t j = header.find('\n', i);
    if (j == std::string::npos) j = header.size();
    const auto line = header.substr(i, j - i);
    out += line.empty() ? "#\n" : "# " + line + "\n";
    i = j + 1;
  }
  render_table(out, "");
  return out;
}

void Schema::render_table(std::string& out, const std::string& path) const {
  // Plain keys first: in TOML they belong to the table whose header came last.
  for (const auto& e : entries_) {
    if (e->kind != Entry::Kind::value) continue;
    const json::value v = e->current();
    out += "\n";
    comment(out, e->info.description);
    std::string kind = kind_line(e->info);
    if (v.is_null()) {
      comment(out, kind.substr(0, kind.size() - 1) + "; unset by default)");
      out += "# " + toml_key(e->info.key) + " =\n";
      continue;
    }
    if (v != e->initial)
      kind = kind.substr(0, kind.size() - 1) + "; default " + (e->initial.is_null() ? "unset" : toml_value(e->initial)) + ")";
    comment(out, kind);
    out += toml_key(e->info.key) + " = " + toml_value(v) + "\n";
  }
  for (const auto& e : entries_) {
    const std::string sub = join(path, e->info.key);
    if (e->kind == Entry::Kind::table) {
      out += "\n";
      comment(out, e->info.description);
      out += "[" + sub + "]\n";
      e->inner->render_table(out, sub);
    } else if (e->kind == Entry::Kind::passthrough) {
      out += "\n";
      comment(out, e->info.description);
      out += "[" + sub + "]\n";
      const json::value v = e->current();
      const auto& set = v.get_object();
      const auto& doc = e->passthrough;
      for (const auto& [k, value] : doc.defaults)
        if (!set.contains(k)) out += "# " + toml_key(k) + " = " + quoted(value) + "  # built in\n";
      for (const auto& kv : set) {
        const std::string k(kv.key());
        if (doc.is_secret && doc.is_secret(k)) out += "# " + toml_key(k) + " is set (a secret: not printed)\n";
        else out += toml_key(k) + " = " + toml_value(kv.value()) + "\n";
      }
    }
  }
  for (const auto& e : entries_) {
    if (e->kind != Entry::Kind::tables) continue;
    const std::string sub = join(path, e->info.key);
    out += "\n";
    comment(out, e->info.description + "; a configured [[" + sub + "]] list replaces this one as a whole. Keys:");
    Schema sample;
    e->sample(sample);
    for (const auto& k : sample.entries_) comment(out, k->info.key + " " + kind_line(k->info) + ": " + k->info.description, "  ");
    // Elements hold plain keys only (classes, models); a nested table there would need its own
    // [sub.key] headers after each element.
    for (const auto& element : e->elements()) {
      out += "[[" + sub + "]]\n";
      for (const auto& k : element.entries_)
        if (k->kind == Entry::Kind::value)
          if (const auto v = k->current(); !v.is_null()) out += toml_key(k->info.key) + " = " + toml_value(v) + "\n";
      out += "\n";
    }
  }
}

}  // namespace hanzo::hmm::config
