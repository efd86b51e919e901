// Shared by the MarketMaker commands (route, market, config): the configuration and files.
#pragma once

#include <string>

#include "hanzo/hmm/mm/config.hpp"
#include "options.hpp"

namespace hanzo::cli {

// --config FILE, or the built-in defaults without it.
hanzo::hmm::Result<hanzo::hmm::mm::MarketMakerConfig> load_mm_config(const Options& options);
// The whole file; the Error names it.
hanzo::hmm::Result<std::string> read_text(const std::string& path);

}  // namespace hanzo::cli
