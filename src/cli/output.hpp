// What the CLI writes: one JSON object per line on stdout, one-line errors on stderr.
#pragma once

#include <string>

#include <boost/json/value.hpp>

#include "hanzo/hmm/error.hpp"

namespace hanzo::cli {

// The value as one line, flushed (so `filter` streams).
void print_json(const boost::json::value& value);
// One line on stderr; control characters (from file or state names) are escaped so it stays one.
void print_error(const std::string& message);
// "hanzo-hmm: <where>: <message>"; returns the exit status 2.
int fail(const hanzo::hmm::Error& error);
// Shortest round-trip text of a double, for messages.
std::string format_number(double x);

}  // namespace hanzo::cli
