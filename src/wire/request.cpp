// Requests and feedback: decode (strict, then the routing layer's validate()) and encode.
#include "hanzo/hmm/wire/request.hpp"

#include "reader.hpp"
#include "request_fast.hpp"
#include "writer.hpp"

namespace hanzo::hmm::wire {

using detail::Path;
using detail::Reader;
using detail::Writer;

namespace {

// The record key is the tenant; the value may repeat it but not contradict it.
Result<void> agree_with_key(std::string_view key, std::string& tenant, const Limits& limits) {
  if (key.empty()) return make_error(Errc::invalid_value, "tenant", "the record key (the tenant id) is empty");
  if (key.size() > limits.max_id_bytes)
    return make_error(Errc::invalid_value, "tenant", "the record key has more than " +
                                                         std::to_string(limits.max_id_bytes) + " bytes");
  if (!tenant.empty() && tenant != key)
    return make_error(Errc::invalid_value, "tenant",
                      "\"" + tenant + "\" does not match the record key \"" + std::string(key) + "\"");
  tenant = key;
  return {};
}

// "context": a string, or a list of strings (turns of a conversation, as the routing crate
// sends them) joined with newlines; either way at most limits.max_input_bytes.
std::string context(Reader& r, const boost::json::object* o, const Path& root, const Limits& limits) {
  const Path at = root.key("context");
  if (o && o->contains("context") && o->at("context").is_array()) {
    const auto* a = r.array(o, "context", root, limits.max_input_bytes);
    std::vector<std::string> parts;
    r.texts(a, at, limits.max_input_bytes, parts, false);
    std::string joined;
    for (std::size_t i = 0; i < parts.size(); ++i) {
      if (i) joined += '\n';
      joined += parts[i];
    }
    if (!r.failed() && joined.size() > limits.max_input_bytes)
      r.fail(Errc::invalid_value, at,
             "has " + std::to_string(joined.size()) + " bytes joined, more than the limit of " +
                 std::to_string(limits.max_input_bytes));
    return joined;
  }
  return std::string(r.optional_text(o, "context", root, limits.max_input_bytes).value_or(""));
}

}  // namespace

namespace detail {

Result<RequestMessage> decode_request_document(std::string_view json, const Limits& limits) {
  Reader r;
  r.null_is_absent(true);
  const Path root;
  const auto* o = r.object(r.parse(json, limits.max_document_bytes), root, {"request_id", "input"},
                           {"tenant", "context", "preferences", "requirements", "observations"});
  RequestMessage m;
  routing::RoutingRequest& q = m.request;
  q.request_id = r.text(o, "request_id", root, limits.max_id_bytes, true);
  m.tenant = r.optional_text(o, "tenant", root, limits.max_id_bytes, true).value_or("");
  q.input = r.text(o, "input", root, limits.max_input_bytes);
  q.context = context(r, o, root, limits);

  const Path pp = root.key("preferences");
  const auto* p = r.object(o, "preferences", root, {},
                           {"max_latency_ms", "max_cost_per_token", "preferred_models", "quality_threshold"});
  q.preferences.max_latency_ms = r.optional_number(p, "max_latency_ms", pp);
  q.preferences.max_cost_per_token = r.optional_number(p, "max_cost_per_token", pp);
  r.texts(r.array(p, "preferred_models", pp, limits.max_preferred_models), pp.key("preferred_models"),
          limits.max_id_bytes, q.preferences.preferred_models);
  q.preferences.quality_threshold = r.optional_number(p, "quality_threshold", pp).value_or(0.0);

  const Path rp = root.key("requirements");
  const auto* rq = r.object(o, "requirements", root, {},
                            {"min_tokens_per_second", "max_memory_gb", "requires_function_calling",
                             "requires_vision", "region", "hard_budget"});
  q.requirements.min_tokens_per_second = r.optional_number(rq, "min_tokens_per_second", rp);
  q.requirements.max_memory_gb = r.optional_number(rq, "max_memory_gb", rp);
  q.requirements.requires_function_calling = r.optional_boolean(rq, "requires_function_calling", rp).value_or(false);
  q.requirements.requires_vision = r.optional_boolean(rq, "requires_vision", rp).value_or(false);
  if (auto region = r.optional_text(rq, "region", rp, limits.max_id_bytes, true)) q.requirements.region = *region;
  q.requirements.hard_budget = r.optional_boolean(rq, "hard_budget", rp).value_or(false);

  r.numbers(r.array(o, "observations", root, limits.max_observations), root.key("observations"), q.observations);
  if (r.failed()) return r.take();
  if (auto ok = q.validate(); !ok) return std::move(ok).error();
  return m;
}

}  // namespace detail

Result<RequestMessage> decode_request(std::string_view json, const Limits& limits) {
  RequestMessage m;
  if (!detail::decode_request_fast(json, limits, m)) return detail::decode_request_document(json, limits);
  if (auto ok = m.request.validate(); !ok) return std::move(ok).error();
  return m;
}

Result<RequestMessage> decode_keyed_request(std::string_view key, std::string_view json, const Limits& limits) {
  auto m = decode_request(json, limits);
  if (!m) return m;
  if (auto ok = agree_with_key(key, m->tenant, limits); !ok) return std::move(ok).error();
  return m;
}

std::string encode_request(const RequestMessage& m) {
  const routing::RoutingRequest& q = m.request;
  std::string out;
  out.reserve(128 + q.input.size() + q.context.size());
  Writer w(out);
  w.begin_object().key("request_id").str(q.request_id);
  if (!m.tenant.empty()) w.key("tenant").str(m.tenant);
  w.key("input").str(q.input);
  if (!q.context.empty()) w.key("context").str(q.context);

  const routing::Preferences& p = q.preferences;
  w.key("preferences").begin_object();
  if (p.max_latency_ms) w.key("max_latency_ms").num(*p.max_latency_ms);
  if (p.max_cost_per_token) w.key("max_cost_per_token").num(*p.max_cost_per_token);
  if (!p.preferred_models.empty()) {
    w.key("preferred_models").begin_array();
    for (const auto& s : p.preferred_models) w.str(s);
    w.end_array();
  }
  if (p.quality_threshold != 0.0) w.key("quality_threshold").num(p.quality_threshold);
  w.end_object();

  const routing::Requirements& rq = q.requirements;
  w.key("requirements").begin_object();
  if (rq.min_tokens_per_second) w.key("min_tokens_per_second").num(*rq.min_tokens_per_second);
  if (rq.max_memory_gb) w.key("max_memory_gb").num(*rq.max_memory_gb);
  if (rq.requires_function_calling) w.key("requires_function_calling").boolean(true);
  if (rq.requires_vision) w.key("requires_vision").boolean(true);
  if (rq.region) w.key("region").str(*rq.region);
  if (rq.hard_budget) w.key("hard_budget").boolean(true);
  w.end_object();

  if (!q.observations.empty()) {
    w.key("observations").begin_array();
    for (const double x : q.observations) w.num(x);
    w.end_array();
  }
  w.end_object();
  w.flush();
  return out;
}

Result<routing::Feedback> decode_feedback(std::string_view json, const Limits& limits) {
  Reader r;
  r.null_is_absent(true);
  const Path root;
  const auto* o = r.object(r.parse(json, limits.max_document_bytes), root,
                           {"request_id", "model", "latency_ms", "tokens_per_second", "quality", "cost_per_token",
                            "success"},
                           {"tenant"});
  routing::Feedback f;
  f.request_id = r.text(o, "request_id", root, limits.max_id_bytes, true);
  f.tenant = r.optional_text(o, "tenant", root, limits.max_id_bytes, true).value_or("");
  f.model = r.text(o, "model", root, limits.max_id_bytes, true);
  f.latency_ms = r.number(o, "latency_ms", root);
  f.tokens_per_second = r.number(o, "tokens_per_second", root);
  f.quality = r.number(o, "quality", root);
  f.cost_per_token = r.number(o, "cost_per_token", root);
  f.success = r.boolean(o, "success", root);
  if (r.failed()) return r.take();
  if (auto ok = f.validate(); !ok) return std::move(ok).error();
  return f;
}

Result<routing::Feedback> decode_keyed_feedback(std::string_view key, std::string_view json, const Limits& limits) {
  auto f = decode_feedback(json, limits);
  if (!f) return f;
  if (auto ok = agree_with_key(key, f->tenant, limits); !ok) return std::move(ok).error();
  return f;
}

std::string encode_feedback(const routing::Feedback& f) {
  std::string out;
  out.reserve(192);
  Writer w(out);
  w.begin_object().key("request_id").str(f.request_id);
  if (!f.tenant.empty()) w.key("tenant").str(f.tenant);
  w.key("model").str(f.model);
  w.key("latency_ms").num(f.latency_ms);
  w.key("tokens_per_second").num(f.tokens_per_second);
  w.key("quality").num(f.quality);
  w.key("cost_per_token").num(f.cost_per_token);
  w.key("success").boolean(f.success);
  w.end_object();
  w.flush();
  return out;
}

}  // namespace hanzo::hmm::wire
