// Helpers shared by the io tests.
#pragma once

#include <string>

#include "hanzo/hmm/io/io.hpp"

namespace hanzo::test {

inline std::string data_path(const std::string& name) { return std::string(HANZO_DATA_DIR) + "/" + name; }

// A valid dice model on one line, for tests that break one part of it.
inline const std::string kDice =
    R"({"states": ["Fair", "Loaded"], "initial": [0.5, 0.5], "transitions": [[0.7, 0.3], [0.4, 0.6]], )"
    R"("emission": {"type": "categorical", "symbols": [1, 2, 3, 4, 5, 6], )"
    R"("probabilities": [[0.5, 0.1, 0.1, 0.1, 0.1, 0.1], [0.1, 0.1, 0.1, 0.1, 0.1, 0.5]]}})";

inline const std::string kGauss =
    R"({"states": ["A", "B"], "initial": [0.5, 0.5], "transitions": [[0.9, 0.1], [0.2, 0.8]], )"
    R"("emission": {"type": "gaussian", "means": [[0, 1], [2, 3]], "variances": [[1, 0.5], [2, 0.25]]}})";

// text with the first occurrence of `from` replaced by `to` (which must exist).
inline std::string replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  if (at == std::string::npos) throw std::logic_error("test bug: \"" + from + "\" not in the text");
  return text.replace(at, from.size(), to);
}

// Parsed JSON (for expectations).
inline boost::json::value parse(const std::string& text) { return hanzo::hmm::io::parse_json(text).value(); }

// The error message of a failed result, or "ok" if it succeeded.
template <class T>
std::string error_text(const hanzo::hmm::Result<T>& r) {
  return r ? std::string("ok") : r.error().to_string();
}

}  // namespace hanzo::test
