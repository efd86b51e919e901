// wire_examples EXAMPLES_DIR OUT_DIR: decodes every example document with the C++ decoders
// (exit 1 on the first that fails), writes each re-encoded to OUT_DIR under the same name, and
// adds C++-encoded messages the examples lack: a routed and a rejected decision (also a
// redelivered one), a price snapshot and quote answers (a quote and a refusal). check_schemas.py then validates OUT_DIR against the
// schemas, so the encoders and the schemas cannot drift apart.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "fixtures.hpp"
#include "hanzo/hmm/io/json.hpp"
#include "hanzo/hmm/wire/quote.hpp"

namespace fs = std::filesystem;
namespace wire = hanzo::hmm::wire;

namespace {

int failures = 0;

void write(const fs::path& path, const std::string& text) {
  std::ofstream(path) << text << '\n';
  std::printf("wrote %s\n", path.c_str());
}

// The decoded-and-re-encoded text of one example, or nothing if it does not decode.
template <class R, class Encode>
void recode(const fs::path& in, const fs::path& out, R result, Encode encode) {
  if (!result) {
    std::fprintf(stderr, "%s: %s\n", in.c_str(), result.error().to_string().c_str());
    ++failures;
    return;
  }
  write(out, encode(*result));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: wire_examples EXAMPLES_DIR OUT_DIR\n");
    return 2;
  }
  const fs::path examples = argv[1], out = argv[2];
  fs::remove_all(out);  // no stale output from an earlier run
  fs::create_directories(out);
  const auto market = wire_test::ticked_market();
  const auto& classes = market.classes();
  const auto& states = market.config().regime.states;

  for (const auto& entry : fs::directory_iterator(examples)) {
    const fs::path path = entry.path();
    const std::string name = path.filename().string();
    const std::string kind = name.substr(0, name.find('.'));  // request.json, decision.rejected.json
    auto text = hanzo::hmm::io::read_file(path);
    if (!text) {
      std::fprintf(stderr, "%s\n", text.error().to_string().c_str());
      return 1;
    }
    const fs::path to = out / name;
    if (kind == "request")
      recode(path, to, wire::decode_request(*text), [](const auto& m) { return wire::encode_request(m); });
    else if (kind == "feedback")
      recode(path, to, wire::decode_feedback(*text), [](const auto& f) { return wire::encode_feedback(f); });
    else if (kind == "decision")
      recode(path, to, wire::decode_decision(*text),
             [](const auto& m) { return wire::encode_decision(m.decision, m.redelivered); });
    else if (kind == "tick")
      recode(path, to, wire::decode_tick(*text, classes), [&](const auto& t) { return wire::encode_tick(t, classes); });
    else if (kind == "quote-request")
      recode(path, to, wire::decode_quote_request(*text), [](const auto& q) { return wire::encode_quote_request(q); });
    else if (kind == "quote-answer")
      recode(path, to, wire::decode_quote_answer(*text), [](const auto& a) { return wire::encode_quote_answer(a); });
    else if (kind == "price-snapshot")
      recode(path, to, wire::decode_snapshot(*text, classes, states),
             [&](const auto& s) { return wire::encode_snapshot(s, classes, states); });
    else {
      std::fprintf(stderr, "%s: no decoder for \"%s\"\n", path.c_str(), kind.c_str());
      ++failures;
    }
  }
  write(out / "decision.generated-routed.json", wire::encode_decision(wire_test::routed_decision()));
  write(out / "decision.generated-rejected.json", wire::encode_decision(wire_test::rejected_decision()));
  write(out / "decision.generated-redelivered.json", wire::encode_decision(wire_test::routed_decision(), true));
  write(out / "price-snapshot.generated.json", wire::encode_snapshot(market.snapshot(), classes, states));
  const wire::QuoteRequest asked{"q-gen", classes[1].id, 3600.0};  // class 0 is at its floor
  write(out / "quote-answer.generated.json", wire::encode_quote_answer(wire::answer_quote(market, asked)));
  write(out / "quote-answer.generated-error.json",
        wire::encode_quote_answer(wire::answer_quote(market, {"q-gen-2", "tpu-v5", 60.0})));
  return failures == 0 ? 0 : 1;
}
