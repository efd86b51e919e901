// The tick file of the market subcommands (JSON Lines, config/schemas/tick.schema.json).
#pragma once

#include <functional>
#include <string>

#include "hanzo/hmm/error.hpp"
#include "hanzo/hmm/market/market.hpp"

namespace hanzo::cli {

// Applies every tick of `path` to `market` in order (blank lines skipped), calling `each` with
// the snapshot after each one. The first bad line stops it: an Error naming the file and line
// and, from the decoder or the market, the field.
hanzo::hmm::Result<void> apply_tick_file(hanzo::hmm::market::Market& market, const std::string& path,
                                         const std::function<void(const hanzo::hmm::market::Snapshot&)>& each);

}  // namespace hanzo::cli
