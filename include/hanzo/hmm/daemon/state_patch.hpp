// Incremental tenant state: a changelog delta is the byte-level difference between a tenant's
// encoded state now and at its previous record. The encoded state has a fixed layout (the
// decision window is written in ring order, the adapter's rows in place), so one request
// changes a few small runs (the regime filter, one window slot, a counter): the patch carries
// those runs and nothing else. Restore applies the patches in order to the last full record
// and decodes the result with the ordinary state decoder, so a delta cannot leave out a field.
// No CAF, no librdkafka.
#pragma once
#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::daemon {

// Appends to `out` a patch that turns `base` into `next`: the size of next, then ops that copy
// runs of base (found by an 8-byte block index, so an insertion shifts the alignment once
// rather than making the rest differ) or add bytes that are new.
void make_patch(std::span<const std::byte> base, std::span<const std::byte> next, std::string& out);

// `base` with `patch` applied. Errors (truncated op, a run past the declared size, an absurd
// size) say which op is bad.
Result<std::vector<std::byte>> apply_patch(std::span<const std::byte> base, std::span<const std::byte> patch);

}  // namespace hanzo::hmm::daemon
