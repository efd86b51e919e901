// Model file → validated model. Structure (keys, JSON types) is checked here; the numbers are
// validated by the core constructors, whose error locations are mapped to JSON paths.
#include <unordered_map>

#include "hanzo/hmm/io/json.hpp"
#include "hanzo/hmm/io/model.hpp"
#include "read_helpers.hpp"

namespace hanzo::hmm::io {

namespace json = boost::json;
using detail::at;

namespace {

// The core names emission fields relative to the emission ("emission[1][2]" for a categorical
// probability, "means[0][1]"); rewrite them as paths in the file.
Error emission_error(Error e, bool categorical) {
  const std::string core = "emission";
  if (categorical && e.where.rfind(core, 0) == 0)
    e.where = "emission.probabilities" + e.where.substr(core.size());
  else if (e.where.rfind(core, 0) != 0)
    e.where = e.where.empty() ? core : "emission." + e.where;
  return e;
}

Result<std::vector<Symbol>> read_symbols(const json::value& v) {
  const std::string where = "emission.symbols";
  auto a = detail::as_array(v, where, "an array of numbers and strings");
  if (!a) return std::move(a).error();
  std::vector<Symbol> symbols;
  std::unordered_map<Symbol, std::size_t> first;  // reported by us: the core does not name the symbol
  for (std::size_t k = 0; k < (*a)->size(); ++k) {
    auto s = Symbol::from_json((**a)[k]);
    if (!s) return std::move(std::move(s).error().within(at(where, k)));
    if (auto [it, fresh] = first.emplace(*s, k); !fresh)
      return make_error(Errc::duplicate_label, at(where, k),
                        "duplicate symbol " + s->text() + " (same as " + at(where, it->second) + ")",
                        static_cast<std::ptrdiff_t>(k));
    symbols.push_back(std::move(*s));
  }
  return symbols;
}

Result<Model> categorical(MarkovChain chain, const json::object& e) {
  if (auto ok = detail::check_keys(e, "emission.", {"type", "symbols", "probabilities"}); !ok)
    return std::move(ok).error();
  auto symbols = read_symbols(e.at("symbols"));
  if (!symbols) return std::move(symbols).error();
  auto probabilities = detail::number_rows(e.at("probabilities"), "emission.probabilities");
  if (!probabilities) return std::move(probabilities).error();
  auto f = Categorical<Symbol>::create(std::move(*symbols), chain.size(), *probabilities);
  if (!f) return emission_error(std::move(f).error(), true);
  auto m = CategoricalModel::create(std::move(chain), std::move(*f));
  if (!m) return emission_error(std::move(m).error(), true);
  return Model(std::move(*m));
}

Result<Model> gaussian(MarkovChain chain, const json::object& e) {
  if (auto ok = detail::check_keys(e, "emission.", {"type", "means", "variances"}); !ok) return std::move(ok).error();
  auto means = detail::number_rows(e.at("means"), "emission.means");
  if (!means) return std::move(means).error();
  auto variances = detail::number_rows(e.at("variances"), "emission.variances");
  if (!variances) return std::move(variances).error();
  auto f = DiagonalGaussian::create(chain.size(), *means, *variances);
  if (!f) return emission_error(std::move(f).error(), false);
  auto m = GaussianHmm::create(std::move(chain), std::move(*f));
  if (!m) return emission_error(std::move(m).error(), false);
  return Model(std::move(*m));
}

}  // namespace

Result<Model> model_from_json(const json::value& v) {
  auto root = detail::as_object(v, "", "a JSON object (the model)");
  if (!root) return std::move(root).error();
  const json::object& o = **root;
  // "fit" is the report `hanzo-hmm fit` appends: a fitted model file loads as a model.
  if (auto ok = detail::check_keys(o, "", {"states", "initial", "transitions", "emission"}, {"fit"}); !ok)
    return std::move(ok).error();
  auto states = detail::string_list(o.at("states"), "states");
  if (!states) return std::move(states).error();
  auto initial = detail::number_row(o.at("initial"), "initial");
  if (!initial) return std::move(initial).error();
  auto transitions = detail::number_rows(o.at("transitions"), "transitions");
  if (!transitions) return std::move(transitions).error();
  auto emission = detail::as_object(o.at("emission"), "emission", "an object");
  if (!emission) return std::move(emission).error();
  const json::object& e = **emission;
  const json::value* type = e.if_contains("type");
  if (type == nullptr) return make_error(Errc::parse_error, "emission.type", "required key is missing");
  const bool is_categorical = type->is_string() && type->get_string() == "categorical";
  const bool is_gaussian = type->is_string() && type->get_string() == "gaussian";
  if (!is_categorical && !is_gaussian)
    return make_error(Errc::parse_error, "emission.type", "must be \"categorical\" or \"gaussian\"");

  auto chain = MarkovChain::create(std::move(*states), *initial, *transitions);
  if (!chain) return std::move(chain).error();
  return is_categorical ? categorical(std::move(*chain), e) : gaussian(std::move(*chain), e);
}

Result<Model> parse_model(std::string_view text) {
  auto json = parse_json(text);
  if (!json) return std::move(json).error();
  return model_from_json(*json);
}

Result<Model> load_model(const std::filesystem::path& path) {
  auto text = read_file(path);
  if (!text) return std::move(text).error();
  auto m = parse_model(*text);
  if (!m) return in_file(std::move(m).error(), path);
  return m;
}

}  // namespace hanzo::hmm::io
