// decode_request's fast path: Boost.JSON's tokenizer with a handler that writes the request's
// fields as they stream past. Any surprise (an unknown or repeated key, a null, a wrong type, a
// limit reached, a number out of range, a context given as a list) stops it, and the document
// decoder takes over. Numbers are converted as parse_json converts them (std::from_chars on the
// text, so correctly rounded), which is what makes the two paths agree bit for bit.
#include "request_fast.hpp"

#include <boost/json/array.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/object.hpp>
#include <boost/json/string.hpp>

#include <charconv>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>

namespace hanzo::hmm::wire::detail {

namespace {

namespace json = boost::json;

enum class Scope : std::uint8_t { before, top, preferences, requirements, preferred_models, observations, done };

// Every key of the schema, in its object. The value is the bit that marks it seen.
enum Field : std::uint32_t {
  none = 0,
  request_id = 1u << 0,
  tenant = 1u << 1,
  input = 1u << 2,
  context = 1u << 3,
  preferences = 1u << 4,
  requirements = 1u << 5,
  observations = 1u << 6,
  max_latency_ms = 1u << 7,
  max_cost_per_token = 1u << 8,
  preferred_models = 1u << 9,
  quality_threshold = 1u << 10,
  min_tokens_per_second = 1u << 11,
  max_memory_gb = 1u << 12,
  requires_function_calling = 1u << 13,
  requires_vision = 1u << 14,
  region = 1u << 15,
  hard_budget = 1u << 16,
};

Field field_of(Scope scope, std::string_view k) {
  switch (scope) {
    case Scope::top:
      if (k == "request_id") return request_id;
      if (k == "tenant") return tenant;
      if (k == "input") return input;
      if (k == "context") return context;
      if (k == "preferences") return preferences;
      if (k == "requirements") return requirements;
      if (k == "observations") return observations;
      return none;
    case Scope::preferences:
      if (k == "max_latency_ms") return max_latency_ms;
      if (k == "max_cost_per_token") return max_cost_per_token;
      if (k == "preferred_models") return preferred_models;
      if (k == "quality_threshold") return quality_threshold;
      return none;
    case Scope::requirements:
      if (k == "min_tokens_per_second") return min_tokens_per_second;
      if (k == "max_memory_gb") return max_memory_gb;
      if (k == "requires_function_calling") return requires_function_calling;
      if (k == "requires_vision") return requires_vision;
      if (k == "region") return region;
      if (k == "hard_budget") return hard_budget;
      return none;
    default: return none;
  }
}

struct FastHandler {
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  RequestMessage* m{nullptr};
  const Limits* limits{nullptr};
  Scope scope{Scope::before};
  Field field{none};
  std::uint32_t seen{0};  // the fields met so far (their bits are distinct across objects)
  std::string part;       // a key or string that arrives in pieces
  std::string number;     // a number's text that arrives in pieces

