// Observation files: a JSON list of sequences, each a list of symbols (categorical models) or of
// D-vectors (Gaussian models). They are validated against the model and returned encoded, ready
// for the algorithms. Errors name the place: "sequence 2, observations[5]: unknown symbol 7".
#pragma once

#include <filesystem>
#include <string_view>
#include <variant>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/value.hpp>

#include "hanzo/hmm/io/model.hpp"

namespace hanzo::hmm::io {

using CategoricalSequences = std::vector<CategoricalModel::encoded_sequence>;
using GaussianSequences = std::vector<GaussianHmm::encoded_sequence>;
// The alternative matches the model's (index 0 categorical, 1 Gaussian).
using Sequences = std::variant<CategoricalSequences, GaussianSequences>;

Result<CategoricalSequences> observations_from_json(const boost::json::value& json, const CategoricalModel& model);
Result<GaussianSequences> observations_from_json(const boost::json::value& json, const GaussianHmm& model);
Result<Sequences> observations_from_json(const boost::json::value& json, const Model& model);
Result<Sequences> parse_observations(std::string_view text, const Model& model);
// Errors start with the file name: "obs.json: sequence 0, observations[3]: unknown symbol 7".
Result<Sequences> load_observations(const std::filesystem::path& path, const Model& model);

// One observation (a line of `hanzo-hmm filter`), checked against the model; errors are at the
// location "observation" ("observation: unknown symbol 7", "observation: has 3 values, expected 2").
Result<Symbol> observation_from_json(const boost::json::value& json, const CategoricalModel& model);
Result<std::vector<double>> observation_from_json(const boost::json::value& json, const GaussianHmm& model);

// Observations for output (as generated): symbols as the JSON values they were, vectors as arrays.
boost::json::array observations_to_json(const std::vector<Symbol>& observations);
boost::json::array observations_to_json(const std::vector<std::vector<double>>& observations);

// Total number of time steps.
std::size_t total_steps(const Sequences& sequences) noexcept;

}  // namespace hanzo::hmm::io
