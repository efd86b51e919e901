// Typed access to parsed JSON for the wire decoders (internal to hanzo_hmm_wire).
//
// A Reader keeps the first error and turns every later call into a no-op that returns a default,
// so a decoder reads its fields in a straight line and checks failed() once at the end. Paths are
// rendered into text only when an error names them, so decoding a good message builds no path
// strings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::wire::detail {

namespace json = boost::json;

// A JSON path such as "flows[2].class": a chain of links up the decoder's stack. A Path must not
// outlive its parent, nor the key text it was made with (literals or the parsed document).
class Path {
 public:
  Path() = default;  // the document root
  Path key(std::string_view k) const { return Path(this, k, 0, false); }
  Path at(std::size_t i) const { return Path(this, {}, i, true); }
  std::string str() const;

 private:
  Path(const Path* parent, std::string_view key, std::size_t index, bool is_index)
      : parent_(parent), key_(key), index_(index), is_index_(is_index) {}
  const Path* parent_{nullptr};
  std::string_view key_;
  std::size_t index_{0};
  bool is_index_{false};
};

using Keys = std::initializer_list<std::string_view>;

class Reader {
 public:
  Reader() = default;
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;
  ~Reader();

  bool failed() const noexcept { return error_.has_value(); }
  Error take() { return std::move(*error_); }
  void fail(Error e);
  void fail(Errc code, const Path& at, std::string message);
  // An optional member whose value is null reads as absent (producers that serialise every
  // field, e.g. serde's Option as null). Required members and array entries stay strict.
  void null_is_absent(bool on) noexcept { null_is_absent_ = on; }

  // The document: parse_json, after the size check; it lives as long as this Reader. Its memory
  // is an arena this thread reuses for its next Reader's document (a fresh one if this thread's
  // arena is taken). nullptr after an error.
  const json::value* parse(std::string_view text, std::size_t max_bytes);

  // `v` as an object whose keys are all in required + optional and include every required one.
  const json::object* object(const json::value* v, const Path& at, Keys required, Keys optional = {});
  // The member `key` of `o` as an object; nullptr if absent (then an error only if required).
  const json::object* object(const json::object* o, std::string_view key, const Path& parent, Keys required,
                             Keys optional = {});
  // Arrays bounded by max_items; nullptr if absent.
  const json::array* array(const json::object* o, std::string_view key, const Path& parent,
                           std::size_t max_items = SIZE_MAX);

  // Required members (check_keys in object() already reported a missing one; defaults after errors).
  double number(const json::object* o, std::string_view key, const Path& parent);
  bool boolean(const json::object* o, std::string_view key, const Path& parent);
  std::uint64_t unsigned_integer(const json::object* o, std::string_view key, const Path& parent);
  // A string of at most max_bytes; `non_empty` for ids.
  std::string_view text(const json::object* o, std::string_view key, const Path& parent, std::size_t max_bytes,
                        bool non_empty = false);

  // Optional members: nullopt when the key is absent.
  std::optional<double> optional_number(const json::object* o, std::string_view key, const Path& parent);
  std::optional<bool> optional_boolean(const json::object* o, std::string_view key, const Path& parent);
  std::optional<std::uint64_t> optional_unsigned(const json::object* o, std::string_view key, const Path& parent);
  std::optional<std::string_view> optional_text(const json::object* o, std::string_view key, const Path& parent,
                                                std::size_t max_bytes, bool non_empty = false);

  // Element-wise forms, for arrays.
  double number(const json::value& v, const Path& at);
  std::string_view text(const json::value& v, const Path& at, std::size_t max_bytes, bool non_empty = false);
  void numbers(const json::array* a, const Path& at, std::vector<double>& out);
  void texts(const json::array* a, const Path& at, std::size_t max_bytes, std::vector<std::string>& out,
             bool non_empty = true);

  // An object {name: probability} with exactly the given names; out[i] is names[i]'s entry.
  void posterior(const json::object* o, std::string_view key, const Path& parent,
                 std::span<const std::string_view> names, std::span<double> out);

  // Range checks on a value already read (skipped after an error).
  void require(bool ok, const Path& at, const char* message);

 private:
  bool null_is_absent_{false};
  const json::value* member(const json::object* o, std::string_view key, const Path& parent, bool required);
  std::optional<Error> error_;
  bool leased_{false};  // this thread's arena holds doc_
  std::optional<json::value> doc_;
};

}  // namespace hanzo::hmm::wire::detail
