// Model files: a categorical HMM over JSON symbols or a diagonal-Gaussian HMM.
//
//   {"states": ["Fair", "Loaded"], "initial": [0.5, 0.5], "transitions": [[0.7, 0.3], [0.4, 0.6]],
//    "emission": {"type": "categorical", "symbols": [1, 2, "x"], "probabilities": [[...], [...]]}}
//   "emission": {"type": "gaussian", "means": [[...], ...], "variances": [[...], ...]}
//
// Unknown keys are errors (a mistyped "transition" must not be silently ignored); the optional
// key "fit" (the report `hanzo-hmm fit` appends) is accepted and ignored. Errors name the JSON
// path, e.g. "transitions[1][2]: probability 1.5 is not a finite number in [0, 1]".
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <variant>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "hanzo/hmm/hmm.hpp"
#include "hanzo/hmm/io/symbol.hpp"

namespace hanzo::hmm::io {

using CategoricalModel = CategoricalHmm<Symbol>;
using Model = std::variant<CategoricalModel, GaussianHmm>;

Result<Model> model_from_json(const boost::json::value& json);
Result<Model> parse_model(std::string_view text);
// Errors start with the file name: "model.json: transitions[1]: ...".
Result<Model> load_model(const std::filesystem::path& path);

// The same format, so that load(write(m)) reproduces m.
boost::json::object model_to_json(const CategoricalModel& model);
boost::json::object model_to_json(const GaussianHmm& model);
boost::json::object model_to_json(const Model& model);
std::string write_model(const Model& model);  // one line, no trailing newline

// Shared accessors that do not care about the emission family.
const std::vector<std::string>& state_names(const Model& model) noexcept;

}  // namespace hanzo::hmm::io
