// JSON plumbing shared by the codecs and the CLI: exact parsing with line/column errors, file
// reading, and writing numbers with -inf as null.
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "hanzo/hmm/aligned.hpp"
#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::io {

// Parses one JSON document. Numbers are correctly rounded (Boost 1.81's own parser is off by an
// ulp for most doubles), and a key repeated within an object is an error. Errors are parse_error
// located at "line L, column C" (1-based, columns in bytes).
Result<boost::json::value> parse_json(std::string_view text);
// The same, with the document's memory from `storage` (e.g. an arena the caller reuses). The
// tokenizer's own buffers are kept per thread between calls.
Result<boost::json::value> parse_json(std::string_view text, boost::json::storage_ptr storage);

// The whole file; io_error located at the file name.
Result<std::string> read_file(const std::filesystem::path& path);

// Prefixes the location with a file name: "model.json: transitions[1][2]: ...".
Error in_file(Error error, const std::filesystem::path& path);

// "null", "boolean", "number", "string", "array" or "object", for messages.
const char* kind_name(const boost::json::value& value) noexcept;

// A double for output; -inf (and any other non-finite value, which JSON cannot hold) is null.
boost::json::value number_to_json(double x);
boost::json::array numbers_to_json(std::span<const double> xs);
boost::json::array rows_to_json(const std::vector<std::vector<double>>& rows);
boost::json::array matrix_to_json(const Matrix& m);

// Compact single-line serialisation (shortest round-trip doubles).
std::string to_text(const boost::json::value& value);

}  // namespace hanzo::hmm::io
