#include "reader.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <memory>

#include "../io/read_helpers.hpp"  // check_keys: unknown keys with "did you mean"
#include "hanzo/hmm/io/json.hpp"

namespace hanzo::hmm::wire::detail {

std::string Path::str() const {
  if (!parent_) return {};
  std::string s = parent_->str();
  if (is_index_) return s + "[" + std::to_string(index_) + "]";
  if (!s.empty()) s += '.';
  // A key from the document may hold anything: quote it unless it is plain.
  const bool plain = !key_.empty() && std::all_of(key_.begin(), key_.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
  return plain ? s.append(key_) : s.append(json::serialize(json::string_view(key_.data(), key_.size())));
}

namespace {
// "must be a number, got string"
std::string got(const char* expected, const json::value& v) {
  return std::string("must be ") + expected + ", got " + io::kind_name(v);
}
}  // namespace

void Reader::fail(Error e) {
  if (!error_) error_ = std::move(e);
}

void Reader::fail(Errc code, const Path& at, std::string message) {
  if (!error_) error_ = make_error(code, at.str(), std::move(message));
}

void Reader::require(bool ok, const Path& at, const char* message) {
  if (!ok) fail(Errc::invalid_value, at, message);
}

namespace {
// Requests and feedback fit in the first buffer: decoding one allocates nothing.
struct Arena {
  static constexpr std::size_t kFirst = 16 * 1024;
  alignas(std::max_align_t) unsigned char first[kFirst];
  json::monotonic_resource memory{first, kFirst};
  bool taken{false};
};
Arena& this_thread_arena() {
  thread_local std::unique_ptr<Arena> arena = std::make_unique<Arena>();
  return *arena;
}
}  // namespace

Reader::~Reader() {
  if (!leased_) return;
  doc_.reset();  // before the arena is handed on
  this_thread_arena().taken = false;
}

const json::value* Reader::parse(std::string_view text, std::size_t max_bytes) {
  if (failed()) return nullptr;
  if (text.size() > max_bytes) {
    fail(Errc::invalid_value, Path(),
         "the document has " + std::to_string(text.size()) + " bytes, more than the limit of " +
             std::to_string(max_bytes));
    return nullptr;
  }
  json::storage_ptr storage;
  if (auto& arena = this_thread_arena(); !leased_ && !arena.taken) {
    arena.taken = leased_ = true;
    arena.memory.release();  // the previous document's blocks; the first buffer stays
    storage = json::storage_ptr(&arena.memory);
  } else {
    storage = json::make_shared_resource<json::monotonic_resource>();
  }
  auto parsed = io::parse_json(text, storage);
  if (!parsed) {
    fail(std::move(parsed).error());
    return nullptr;
  }
  // Built in place with the same storage: a move (assigning into a value with another storage
  // would copy the document).
  return &doc_.emplace(std::move(*parsed), storage);
}

const json::object* Reader::object(const json::value* v, const Path& at, Keys required, Keys optional) {
  if (failed() || !v) return nullptr;
  if (!v->is_object()) {
    fail(Errc::parse_error, at, got("an object", *v));
    return nullptr;
  }
  const auto& o = v->get_object();
  const std::string prefix = at.str();  // only nested objects pay for this (check_keys takes a prefix)
  if (auto ok = io::detail::check_keys(o, prefix.empty() ? prefix : prefix + ".", required, optional); !ok) {
    fail(std::move(ok).error());
    return nullptr;
  }
  return &o;
}

const json::value* Reader::member(const json::object* o, std::string_view key, const Path& parent, bool required) {
  if (failed() || !o) return nullptr;
  const json::value* v = o->if_contains(json::string_view(key.data(), key.size()));
  if (!v && required) fail(Errc::parse_error, parent.key(key), "required key is missing");
  if (v && !required && null_is_absent_ && v->is_null()) return nullptr;
  return v;
}

const json::object* Reader::object(const json::object* o, std::string_view key, const Path& parent, Keys required,
                                   Keys optional) {
  return object(member(o, key, parent, false), parent.key(key), required, optional);
}

const json::array* Reader::array(const json::object* o, std::string_view key, const Path& parent,
                                 std::size_t max_items) {
  const json::value* v = member(o, key, parent, false);
  if (!v) return nullptr;
  if (!v->is_array()) {
    fail(Errc::parse_error, parent.key(key), got("an array", *v));
    return nullptr;
  }
  const auto& a = v->get_array();
  if (a.size() > max_items) {
    fail(Errc::invalid_value, parent.key(key),
         "has " + std::to_string(a.size()) + " entries, more than the limit of " + std::to_string(max_items));
    return nullptr;
  }
  return &a;
}

double Reader::number(const json::value& v, const Path& at) {
  if (failed()) return 0.0;
  double x = 0.0;
  switch (v.kind()) {
    case json::kind::int64: return static_cast<double>(v.get_int64());
    case json::kind::uint64: return static_cast<double>(v.get_uint64());
    case json::kind::double_: x = v.get_double(); break;
    default: fail(Errc::parse_error, at, got("a number", v)); return 0.0;
  }
  // parse_json turns a literal beyond the double range (1e999) into an infinity.
  if (!std::isfinite(x)) fail(Errc::invalid_value, at, "must be a finite number");
  return x;
}

double Reader::number(const json::object* o, std::string_view key, const Path& parent) {
  const json::value* v = member(o, key, parent, true);
  return v ? number(*v, parent.key(key)) : 0.0;
}

std::optional<double> Reader::optional_number(const json::object* o, std::string_view key, const Path& parent) {
  const json::value* v = member(o, key, parent, false);
  if (!v) return std::nullopt;
  return number(*v, parent.key(key));
}

bool Reader::boolean(const json::object* o, std::string_view key, const Path& parent) {
  return optional_boolean(o, key, parent).value_or(false);
}

std::optional<bool> Reader::optional_boolean(const json::object* o, std::string_view key, const Path& parent) {
  const json::value* v = member(o, key, parent, false);
  if (!v) return std::nullopt;
  if (!v->is_bool()) {
    fail(Errc::parse_error, parent.key(key), got("true or false", *v));
    return std::nullopt;
  }
  return v->get_bool();
}

std::uint64_t Reader::unsigned_integer(const json::object* o, std::string_view key, const Path& parent) {
  return optional_unsigned(o, key, parent).value_or(0);
}

std::optional<std::uint64_t> Reader::optional_unsigned(const json::object* o, std::string_view key,
                                                       const Path& parent) {
  const json::value* v = member(o, key, parent, false);
  if (!v) return std::nullopt;
  switch (v->kind()) {
    case json::kind::uint64: return v->get_uint64();
    case json::kind::int64:
      if (v->get_int64() >= 0) return static_cast<std::uint64_t>(v->get_int64());
      break;
    case json::kind::double_: {  // 3.0 is an integer to JSON Schema, so it is one here too
      const double d = v->get_double();
      if (d >= 0.0 && d < 0x1p64 && std::floor(d) == d) return static_cast<std::uint64_t>(d);
      break;
    }
    default: fail(Errc::parse_error, parent.key(key), got("an integer", *v)); return std::nullopt;
  }
  fail(Errc::invalid_value, parent.key(key), "must be an integer in [0, 2^64)");
  return std::nullopt;
}

std::string_view Reader::text(const json::value& v, const Path& at, std::size_t max_bytes, bool non_empty) {
  if (failed()) return {};
  if (!v.is_string()) {
    fail(Errc::parse_error, at, got("a string", v));
    return {};
  }
  const std::string_view s(v.get_string().data(), v.get_string().size());
  if (non_empty && s.empty()) fail(Errc::invalid_value, at, "must not be empty");
  if (s.size() > max_bytes)
    fail(Errc::invalid_value, at,
         "has " + std::to_string(s.size()) + " bytes, more than the limit of " + std::to_string(max_bytes));
  return s;
}

std::string_view Reader::text(const json::object* o, std::string_view key, const Path& parent, std::size_t max_bytes,
                              bool non_empty) {
  const json::value* v = member(o, key, parent, true);
  return v ? text(*v, parent.key(key), max_bytes, non_empty) : std::string_view{};
}

std::optional<std::string_view> Reader::optional_text(const json::object* o, std::string_view key, const Path& parent,
                                                      std::size_t max_bytes, bool non_empty) {
  const json::value* v = member(o, key, parent, false);
  if (!v) return std::nullopt;
  return text(*v, parent.key(key), max_bytes, non_empty);
}

void Reader::numbers(const json::array* a, const Path& at, std::vector<double>& out) {
  if (failed() || !a) return;
  out.reserve(a->size());
  for (std::size_t i = 0; i < a->size() && !failed(); ++i) out.push_back(number((*a)[i], at.at(i)));
}

void Reader::texts(const json::array* a, const Path& at, std::size_t max_bytes, std::vector<std::string>& out,
                   bool non_empty) {
  if (failed() || !a) return;
  out.reserve(a->size());
  for (std::size_t i = 0; i < a->size() && !failed(); ++i)
    out.emplace_back(text((*a)[i], at.at(i), max_bytes, non_empty));
}

void Reader::posterior(const json::object* o, std::string_view key, const Path& parent,
                       std::span<const std::string_view> names, std::span<double> out) {
  const json::value* v = member(o, key, parent, true);
  if (!v) return;
  const Path at = parent.key(key);
  if (!v->is_object()) return fail(Errc::parse_error, at, got("an object", *v));
  const auto& p = v->get_object();
  for (const auto& kv : p) {
    const std::string_view name(kv.key().data(), kv.key().size());
    bool known = false;
    for (const auto n : names) known |= n == name;
    if (!known) {
      std::string expected;
      for (const auto n : names) expected += (expected.empty() ? "\"" : ", \"") + std::string(n) + "\"";
      return fail(Errc::parse_error, at.key(name), "unknown regime (expected one of " + expected + ")");
    }
  }
  for (std::size_t i = 0; i < names.size() && !failed(); ++i) {
    const double x = number(&p, names[i], at);
    require(x >= 0.0 && x <= 1.0, at.key(names[i]), "must be in [0, 1]");
    out[i] = x;
  }
  double sum = 0.0;
  for (const double x : out) sum += x;
  if (!failed() && std::abs(sum - 1.0) > 1e-6) fail(Errc::not_normalised, at, "must sum to 1");
}

}  // namespace hanzo::hmm::wire::detail
