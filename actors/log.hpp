// Minimal structured logging to stderr (journald adds time and unit): one line per event,
// written with a single call so lines from different threads do not interleave.
#pragma once
#include <string_view>

namespace hanzo::hmm::actors {

void log_info(std::string_view message) noexcept;
void log_warning(std::string_view message) noexcept;
void log_error(std::string_view message) noexcept;

}  // namespace hanzo::hmm::actors
