// One sample of a Prometheus text exposition fetched over plain HTTP (the daemon's /metrics):
// what the closed-loop simulator reads to know the daemon has consumed the feedback it sent.
#pragma once

#include <string>
#include <string_view>

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::loadgen::detail {

// `url` is http://HOST:PORT/PATH as hanzo-hmmd logs it; `sample` the series with its labels as
// exposed (e.g. hanzo_hmmd_messages_consumed_total{topic="hanzo.hmm.feedback"}). A series not
// exposed (yet) reads as 0; an unreachable endpoint or a malformed URL is an error.
Result<double> scrape_sample(const std::string& url, std::string_view sample);

}  // namespace hanzo::hmm::loadgen::detail
