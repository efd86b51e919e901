// TOML → JSON data model, so one Schema reads both. The only TU that includes toml++.
#include <boost/json.hpp>
#include <fstream>
#include <sstream>
#include <toml++/toml.h>

#include "hanzo/hmm/config/schema.hpp"

namespace hanzo::hmm::config {
namespace json = boost::json;

namespace {

Result<json::value> convert(const toml::node& node, const std::string& where) {
  if (const auto* t = node.as_table()) {
    json::object o;
    for (const auto& [k, v] : *t) {
      auto c = convert(v, where.empty() ? std::string(k.str()) : where + "." + std::string(k.str()));
      if (!c) return c;
      o[k.str()] = std::move(*c);
    }
    return json::value(std::move(o));
  }
  if (const auto* a = node.as_array()) {
    json::array arr;
    for (std::size_t i = 0; i < a->size(); ++i) {
      auto c = convert(*a->get(i), where + "[" + std::to_string(i) + "]");
      if (!c) return c;
      arr.push_back(std::move(*c));
    }
    return json::value(std::move(arr));
  }
  if (const auto* s = node.as_string()) return json::value(s->get());
  if (const auto* i = node.as_integer()) return json::value(i->get());
  if (const auto* f = node.as_floating_point()) return json::value(f->get());
  if (const auto* b = node.as_boolean()) return json::value(b->get());
  return make_error(Errc::invalid_value, where, "dates and times are not supported here");
}

}  // namespace

Result<json::value> parse_toml(const std::string& text, const std::string& source) {
  // Debian's toml++ is built with exceptions: this is start-up code, turn them into values.
  try {
    const toml::table parsed = toml::parse(text, source);
    return convert(parsed, "");
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    return make_error(Errc::parse_error, source + ":" + std::to_string(b.line) + ":" + std::to_string(b.column),
                      std::string(e.description()));
  }
}

Result<json::value> parse_toml_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return make_error(Errc::io_error, path, "cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_toml(ss.str(), path);
}

}  // namespace hanzo::hmm::config
