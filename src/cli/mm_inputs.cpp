#include "mm_inputs.hpp"

#include <fstream>
#include <sstream>

namespace hanzo::cli {

hanzo::hmm::Result<hanzo::hmm::mm::MarketMakerConfig> load_mm_config(const Options& options) {
  if (!options.has("config")) return hanzo::hmm::mm::default_config();
  return hanzo::hmm::mm::load_config(options.text("config"));
}

hanzo::hmm::Result<std::string> read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return hanzo::hmm::make_error(hanzo::hmm::Errc::io_error, path, "cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace hanzo::cli
