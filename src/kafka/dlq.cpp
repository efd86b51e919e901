#include "hanzo/hmm/kafka/dlq.hpp"

#include <algorithm>
#include <string>

namespace hanzo::hmm::kafka {

Record make_dlq_record(const Message& original, std::string_view reason, std::string_view dlq_topic) {
  Record r;
  r.topic = std::string(dlq_topic);
  r.key = original.key;
  r.value = original.value;
  r.null_value = original.null_value;
  // Keep the producer's own headers (tracing ids etc.), but a message that already went
  // through a DLQ once must not carry two conflicting reasons.
  r.headers.reserve(original.headers.size() + 4);
  std::copy_if(original.headers.begin(), original.headers.end(), std::back_inserter(r.headers),
               [](const Header& h) { return !h.key.starts_with("hanzo.error."); });
  r.headers.push_back({std::string(dlq_reason_header), std::string(reason)});
  r.headers.push_back({std::string(dlq_topic_header), original.topic});
  r.headers.push_back({std::string(dlq_partition_header), std::to_string(original.partition)});
  r.headers.push_back({std::string(dlq_offset_header), std::to_string(original.offset)});
  return r;
}

bool drop_value(Record& record) {
  if (record.value.empty()) return false;
  record.headers.push_back({std::string(dlq_value_dropped_header), std::to_string(record.value.size()) + " bytes"});
  record.value.clear();
  return true;
}

}  // namespace hanzo::hmm::kafka
