#include "hanzo/hmm/loadgen/report.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>

#include <boost/json.hpp>

namespace hanzo::hmm::loadgen {
namespace json = boost::json;

namespace {

std::string fixed(double x, int digits) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", digits, x);
  return buf;
}

std::string line(const char* label, const std::string& text) {
  std::string out = label;
  out.resize(std::max<std::size_t>(out.size() + 1, 21), ' ');
  return out + text + "\n";
}

// Field readers for report_from_json: the first problem wins, named by key.
struct Reader {
  const json::object* o{nullptr};
  std::optional<Error> error;

  const json::value* get(const char* key) {
    const json::value* v = o->if_contains(key);
    if (!v && !error) error = make_error(Errc::parse_error, key, "missing");
    return v;
  }
  template <class T>
  void number(const char* key, T& out) {
    const json::value* v = get(key);
    if (!v) return;
    boost::system::error_code ec;
    const T x = v->to_number<T>(ec);
    if (ec) {
      if (!error) error = make_error(Errc::parse_error, key, "must be a number of the right kind");
      return;
    }
    out = x;
  }
  void text(const char* key, std::string& out) {
    const json::value* v = get(key);
    if (!v) return;
    if (!v->is_string()) {
      if (!error) error = make_error(Errc::parse_error, key, "must be a string");
      return;
    }
    out = std::string(v->get_string());
  }
};

}  // namespace

std::string to_text(const Report& r) {
  std::string out = "hanzo-hmm loadgen: run " + r.run_id + ", ";
  out += r.mode == "rate" ? "open loop at " + fixed(r.target_rate, 0) + " requests/s"
                          : "closed loop, " + std::to_string(r.window) + " outstanding";
  out += ", " + fixed(r.duration_s, 1) + " s, " + std::to_string(r.tenants) + " tenants, seed " +
         std::to_string(r.seed) + "\n";
  out += line("requests sent", std::to_string(r.requests_sent) + " (" + fixed(r.requests_per_s, 0) + "/s over " +
                                   fixed(r.send_s, 2) + " s)");
  out += line("decisions received", std::to_string(r.decisions_received) + " (" + fixed(r.decisions_per_s, 0) +
                                        "/s over " + fixed(r.elapsed_s, 2) + " s): " + std::to_string(r.routed) +
                                        " routed, " + std::to_string(r.rejected) + " rejected");
  out += line("missing", std::to_string(r.missing) + (r.missing ? "  <-- requests without a decision" : ""));
  out += line("duplicates", std::to_string(r.duplicates));
  out += line("ignored", std::to_string(r.foreign) + " decisions of other runs, " + std::to_string(r.invalid) +
                             " undecodable");
  out += line("also sent", std::to_string(r.ticks_sent) + " ticks, " + std::to_string(r.feedback_sent) + " feedback");
  if (r.send_errors) out += line("send errors", std::to_string(r.send_errors) + " (first: " + r.first_error + ")");
  const auto& l = r.latency;
  out += line("latency (ms)", "p50 " + fixed(l.p50_ms, 3) + "  p90 " + fixed(l.p90_ms, 3) + "  p99 " +
                                  fixed(l.p99_ms, 3) + "  p99.9 " + fixed(l.p999_ms, 3) + "  max " + fixed(l.max_ms, 3) + "  mean " + fixed(l.mean_ms, 3) +
                                  (l.exact ? "  (exact, " : "  (histogram, <= 0.1% high, ") +
                                  std::to_string(l.count) + " samples)");
  if (!r.sample_decision.empty()) out += line("sample decision", r.sample_decision);
  return out;
}

