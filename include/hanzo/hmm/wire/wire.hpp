// Layer 5, wire: the JSON messages of the daemon's Kafka topics (requests, feedback, decisions,
// ticks, price snapshots). Decoders are strict and return errors naming the JSON path; encoders
// write compact JSON without NaN or infinity. Schemas and examples: config/schemas/.
#pragma once

#include "hanzo/hmm/wire/decision.hpp"
#include "hanzo/hmm/wire/market.hpp"
#include "hanzo/hmm/wire/request.hpp"
