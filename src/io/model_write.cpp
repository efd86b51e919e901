#include "hanzo/hmm/io/json.hpp"
#include "hanzo/hmm/io/model.hpp"

namespace hanzo::hmm::io {

namespace json = boost::json;

namespace {
json::object chain_to_json(const MarkovChain& c) {
  json::object o;
  json::array states;
  for (const auto& s : c.states()) states.emplace_back(json::string(s));
  o["states"] = std::move(states);
  o["initial"] = numbers_to_json(c.initial_vector());
  o["transitions"] = rows_to_json(c.transition_rows());
  return o;
}
}  // namespace

json::object model_to_json(const CategoricalModel& model) {
  json::object o = chain_to_json(model.chain());
  json::object e;
  e["type"] = "categorical";
  json::array symbols;
  for (const auto& s : model.emission().symbols()) symbols.push_back(s.to_json());
  e["symbols"] = std::move(symbols);
  e["probabilities"] = rows_to_json(model.emission().probability_rows());
  o["emission"] = std::move(e);
  return o;
}

json::object model_to_json(const GaussianHmm& model) {
  json::object o = chain_to_json(model.chain());
  json::object e;
  e["type"] = "gaussian";
  e["means"] = rows_to_json(model.emission().mean_rows());
  e["variances"] = rows_to_json(model.emission().variance_rows());
  o["emission"] = std::move(e);
  return o;
}

json::object model_to_json(const Model& model) {
  return std::visit([](const auto& m) { return model_to_json(m); }, model);
}

std::string write_model(const Model& model) { return to_text(model_to_json(model)); }

const std::vector<std::string>& state_names(const Model& model) noexcept {
  return std::visit([](const auto& m) -> const std::vector<std::string>& { return m.states(); }, model);
}

}  // namespace hanzo::hmm::io
