// Dead-letter records: bad input never stops the stream. The original key and value
// go to the DLQ unchanged; headers say why and where it came from.
#pragma once

#include <string_view>

#include "hanzo/hmm/kafka/types.hpp"

namespace hanzo::hmm::kafka {

inline constexpr std::string_view dlq_reason_header = "hanzo.error.reason";
inline constexpr std::string_view dlq_topic_header = "hanzo.error.topic";
inline constexpr std::string_view dlq_partition_header = "hanzo.error.partition";
inline constexpr std::string_view dlq_offset_header = "hanzo.error.offset";

// The record to send to `dlq_topic`: original key (null stays null) and value, the original
// headers except any stale hanzo.error.* ones, then the four hanzo.error.* headers (decimal
// partition and offset). Keyed like the original so a tenant's bad input stays together.
Record make_dlq_record(const Message& original, std::string_view reason, std::string_view dlq_topic);

inline constexpr std::string_view dlq_value_dropped_header = "hanzo.error.value_dropped";
// The last resort for a record too large for the producer or the broker (only a DLQ copy of a
// huge input can be): its value goes, a header says how big it was; key, headers and the
// hanzo.error.* offsets still point at the original. False if it has no value to drop.
bool drop_value(Record& record);

}  // namespace hanzo::hmm::kafka
