// Ticks and price snapshots. Classes travel as ids and regimes as state names; the indices of
// market::Tick and market::Snapshot are resolved against the caller's configuration.
#include "hanzo/hmm/wire/market.hpp"

#include <limits>
#include <vector>

#include "reader.hpp"
#include "writer.hpp"

namespace hanzo::hmm::wire {

using detail::Path;
using detail::Reader;
using detail::Writer;

namespace {

constexpr std::size_t kNoLimit = std::numeric_limits<std::size_t>::max();
// Ticks and snapshots come from our own producers, not from tenants, but are still bounded.
constexpr std::size_t kMaxMarketDocument = 16u << 20;

// The class id at `at` ("flows[2].class") as an index; an unknown id names that path.
std::size_t class_index(Reader& r, const json_value_ptr_dummy* = nullptr);

}  // namespace
}  // namespace hanzo::hmm::wire
