// Which malloc serves this process (not part of the installed library). hanzo-hmmd and the
// programs that carry its Kafka traffic are linked with jemalloc (HANZO_JEMALLOC, on by
// default): messages are allocated on one thread and freed on another (poller -> actors ->
// librdkafka), which glibc's arenas serve with a lock per free; docs/benchmarks.md has the
// measured difference.
#pragma once
#include <string>

namespace hanzo::hmm {

// "jemalloc <version>" when jemalloc serves malloc() (the dynamic linker's malloc is defined in
// libjemalloc), "malloc of FILE" when another object interposes it, "glibc malloc" otherwise.
std::string allocator_name();

}  // namespace hanzo::hmm
