// Wire codecs for what clients send: routing requests and feedback (JSON; on Kafka keyed by
// tenant id). The formats are documented field by field in config/schemas/request.schema.json
// and feedback.schema.json.
//
// Decoding is strict: an unknown key, a wrong type, a non-finite number or a value out of range
// is an Error whose `where` is the JSON path ("preferences.max_latency_ms"). Nothing throws.
// The tenant may sit in the value, in the record key, or both (then they must agree): decode_*
// reads the value alone, decode_keyed_* also takes the key and makes it authoritative.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/routing/types.hpp"

namespace hanzo::hmm::wire {

// Size bounds applied while decoding (an untrusted producer must not make us allocate freely).
// Lengths are in bytes of UTF-8; the schemas state the defaults (in characters).
struct Limits {
  std::size_t max_document_bytes{4u << 20};  // whole JSON text, checked before parsing
  std::size_t max_input_bytes{1u << 20};     // `input`, and `context` separately
  std::size_t max_preferred_models{64};
  std::size_t max_observations{64};
  std::size_t max_id_bytes{256};  // request_id, tenant, model names, region
};

struct RequestMessage {
  std::string tenant;  // from the value or the record key; empty if neither names one
  routing::RoutingRequest request;
};

// The value alone: `tenant` is optional. Then RoutingRequest::validate().
Result<RequestMessage> decode_request(std::string_view json, const Limits& limits = {});
// A Kafka record: the key is the tenant (must be non-empty); a `tenant` in the value must match it.
Result<RequestMessage> decode_keyed_request(std::string_view key, std::string_view json, const Limits& limits = {});
// Omits what is at its default (absent options, empty context/observations, false flags, a zero
// quality_threshold, an empty tenant), so decode_request(encode_request(m)) == m.
std::string encode_request(const RequestMessage& message);

// Feedback::tenant is empty when decode_feedback finds none. Then Feedback::validate().
Result<routing::Feedback> decode_feedback(std::string_view json, const Limits& limits = {});
Result<routing::Feedback> decode_keyed_feedback(std::string_view key, std::string_view json,
                                                const Limits& limits = {});
std::string encode_feedback(const routing::Feedback& feedback);

}  // namespace hanzo::hmm::wire
