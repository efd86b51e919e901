// Quote requests and answers (wire/quote.hpp).
#include "hanzo/hmm/wire/quote.hpp"

#include <cassert>
#include <cmath>

#include "reader.hpp"
#include "writer.hpp"

namespace hanzo::hmm::wire {

using detail::Path;
using detail::Reader;
using detail::Writer;

namespace {
constexpr std::size_t kMaxDocument = 64u << 10;
constexpr std::size_t kMaxId = 256;  // ids and class ids, in bytes (as wire::Limits)

double positive(Reader& r, const boost::json::object* o, std::string_view key, const Path& at) {
  const double x = r.number(o, key, at);
  r.require(x > 0.0, at.key(key), "must be > 0");
  return x;
}
}  // namespace

Result<QuoteRequest> decode_quote_request(std::string_view json) {
  Reader r;
  const Path root;
  const auto* o = r.object(r.parse(json, kMaxDocument), root, {"id", "class", "gpu_seconds"});
  QuoteRequest q;
  q.id = r.text(o, "id", root, kMaxId, true);
  q.compute_class = r.text(o, "class", root, kMaxId, true);
  q.gpu_seconds = positive(r, o, "gpu_seconds", root);
  if (r.failed()) return r.take();
  return q;
}

std::string encode_quote_request(const QuoteRequest& q) {
  std::string out;
  Writer w(out);
  w.begin_object().key("id").str(q.id).key("class").str(q.compute_class).key("gpu_seconds").num(q.gpu_seconds);
  w.end_object();
  w.flush();
  return out;
}

std::string encode_quote_answer(const QuoteAnswer& a) {
  std::string out;
  Writer w(out);
  w.begin_object().key("id").str(a.id).key("class").str(a.compute_class).key("gpu_seconds").num(a.gpu_seconds);
  if (a.error) {
    w.key("error").str(*a.error);
  } else {
    w.key("cost").num(a.cost).key("average_price").num(a.average_price).key("marginal_price").num(a.marginal_price);
  }
  w.end_object();
  w.flush();
  return out;
}

Result<QuoteAnswer> decode_quote_answer(std::string_view json) {
  Reader r;
  const Path root;
  const auto* o = r.object(r.parse(json, kMaxDocument), root, {"id", "class", "gpu_seconds"},
                           {"cost", "average_price", "marginal_price", "error"});
  QuoteAnswer a;
  a.id = r.text(o, "id", root, kMaxId, true);
  a.compute_class = r.text(o, "class", root, kMaxId, true);
  a.gpu_seconds = positive(r, o, "gpu_seconds", root);
  if (auto e = r.optional_text(o, "error", root, kMaxDocument, true)) {
    a.error = std::string(*e);
    for (const char* k : {"cost", "average_price", "marginal_price"})
      r.require(!o->contains(k), root.key(k), "must be absent from an error answer");
  } else if (!r.failed()) {
    for (const char* k : {"cost", "average_price", "marginal_price"})
      r.require(o->contains(k), root.key(k), "is required in a quote (or give an error)");
    a.cost = r.optional_number(o, "cost", root).value_or(0.0);
    a.average_price = r.optional_number(o, "average_price", root).value_or(0.0);
    a.marginal_price = r.optional_number(o, "marginal_price", root).value_or(0.0);
    r.require(a.cost > 0.0, root.key("cost"), "must be > 0");
    r.require(a.average_price > 0.0, root.key("average_price"), "must be > 0");
    r.require(a.marginal_price > 0.0, root.key("marginal_price"), "must be > 0");
  }
  if (r.failed()) return r.take();
  return a;
}

QuoteAnswer answer_quote(const market::Market& m, const QuoteRequest& request) {
  QuoteAnswer a;
  a.id = request.id;
  a.compute_class = request.compute_class;
  a.gpu_seconds = request.gpu_seconds;
  auto cls = m.index_of(request.compute_class);
  if (!cls) {
    a.error = cls.error().message;
    return a;
  }
  auto q = m.quote_buy_supply(*cls, request.gpu_seconds);
  if (!q) {
    a.error = q.error().message;
    return a;
  }
  a.cost = q->amount_in;
  a.average_price = q->amount_in / request.gpu_seconds;  // what was asked for, not amount_out's rounding
  a.marginal_price = q->price_after;
  return a;
}

}  // namespace hanzo::hmm::wire
