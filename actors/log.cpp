#include "log.hpp"

#include <unistd.h>

#include <string>

namespace hanzo::hmm::actors {

namespace {

// "<N>" prefixes are sd-daemon(3) priorities: journald files the line at that level.
void write_line(const char* prefix, std::string_view message) noexcept {
  try {
    std::string line(prefix);
    line.append(message);
    line.push_back('\n');
    [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
  } catch (...) {  // out of memory while logging: drop the line
  }
}

}  // namespace

std::string describe(std::exception_ptr e) noexcept {
  try {
    if (e) std::rethrow_exception(e);
  } catch (const std::exception& x) {
    return x.what();
  } catch (...) {
  }
  return "unknown exception";
}

void log_info(std::string_view message) noexcept { write_line("<6>hanzo-hmmd: ", message); }
void log_warning(std::string_view message) noexcept { write_line("<4>hanzo-hmmd: warning: ", message); }
void log_error(std::string_view message) noexcept { write_line("<3>hanzo-hmmd: error: ", message); }
void log_at(int priority, std::string_view message) noexcept {
  const char* prefixes[] = {"<0>hanzo-hmmd: ", "<1>hanzo-hmmd: ", "<2>hanzo-hmmd: ", "<3>hanzo-hmmd: ",
                            "<4>hanzo-hmmd: ", "<5>hanzo-hmmd: ", "<6>hanzo-hmmd: ", "<7>hanzo-hmmd: "};
  write_line(prefixes[priority < 0 ? 0 : priority > 7 ? 7 : priority], message);
}

}  // namespace hanzo::hmm::actors