  static bool stop(json::error_code& ec) {
    ec = json::make_error_code(json::error::syntax);  // not an error: the document decoder decides
    return false;
  }

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code& ec) {
    if (scope == Scope::before) scope = Scope::top;
    else if (scope == Scope::top && field == preferences) scope = Scope::preferences;
    else if (scope == Scope::top && field == requirements) scope = Scope::requirements;
    else return stop(ec);
    return true;
  }
  bool on_object_end(std::size_t, json::error_code& ec) {
    if (scope == Scope::preferences || scope == Scope::requirements) {
      scope = Scope::top;
      return true;
    }
    if ((seen & (request_id | input)) != (request_id | input)) return stop(ec);  // required keys
    scope = Scope::done;
    return true;
  }
  bool on_array_begin(json::error_code& ec) {
    if (scope == Scope::top && field == observations) scope = Scope::observations;
    else if (scope == Scope::preferences && field == preferred_models) scope = Scope::preferred_models;
    else return stop(ec);
    return true;
  }
  bool on_array_end(std::size_t, json::error_code&) {
    scope = scope == Scope::observations ? Scope::top : Scope::preferences;
    return true;
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    part.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code& ec) {
    std::string_view k(s.data(), s.size());
    if (!part.empty()) k = part.append(s.data(), s.size());
    field = field_of(scope, k);
    part.clear();
    if (field == none || (seen & field)) return stop(ec);  // unknown or repeated
    seen |= field;
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
    part.append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code& ec) {
    std::string_view v(s.data(), s.size());
    if (!part.empty()) v = part.append(s.data(), s.size());
    const bool ok = text(v);
    part.clear();
    return ok || stop(ec);
  }
  bool text(std::string_view v) {
    const auto id = [&](std::string& out) {
      if (v.empty() || v.size() > limits->max_id_bytes) return false;
      out.assign(v);
      return true;
    };
    const auto body = [&](std::string& out) {
      if (v.size() > limits->max_input_bytes) return false;
      out.assign(v);
      return true;
    };
    routing::RoutingRequest& q = m->request;
    switch (scope) {
      case Scope::top:
        if (field == request_id) return id(q.request_id);
        if (field == tenant) return id(m->tenant);
        if (field == input) return body(q.input);
        if (field == context) return body(q.context);
        return false;
      case Scope::requirements:
        if (field != region) return false;
        return id(q.requirements.region.emplace());
      case Scope::preferred_models: {
        auto& models = q.preferences.preferred_models;
        if (models.size() == limits->max_preferred_models) return false;
        return id(models.emplace_back());
      }
      default: return false;
    }
  }
  bool on_number_part(json::string_view s, json::error_code&) {
    number.append(s.data(), s.size());
    return true;
  }
  bool on_int64(std::int64_t i, json::string_view, json::error_code& ec) {
    number.clear();
    return value(static_cast<double>(i)) || stop(ec);
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code& ec) {
    number.clear();
    return value(static_cast<double>(u)) || stop(ec);
  }
  bool on_double(double, json::string_view s, json::error_code& ec) {
    number.append(s.data(), s.size());
    double x = 0.0;
    const auto r = std::from_chars(number.data(), number.data() + number.size(), x);
    number.clear();
    // Out of range (an infinity, or an underflow the document decoder rounds): its business.
    if (r.ec != std::errc{} || !std::isfinite(x)) return stop(ec);
    return value(x) || stop(ec);
  }
  bool value(double x) {
    routing::RoutingRequest& q = m->request;
    switch (scope) {
      case Scope::observations:
        if (q.observations.size() == limits->max_observations) return false;
        q.observations.push_back(x);
        return true;
      case Scope::preferences:
        if (field == max_latency_ms) q.preferences.max_latency_ms = x;
        else if (field == max_cost_per_token) q.preferences.max_cost_per_token = x;
        else if (field == quality_threshold) q.preferences.quality_threshold = x;
        else return false;
        return true;
      case Scope::requirements:
        if (field == min_tokens_per_second) q.requirements.min_tokens_per_second = x;
        else if (field == max_memory_gb) q.requirements.max_memory_gb = x;
        else return false;
        return true;
      default: return false;
    }
  }
  bool on_bool(bool b, json::error_code& ec) {
    if (scope != Scope::requirements) return stop(ec);
    routing::Requirements& r = m->request.requirements;
    if (field == requires_function_calling) r.requires_function_calling = b;
    else if (field == requires_vision) r.requires_vision = b;
    else if (field == hard_budget) r.hard_budget = b;
    else return stop(ec);
    return true;
  }
  bool on_null(json::error_code& ec) { return stop(ec); }
  bool on_comment_part(json::string_view, json::error_code& ec) { return stop(ec); }
  bool on_comment(json::string_view, json::error_code& ec) { return stop(ec); }
};

using FastParser = json::basic_parser<FastHandler>;

}  // namespace

bool decode_request_fast(std::string_view text, const Limits& limits, RequestMessage& out) {
  if (text.size() > limits.max_document_bytes) return false;
  try {
    // Reused by this thread's next request: the tokenizer's stacks keep their memory.
    thread_local std::unique_ptr<FastParser> cached;
    if (!cached) cached = std::make_unique<FastParser>(json::parse_options{});
    FastParser& p = *cached;
    p.reset();
    FastHandler& h = p.handler();
    h.m = &out;
    h.limits = &limits;
    h.scope = Scope::before;
    h.field = none;
    h.seen = 0;
    h.part.clear();
    h.number.clear();
    json::error_code ec;
    const std::size_t n = p.write_some(false, text.data(), text.size(), ec);
    return !ec && n == text.size() && h.scope == Scope::done;
  } catch (const std::exception&) {  // out of memory: the document decoder reports it
    return false;
  }
}

}  // namespace hanzo::hmm::wire::detail
