// Where librdkafka's own log lines go. By default librdkafka prints them to stderr as
// "%3|1700000000.123|FAIL|client| message", which journald files without a priority. A program
// that installs a sink gets them instead, with librdkafka's level (a syslog severity, 0-7).
#pragma once

#include <functional>
#include <string_view>

namespace hanzo::hmm::kafka {

using LogSink = std::function<void(int level, std::string_view facility, std::string_view client,
                                   std::string_view message)>;

// Process-wide; clients created afterwards use it (an empty sink restores librdkafka's printing).
// The sink is called from librdkafka's threads.
void set_log_sink(LogSink sink);

}  // namespace hanzo::hmm::kafka
