#include "read_helpers.hpp"

#include <algorithm>

#include <boost/json/serialize.hpp>

#include "hanzo/hmm/detail/edit_distance.hpp"
#include "hanzo/hmm/io/json.hpp"

namespace hanzo::hmm::io::detail {

namespace json = boost::json;

namespace {
// Plain keys as they are, anything else (empty, spaces, control characters) JSON-quoted.
std::string key_text(std::string_view key) {
  const bool plain = !key.empty() && std::all_of(key.begin(), key.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  return plain ? std::string(key) : json::serialize(json::string_view(key.data(), key.size()));
}
}  // namespace

std::string at(const std::string& base, std::size_t i) { return base + "[" + std::to_string(i) + "]"; }

Error wrong_type(const std::string& where, const char* what, const json::value& got) {
  return make_error(Errc::parse_error, where, std::string("expected ") + what + ", got " + kind_name(got));
}

Result<const json::array*> as_array(const json::value& v, const std::string& where, const char* what) {
  if (!v.is_array()) return wrong_type(where, what, v);
  return &v.get_array();
}

Result<const json::object*> as_object(const json::value& v, const std::string& where, const char* what) {
  if (!v.is_object()) return wrong_type(where, what, v);
  return &v.get_object();
}

Result<double> as_number(const json::value& v, const std::string& where) {
  switch (v.kind()) {
    case json::kind::int64: return static_cast<double>(v.get_int64());
    case json::kind::uint64: return static_cast<double>(v.get_uint64());
    case json::kind::double_: return v.get_double();
    default: return wrong_type(where, "a number", v);
  }
}

Result<std::vector<double>> number_row(const json::value& v, const std::string& where) {
  auto a = as_array(v, where, "an array of numbers");
  if (!a) return std::move(a).error();
  std::vector<double> row;
  row.reserve((*a)->size());
  for (std::size_t i = 0; i < (*a)->size(); ++i) {
    auto x = as_number((**a)[i], at(where, i));
    if (!x) return std::move(x).error();
    row.push_back(*x);
  }
  return row;
}

Result<std::vector<std::vector<double>>> number_rows(const json::value& v, const std::string& where) {
  auto a = as_array(v, where, "an array of arrays of numbers");
  if (!a) return std::move(a).error();
  std::vector<std::vector<double>> rows;
  rows.reserve((*a)->size());
  for (std::size_t i = 0; i < (*a)->size(); ++i) {
    auto r = number_row((**a)[i], at(where, i));
    if (!r) return std::move(r).error();
    rows.push_back(std::move(*r));
  }
  return rows;
}

Result<std::vector<std::string>> string_list(const json::value& v, const std::string& where) {
  auto a = as_array(v, where, "an array of strings");
  if (!a) return std::move(a).error();
  std::vector<std::string> out;
  out.reserve((*a)->size());
  for (std::size_t i = 0; i < (*a)->size(); ++i) {
    const auto& s = (**a)[i];
    if (!s.is_string()) return wrong_type(at(where, i), "a string", s);
    out.emplace_back(s.get_string());
  }
  return out;
}

Result<void> check_keys(const json::object& o, const std::string& prefix, std::initializer_list<std::string_view> required,
                        std::initializer_list<std::string_view> optional) {
  for (const auto& kv : o) {
    const std::string_view key(kv.key().data(), kv.key().size());
    const auto known = [&](auto list) { return std::find(list.begin(), list.end(), key) != list.end(); };
    if (known(required) || known(optional)) continue;
    std::string expected, suggestion;
    for (auto list : {required, optional})
      for (auto k : list) {
        expected += (expected.empty() ? "\"" : ", \"") + std::string(k) + "\"";
        if (suggestion.empty() && hanzo::hmm::detail::edit_distance(key, k) <= 2) suggestion = std::string(k);
      }
    return make_error(Errc::parse_error, prefix + key_text(key),
                      suggestion.empty() ? "unknown key (expected one of " + expected + ")"
                                         : "unknown key (did you mean \"" + suggestion + "\"?)");
  }
  for (auto k : required)
    if (!o.contains(json::string_view(k.data(), k.size())))
      return make_error(Errc::parse_error, prefix + std::string(k), "required key is missing");
  return {};
}

}  // namespace hanzo::hmm::io::detail