// Written by hand rather than with json::serialize, which spells doubles as "2.5E-1": the
// report is read by people too.
std::string to_json(const Report& r) {
  std::string out = "{";
  const auto key = [&](const char* k) {
    if (out.size() > 1 && out.back() != '{') out += ',';
    out += '"';
    out += k;
    out += "\":";
  };
  const auto num = [&](const char* k, double x) {
    key(k);
    if (!std::isfinite(x)) {
      out += "null";
      return;
    }
    char buf[32];
    out.append(buf, std::to_chars(buf, buf + sizeof buf, x).ptr);
  };
  const auto count = [&](const char* k, std::uint64_t x) {
    key(k);
    out += std::to_string(x);
  };
  const auto text = [&](const char* k, const std::string& s) {
    key(k);
    out += json::serialize(json::string_view(s));  // quoted and escaped
  };
  text("run_id", r.run_id);
  text("mode", r.mode);
  num("target_rate", r.target_rate);
  count("window", r.window);
  count("tenants", r.tenants);
  count("seed", r.seed);
  num("duration_s", r.duration_s);
  num("send_s", r.send_s);
  num("elapsed_s", r.elapsed_s);
  count("requests_sent", r.requests_sent);
  count("decisions_received", r.decisions_received);
  count("missing", r.missing);
  count("duplicates", r.duplicates);
  count("routed", r.routed);
  count("rejected", r.rejected);
  count("foreign", r.foreign);
  count("invalid", r.invalid);
  count("ticks_sent", r.ticks_sent);
  count("feedback_sent", r.feedback_sent);
  count("send_errors", r.send_errors);
  text("first_error", r.first_error);
  num("requests_per_s", r.requests_per_s);
  num("decisions_per_s", r.decisions_per_s);
  const auto& l = r.latency;
  key("latency_ms");
  out += '{';
  count("count", l.count);
  num("p50", l.p50_ms);
  num("p90", l.p90_ms);
  num("p99", l.p99_ms);
  num("p999", l.p999_ms);
  num("max", l.max_ms);
  num("mean", l.mean_ms);
  key("exact");
  out += l.exact ? "true}" : "false}";
  // The decision as the daemon wrote it when it is JSON (it is embedded verbatim).
  boost::system::error_code ec;
  (void)json::parse(r.sample_decision, ec);
  if (r.sample_decision.empty()) {
    key("sample_decision");
    out += "null";
  } else if (ec) {
    text("sample_decision", r.sample_decision);
  } else {
    key("sample_decision");
    out += r.sample_decision;
  }
  out += '}';
  return out;
}

Result<Report> report_from_json(std::string_view text) {
  boost::system::error_code ec;
  const json::value doc = json::parse(text, ec);
  if (ec) return make_error(Errc::parse_error, "report", ec.message());
  if (!doc.is_object()) return make_error(Errc::parse_error, "report", "must be a JSON object");
  Report r;
  Reader in{&doc.get_object(), {}};
  in.text("run_id", r.run_id);
  in.text("mode", r.mode);
  in.number("target_rate", r.target_rate);
  in.number("window", r.window);
  in.number("tenants", r.tenants);
  in.number("seed", r.seed);
  in.number("duration_s", r.duration_s);
  in.number("send_s", r.send_s);
  in.number("elapsed_s", r.elapsed_s);
  in.number("requests_sent", r.requests_sent);
  in.number("decisions_received", r.decisions_received);
  in.number("missing", r.missing);
  in.number("duplicates", r.duplicates);
  in.number("routed", r.routed);
  in.number("rejected", r.rejected);
  in.number("foreign", r.foreign);
  in.number("invalid", r.invalid);
  in.number("ticks_sent", r.ticks_sent);
  in.number("feedback_sent", r.feedback_sent);
  in.number("send_errors", r.send_errors);
  in.text("first_error", r.first_error);
  in.number("requests_per_s", r.requests_per_s);
  in.number("decisions_per_s", r.decisions_per_s);
  if (const json::value* lat = in.get("latency_ms")) {
    if (!lat->is_object()) return make_error(Errc::parse_error, "latency_ms", "must be an object");
    Reader li{&lat->get_object(), {}};
    auto& l = r.latency;
    li.number("count", l.count);
    li.number("p50", l.p50_ms);
    li.number("p90", l.p90_ms);
    li.number("p99", l.p99_ms);
    li.number("p999", l.p999_ms);
    li.number("max", l.max_ms);
    li.number("mean", l.mean_ms);
    if (const json::value* e = li.get("exact")) {
      if (!e->is_bool()) return make_error(Errc::parse_error, "latency_ms.exact", "must be a boolean");
      l.exact = e->get_bool();
    }
    if (li.error) {
      li.error->where = "latency_ms." + li.error->where;
      return std::move(*li.error);
    }
  }
  if (const json::value* s = in.get("sample_decision"))
    r.sample_decision = s->is_string() ? std::string(s->get_string()) : s->is_null() ? "" : json::serialize(*s);
  if (in.error) return std::move(*in.error);
  return r;
}

}  // namespace hanzo::hmm::loadgen
