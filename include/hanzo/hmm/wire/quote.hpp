// Wire codec of compute quotes: a request for the cost of an amount of GPU-seconds of one class
// and its answer (JSON; config/schemas/quote-request.schema.json, quote-answer.schema.json).
// The answer is the exact level-set quote at the market's current state (Market::quote_buy_supply:
// fees included), not the marginal price times the amount. The class travels as its id and stays
// text here: a well-formed request for an unknown class gets an error answer, not a dead letter.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/market/market.hpp"

namespace hanzo::hmm::wire {

struct QuoteRequest {
  std::string id;            // the requester's correlation id, echoed in the answer (1..256 bytes)
  std::string compute_class;  // class id, e.g. "h100-80g"
  double gpu_seconds{0.0};   // > 0, finite
};

struct QuoteAnswer {
  std::string id;
  std::string compute_class;
  double gpu_seconds{0.0};
  // A quote, or the reason there is none (unknown class, not enough supply).
  double cost{0.0};            // credits to pay, fees included
  double average_price{0.0};   // cost / gpu_seconds
  double marginal_price{0.0};  // credits per GPU-second after the purchase
  std::optional<std::string> error;
};

// Strict: unknown keys, a missing or empty id, a non-positive or non-finite amount are errors
// naming the field.
Result<QuoteRequest> decode_quote_request(std::string_view json);
std::string encode_quote_request(const QuoteRequest& request);

// An error answer has id, class, gpu_seconds and error only. Numbers must be finite (asserted).
std::string encode_quote_answer(const QuoteAnswer& answer);
Result<QuoteAnswer> decode_quote_answer(std::string_view json);

// The handler: the answer to `request` at the market's current state (never throws; a refusal
// is an answer with `error`). Does not change the market.
QuoteAnswer answer_quote(const market::Market& market, const QuoteRequest& request);

}  // namespace hanzo::hmm::wire
