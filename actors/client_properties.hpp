// The daemon's [kafka] table split for each of its clients: librdkafka warns about keys of the
// other kind, so each client gets only its own. No CAF, no librdkafka headers.
#pragma once
#include <cstddef>

#include "hanzo/hmm/daemon/config.hpp"
#include "hanzo/hmm/kafka/types.hpp"

namespace hanzo::hmm::actors {

// The daemon's [kafka] properties for a consumer: producer-only keys dropped, statistics on.
kafka::Config consumer_properties(const kafka::Config& props);
// ... for the ticks consumer: no statistics, and a long poll (at least kTickFetchWaitMs).
inline constexpr long kTickFetchWaitMs = 100;
kafka::Config tick_consumer_properties(const kafka::Config& props);
// ... for a producer: consumer-only keys dropped, room for a DLQ copy of a maximal input.
kafka::Config producer_properties(const kafka::Config& props, std::size_t max_message_bytes);
// `producer_props` with lz4 unless a compression is configured (less to write and to read back
// on restore).
kafka::Config compressed_properties(const kafka::Config& producer_props, const daemon::DaemonConfig& config);
// The changelog producer's (at_least_once): compressed, and sent at once (linger.ms=0) unless a
// linger is configured.
kafka::Config changelog_properties(const kafka::Config& producer_props, const daemon::DaemonConfig& config);

}  // namespace hanzo::hmm::actors
