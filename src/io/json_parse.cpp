// parse_json: Boost.JSON's tokenizer with our own handler. Boost 1.81 converts most decimal
// numbers to a neighbouring double, not the nearest one; here number text is converted with
// std::from_chars (correctly rounded), so a written model reads back bit for bit.
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdlib>
#include <memory>
#include <new>
#include <unordered_set>

#include "hanzo/hmm/io/json.hpp"

namespace hanzo::hmm::io {

namespace json = boost::json;

namespace {

double exact_double(const std::string& text) {
  double d = 0.0;
  auto r = std::from_chars(text.data(), text.data() + text.size(), d);
  if (r.ec == std::errc{}) return d;
  // Out of range: strtod gives the limits (+-inf on overflow, 0 or a subnormal on underflow).
  return std::strtod(text.c_str(), nullptr);
}

struct ExactHandler {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  json::value_stack st;
  std::string number;  // text of the current number (it may arrive in parts)
  std::string key;     // text of the current key
  // Keys of the open objects, innermost last. Most objects have a few short keys: a linear
  // scan over them costs no allocation (one hash set per object did, on every decoded message);
  // an object past kLinear keys gets a set, so a huge one stays O(n).
  static constexpr std::size_t kLinear = 16;
  struct Open {
    std::size_t first{0};                 // its first key in `seen` (only its first kLinear are there)
    std::unordered_set<std::string> many;  // all its keys, once it has kLinear
  };
  std::vector<std::string> seen;
  std::vector<Open> open;
  std::string duplicate;  // set when a key repeats

  bool repeated(const std::string& k) {
    Open& o = open.back();
    if (!o.many.empty()) return !o.many.insert(k).second;
    const auto first = seen.begin() + static_cast<std::ptrdiff_t>(o.first);
    if (seen.size() - o.first < kLinear) return std::find(first, seen.end(), k) != seen.end();
    o.many.insert(first, seen.end());
    return !o.many.insert(k).second;
  }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    open.push_back(Open{seen.size(), {}});
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code&) {
    seen.resize(open.back().first);
    open.pop_back();
    st.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(std::size_t n, json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    key.append(s.data(), s.size());
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    key.append(s.data(), s.size());
    if (repeated(key)) {
      duplicate = std::move(key);
      ec = json::make_error_code(json::error::syntax);  // replaced by our own message
      return false;
    }
    if (open.back().many.empty()) seen.push_back(key);  // past kLinear keys the set has them
    key.clear();
    st.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view s, json::error_code&) {
    number.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
    number.clear();
    st.push_int64(i);
    return true;
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
    number.clear();
    st.push_uint64(u);
    return true;
  }
  bool on_double(double, json::string_view s, json::error_code&) {
    number.append(s.data(), s.size());
    st.push_double(exact_double(number));
    number.clear();
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

  void clear() {
    number.clear();
    key.clear();
    seen.clear();
    open.clear();
    duplicate.clear();
  }
};

using Tokenizer = json::basic_parser<ExactHandler>;

Error error_at(std::string_view text, std::size_t offset, std::string message) {
  offset = std::min(offset, text.size());
  const auto before = text.substr(0, offset);
  const std::size_t line = 1 + static_cast<std::size_t>(std::count(before.begin(), before.end(), '\n'));
  const auto nl = before.rfind('\n');
  const std::size_t column = 1 + (nl == std::string_view::npos ? offset : offset - nl - 1);
  return make_error(Errc::parse_error, "line " + std::to_string(line) + ", column " + std::to_string(column),
                    std::move(message), static_cast<std::ptrdiff_t>(line), static_cast<std::ptrdiff_t>(column));
}

}  // namespace

Result<json::value> parse_json(std::string_view text) {
  return parse_json(text, json::make_shared_resource<json::monotonic_resource>());
}

Result<json::value> parse_json(std::string_view text, json::storage_ptr storage) {
  if (text.find_first_not_of(" \t\r\n") == std::string_view::npos)
    return error_at(text, text.size(), "no JSON value (the input is empty)");
  try {
    // The tokenizer and its stacks are reused by this thread's next document (growing them
    // again was a third of a request's decoding). Nothing parses from within a parse.
    thread_local std::unique_ptr<Tokenizer> cached;
    if (!cached) cached = std::make_unique<Tokenizer>(json::parse_options{});
    Tokenizer& p = *cached;
    // On every way out, values a failed parse left on the stack are destroyed while their
    // storage is valid (a caller's arena may be rewound before this thread's next parse).
    struct Clear {
      Tokenizer& p;
      ~Clear() { p.handler().st.reset(); }
    } clear{p};
    p.reset();
    p.handler().clear();
    p.handler().st.reset(std::move(storage));
    json::error_code ec;
    const std::size_t n = p.write_some(false, text.data(), text.size(), ec);
    if (!p.handler().duplicate.empty())
      return error_at(text, n, "duplicate key " + json::serialize(json::string_view(p.handler().duplicate)));
    if (ec) return error_at(text, n, ec.message());
    if (n < text.size()) return error_at(text, n, "unexpected data after the JSON value");
    return p.handler().st.release();
  } catch (const std::bad_alloc&) {
    return make_error(Errc::parse_error, "", "out of memory while parsing JSON");
  } catch (const std::exception& e) {  // value_stack limits (length_error)
    return make_error(Errc::parse_error, "", std::string("cannot parse JSON: ") + e.what());
  }
}

}  // namespace hanzo::hmm::io
