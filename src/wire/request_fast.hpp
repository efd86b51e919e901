// The fast path of decode_request (internal to hanzo_hmm_wire): a single pass over the JSON
// text straight into a RequestMessage, without a document. It accepts only what it fully
// understands — the request schema's keys, each once, with the right types and within the
// limits — and hands everything else to the document decoder, which finds and names the error.
// So it never rejects, and it accepts nothing the document decoder would refuse or read
// differently (tests/wire/test_request_fast.cpp checks both on every example and mutations).
#pragma once

#include <string_view>

#include "hanzo/hmm/wire/request.hpp"

namespace hanzo::hmm::wire::detail {

// The document decoder: parse_json, then each field through a Reader (every error named).
Result<RequestMessage> decode_request_document(std::string_view json, const Limits& limits);

// Whether `json` was decoded into `out` (before RoutingRequest::validate()); false leaves `out`
// unspecified and means "ask the document decoder".
bool decode_request_fast(std::string_view json, const Limits& limits, RequestMessage& out);

}  // namespace hanzo::hmm::wire::detail
