#include "output.hpp"

#include <charconv>
#include <cstdio>
#include <iostream>

#include "hanzo/hmm/io/json.hpp"
#include "options.hpp"

namespace hanzo::cli {

void print_json(const boost::json::value& value) {
  std::cout << hanzo::hmm::io::to_text(value) << '\n' << std::flush;
}

void print_error(const std::string& message) {
  std::string line;
  line.reserve(message.size() + 1);
  for (unsigned char c : message) {
    if (c >= 0x20 && c != 0x7f) {
      line += static_cast<char>(c);
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      line += buf;
    }
  }
  std::cerr << line << '\n' << std::flush;
}

int fail(const hanzo::hmm::Error& error) {
  print_error("hanzo-hmm: " + error.to_string());
  return kExitUsage;
}

std::string format_number(double x) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, x);
  return {buf, r.ptr};
}

}  // namespace hanzo::cli
