#include "hanzo/hmm/io/observations.hpp"

#include <cmath>

#include "hanzo/hmm/io/json.hpp"
#include "read_helpers.hpp"

namespace hanzo::hmm::io {

namespace json = boost::json;
using detail::at;

namespace {

Result<std::uint32_t> symbol_index(const json::value& v, const CategoricalModel& m, const std::string& where) {
  auto s = Symbol::from_json(v);
  if (!s) return std::move(std::move(s).error().within(where));
  auto k = m.emission().symbol_index(*s);
  // The core cannot print our labels; name the symbol as it was written.
  if (!k) return make_error(Errc::unknown_symbol, where, "unknown symbol " + s->text());
  return *k;
}

// Appends one D-vector to `out`.
Result<void> read_vector(const json::value& v, std::size_t dim, const std::string& where, std::vector<double>& out) {
  if (!v.is_array())
    return detail::wrong_type(where, ("an array of " + std::to_string(dim) + " numbers").c_str(), v);
  const auto& a = v.get_array();
  if (a.size() != dim)
    return make_error(Errc::wrong_dimension, where,
                      "has " + std::to_string(a.size()) + " values, expected " + std::to_string(dim));
  for (std::size_t k = 0; k < dim; ++k) {
    auto x = detail::as_number(a[k], at(where, k));
    if (!x) return std::move(x).error();
    if (!std::isfinite(*x)) return make_error(Errc::invalid_value, at(where, k), "value is not finite");
    out.push_back(*x);
  }
  return {};
}

// Walks the list of sequences; read(observation, where, encoded) appends one step.
template <class Encoded, class Read>
Result<std::vector<Encoded>> read_sequences(const json::value& v, Encoded blank, Read read) {
  auto seqs = detail::as_array(v, "", "a JSON array of sequences");
  if (!seqs) return std::move(seqs).error();
  std::vector<Encoded> out;
  out.reserve((*seqs)->size());
  for (std::size_t i = 0; i < (*seqs)->size(); ++i) {
    const auto seq_where = "sequence " + std::to_string(i);
    auto steps = detail::as_array((**seqs)[i], seq_where, "an array of observations");
    if (!steps) return std::move(steps).error();
    Encoded e = blank;
    for (std::size_t t = 0; t < (*steps)->size(); ++t)
      if (auto ok = read((**steps)[t], at("observations", t), e); !ok)
        return std::move(std::move(ok).error().within(seq_where));
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace

Result<CategoricalSequences> observations_from_json(const json::value& v, const CategoricalModel& m) {
  return read_sequences(v, CategoricalModel::encoded_sequence{},
                        [&](const json::value& o, const std::string& where, auto& e) -> Result<void> {
                          auto k = symbol_index(o, m, where);
                          if (!k) return std::move(k).error();
                          e.push_back(*k);
                          return {};
                        });
}

Result<GaussianSequences> observations_from_json(const json::value& v, const GaussianHmm& m) {
  const std::size_t dim = m.emission().dim();
  return read_sequences(v, GaussianHmm::encoded_sequence{{}, dim},
                        [&](const json::value& o, const std::string& where, auto& e) {
                          return read_vector(o, dim, where, e.values);
                        });
}

Result<Sequences> observations_from_json(const json::value& v, const Model& model) {
  return std::visit(
      [&](const auto& m) -> Result<Sequences> {
        auto s = observations_from_json(v, m);
        if (!s) return std::move(s).error();
        return Sequences(std::move(*s));
      },
      model);
}

Result<Sequences> parse_observations(std::string_view text, const Model& model) {
  auto json = parse_json(text);
  if (!json) return std::move(json).error();
  return observations_from_json(*json, model);
}

Result<Sequences> load_observations(const std::filesystem::path& path, const Model& model) {
  auto text = read_file(path);
  if (!text) return std::move(text).error();
  auto s = parse_observations(*text, model);
  if (!s) return in_file(std::move(s).error(), path);
  return s;
}

Result<Symbol> observation_from_json(const json::value& v, const CategoricalModel& m) {
  auto k = symbol_index(v, m, "observation");
  if (!k) return std::move(k).error();
  return m.emission().symbols()[*k];
}

Result<std::vector<double>> observation_from_json(const json::value& v, const GaussianHmm& m) {
  std::vector<double> x;
  if (auto ok = read_vector(v, m.emission().dim(), "observation", x); !ok) return std::move(ok).error();
  return x;
}

json::array observations_to_json(const std::vector<Symbol>& observations) {
  json::array a;
  a.reserve(observations.size());
  for (const auto& s : observations) a.push_back(s.to_json());
  return a;
}

json::array observations_to_json(const std::vector<std::vector<double>>& observations) {
  json::array a;
  a.reserve(observations.size());
  for (const auto& x : observations) a.push_back(numbers_to_json(x));
  return a;
}

std::size_t total_steps(const Sequences& sequences) noexcept {
  std::size_t n = 0;
  if (const auto* c = std::get_if<CategoricalSequences>(&sequences))
    for (const auto& s : *c) n += CategoricalTable::length(s);
  if (const auto* g = std::get_if<GaussianSequences>(&sequences))
    for (const auto& s : *g) n += DiagonalGaussian::length(s);
  return n;
}

}  // namespace hanzo::hmm::io
