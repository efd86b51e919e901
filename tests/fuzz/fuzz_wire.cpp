// libFuzzer target: every wire decoder on the same arbitrary bytes.
//
// Invariants checked (a failure aborts, which libFuzzer reports): a decoder either succeeds or
// returns an error with a message; what decodes, encodes to JSON that decodes again; and encoding
// is stable from there (encode(decode(encode(x))) == encode(x)), so nothing is lost or invented
// between the codecs. A request that decode_request's fast path takes decodes the same through
// the document decoder (same fields, or the same error). Sanitizers catch the rest (overflows,
// UB, leaks).
//
// Boost.JSON, the io, routing, market and wire sources are compiled into this target so that
// all of them are instrumented.
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "hanzo/hmm/market/params.hpp"
#include "hanzo/hmm/wire/wire.hpp"
#include "request_fast.hpp"

namespace wire = hanzo::hmm::wire;
namespace market = hanzo::hmm::market;

namespace {

[[noreturn]] void fail(const char* decoder, const std::string& what) {
  std::fprintf(stderr, "invariant violated: %s: %s\n", decoder, what.c_str());
  std::abort();
}

template <class Decode, class Encode>
void check(const char* name, std::string_view input, Decode decode, Encode encode) {
  auto first = decode(input);
  if (!first) {
    if (first.error().message.empty()) fail(name, "error without a message");
    return;
  }
  const std::string text = encode(*first);
  auto second = decode(text);
  if (!second) fail(name, "its own output does not decode: " + second.error().to_string() + "\n" + text);
  if (encode(*second) != text) fail(name, "encoding is not stable:\n" + text + "\n" + encode(*second));
}

const market::MarketConfig& config() {
  static const market::MarketConfig c = [] {
    market::MarketConfig m;
    for (const char* id : {"h100-80g", "a100-80g", "l40s-48g", "l4-24g", "cpu"}) m.classes.push_back({id});
    return m;
  }();
  return c;
}

// The fast path's contract; compared through the encoder, which writes every field exactly.
void check_fast_path(std::string_view input) {
  wire::RequestMessage fast;
  if (!wire::detail::decode_request_fast(input, {}, fast)) return;
  auto doc = wire::detail::decode_request_document(input, {});
  const auto valid = fast.request.validate();
  if (bool(valid) != bool(doc))
    fail("request fast path", std::string("takes what the document decoder ") + (doc ? "takes" : "refuses") +
                                  " differently: " + std::string(input));
  if (!doc && valid.error().to_string() != doc.error().to_string())
    fail("request fast path", "refuses differently: " + valid.error().to_string() + " / " + doc.error().to_string());
  if (doc && wire::encode_request(fast) != wire::encode_request(*doc))
    fail("request fast path", "reads differently:\n" + wire::encode_request(fast) + "\n" + wire::encode_request(*doc));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const auto& classes = config().classes;
  const auto& states = config().regime.states;
  const auto request = [](const wire::RequestMessage& m) { return wire::encode_request(m); };
  const auto feedback = [](const hanzo::hmm::routing::Feedback& f) { return wire::encode_feedback(f); };

  check_fast_path(in);
  check("request", in, [](std::string_view t) { return wire::decode_request(t); }, request);
  check("keyed request", in, [](std::string_view t) { return wire::decode_keyed_request("acme", t); }, request);
  check("feedback", in, [](std::string_view t) { return wire::decode_feedback(t); }, feedback);
  check("keyed feedback", in, [](std::string_view t) { return wire::decode_keyed_feedback("acme", t); }, feedback);
  check("decision", in, [](std::string_view t) { return wire::decode_decision(t); },
        [](const wire::DecisionMessage& m) { return wire::encode_decision(m.decision, m.redelivered); });
  check("tick", in, [&](std::string_view t) { return wire::decode_tick(t, classes); },
        [&](const wire::TickMessage& m) { return wire::encode_tick(m, classes); });
  check("snapshot", in, [&](std::string_view t) { return wire::decode_snapshot(t, classes, states); },
        [&](const market::Snapshot& s) { return wire::encode_snapshot(s, classes, states); });
  return 0;
}
