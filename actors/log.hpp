// Minimal structured logging to stderr (journald adds time and unit): one line per event,
// written with a single call so lines from different threads do not interleave.
#pragma once
#include <exception>
#include <string>
#include <string_view>

namespace hanzo::hmm::actors {

void log_info(std::string_view message) noexcept;
void log_warning(std::string_view message) noexcept;
void log_error(std::string_view message) noexcept;
// At syslog `priority` (0 emergency .. 7 debug; out-of-range values are clamped).
void log_at(int priority, std::string_view message) noexcept;
// "what()" of the exception in flight, or "unknown exception".
std::string describe(std::exception_ptr e) noexcept;

}  // namespace hanzo::hmm::actors
