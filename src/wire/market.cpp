// Ticks and price snapshots. Classes travel as ids and regimes as state names; the indices of
// market::Tick and market::Snapshot are resolved against the caller's configuration.
#include "hanzo/hmm/wire/market.hpp"

#include <cassert>
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
// Ticks and snapshots come from our own producers, not from tenants; still bounded.
constexpr std::size_t kMaxDocument = 16u << 20;

// Class ids read from base[k].class → indices, each class at most once. An unknown or repeated
// id is an error at its own path.
std::vector<std::size_t> resolve(Reader& r, std::span<const market::ComputeClass> classes,
                                 const std::vector<std::string>& ids, const Path& base) {
  if (r.failed()) return {};
  auto found = market::resolve_class_ids(classes, ids);
  if (!found) {
    Error e = std::move(found).error();  // located at "ids[k]", k in row
    e.where = e.row >= 0 ? base.at(static_cast<std::size_t>(e.row)).key("class").str() : base.str();
    r.fail(std::move(e));
    return {};
  }
  std::vector<std::size_t> first(classes.size(), kNoLimit);
  for (std::size_t k = 0; k < found->size(); ++k) {
    const std::size_t c = (*found)[k];
    if (first[c] != kNoLimit) {
      r.fail(Errc::invalid_value, base.at(k).key("class"),
             "class \"" + classes[c].id + "\" is listed more than once (first at " + base.at(first[c]).str() + ")");
      return {};
    }
    first[c] = k;
  }
  return std::move(*found);
}

// A number that must be >= 0 (flows, reserves, fees).
double amount(Reader& r, const boost::json::object* o, std::string_view key, const Path& at, double fallback) {
  const double x = r.optional_number(o, key, at).value_or(fallback);
  r.require(x >= 0.0, at.key(key), "must be >= 0");
  return x;
}

}  // namespace

// ---- ticks ------------------------------------------------------------------------------------

Result<TickMessage> decode_tick(std::string_view json, std::span<const market::ComputeClass> classes) {
  Reader r;
  const Path root;
  const auto* o = r.object(r.parse(json, kMaxDocument), root, {"dt", "flows"}, {"timestamp_ms", "sequence"});
  TickMessage m;
  m.tick.dt = amount(r, o, "dt", root, 0.0);
  if (auto ts = r.optional_unsigned(o, "timestamp_ms", root)) {
    r.require(*ts <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()), root.key("timestamp_ms"),
              "must be below 2^63");
    m.timestamp_ms = static_cast<std::int64_t>(*ts);
  }
  m.sequence = r.optional_unsigned(o, "sequence", root);

  const Path fp = root.key("flows");
  std::vector<std::string> ids;
  if (const auto* flows = r.array(o, "flows", root)) {
    m.tick.flows.resize(flows->size());
    ids.resize(flows->size());
    for (std::size_t k = 0; k < flows->size() && !r.failed(); ++k) {
      const Path at = fp.at(k);
      const auto* f = r.object(&(*flows)[k], at, {"class"}, {"supply_in", "usage", "demand", "value_out", "shock"});
      ids[k] = r.text(f, "class", at, kNoLimit);
      market::ClassFlow& flow = m.tick.flows[k];
      flow.supply_in = amount(r, f, "supply_in", at, 0.0);
      flow.usage = amount(r, f, "usage", at, 0.0);
      flow.demand = amount(r, f, "demand", at, 0.0);
      flow.value_out = amount(r, f, "value_out", at, 0.0);
      flow.shock = r.optional_number(f, "shock", at).value_or(1.0);
      r.require(flow.shock > 0.0, at.key("shock"), "must be > 0");
    }
  }
  const auto index = resolve(r, classes, ids, fp);
  if (r.failed()) return r.take();
  for (std::size_t k = 0; k < index.size(); ++k) m.tick.flows[k].cls = index[k];
  return m;
}

std::string encode_tick(const TickMessage& m, std::span<const market::ComputeClass> classes) {
  std::string out;
  out.reserve(64 + 96 * m.tick.flows.size());
  Writer w(out);
  w.begin_object().key("dt").num(m.tick.dt);
  w.key("flows").begin_array();
  for (const market::ClassFlow& f : m.tick.flows) {
    assert(f.cls < classes.size());
    w.begin_object().key("class").str(classes[f.cls].id);
    if (f.supply_in != 0.0) w.key("supply_in").num(f.supply_in);
    if (f.usage != 0.0) w.key("usage").num(f.usage);
    if (f.demand != 0.0) w.key("demand").num(f.demand);
    if (f.value_out != 0.0) w.key("value_out").num(f.value_out);
    if (f.shock != 1.0) w.key("shock").num(f.shock);
    w.end_object();
  }
  w.end_array();
  if (m.timestamp_ms) w.key("timestamp_ms").integer(*m.timestamp_ms);
  if (m.sequence) w.key("sequence").uint(*m.sequence);
  w.end_object();
  w.flush();
  return out;
}

// ---- price snapshots --------------------------------------------------------------------------

void encode_snapshot_into(std::string& out, const market::Snapshot& s, std::span<const market::ComputeClass> classes,
                          std::span<const std::string> regime_states) {
  assert(s.classes.size() == classes.size() && s.regime_posterior.size() == regime_states.size());
  out.clear();
  Writer w(out);
  w.begin_object().key("tick").uint(s.tick);
  w.key("time").num(s.time);
  w.key("classes").begin_array();
  for (std::size_t i = 0; i < s.classes.size(); ++i) {
    const market::ClassSnapshot& c = s.classes[i];
    w.begin_object().key("class").str(classes[i].id);
    w.key("price").num(c.price).key("supply").num(c.supply).key("credits").num(c.credits);
    w.key("risk_fee").num(c.risk_fee).key("fees").num(c.fees);
    w.end_object();
  }
  w.end_array();
  w.key("hamiltonian").num(s.hamiltonian).key("kappa").num(s.kappa).key("drift").num(s.drift);
  w.key("lambda").num(s.lambda).key("risk_lambda").num(s.risk_lambda).key("market_fee").num(s.market_fee);
  w.key("regime").str(s.regime_label);
  w.key("regime_posterior").begin_object();
  for (std::size_t i = 0; i < s.regime_posterior.size(); ++i) w.key(regime_states[i]).num(s.regime_posterior[i]);
  w.end_object();
  w.key("utilisation").num(s.utilisation).key("imbalance").num(s.imbalance).key("volatility").num(s.volatility);
  w.key("cuts").begin_array();
  for (const market::FlowCut& c : s.cuts) {
    assert(c.cls < classes.size());
    w.begin_object().key("class").str(classes[c.cls].id);
    w.key("supply").num(c.supply).key("credits").num(c.credits).end_object();
  }
  w.end_array();
  w.key("restore_limited").boolean(s.restore_limited);
  w.key("substeps").uint(s.substeps);
  w.end_object();
}

std::string encode_snapshot(const market::Snapshot& s, std::span<const market::ComputeClass> classes,
                            std::span<const std::string> regime_states) {
  std::string out;
  out.reserve(512 + 160 * classes.size() + 32 * regime_states.size());
  encode_snapshot_into(out, s, classes, regime_states);
  return out;
}

Result<market::Snapshot> decode_snapshot(std::string_view json, std::span<const market::ComputeClass> classes,
                                         std::span<const std::string> regime_states) {
  Reader r;
  const Path root;
  const auto* o = r.object(r.parse(json, kMaxDocument), root,
                           {"tick", "time", "classes", "hamiltonian", "kappa", "drift", "lambda", "risk_lambda",
                            "market_fee", "regime", "regime_posterior", "utilisation", "imbalance", "volatility",
                            "cuts", "restore_limited", "substeps"});
  market::Snapshot s;
  s.tick = r.unsigned_integer(o, "tick", root);
  s.time = amount(r, o, "time", root, 0.0);

  const Path cp = root.key("classes");
  std::vector<std::string> ids;
  std::vector<market::ClassSnapshot> listed;
  if (const auto* cs = r.array(o, "classes", root)) {
    ids.resize(cs->size());
    listed.resize(cs->size());
    for (std::size_t k = 0; k < cs->size() && !r.failed(); ++k) {
      const Path at = cp.at(k);
      const auto* c = r.object(&(*cs)[k], at, {"class", "price", "supply", "credits", "risk_fee", "fees"});
      ids[k] = r.text(c, "class", at, kNoLimit);
      listed[k].price = r.number(c, "price", at);
      r.require(listed[k].price > 0.0, at.key("price"), "must be > 0");
      listed[k].supply = amount(r, c, "supply", at, 0.0);
      listed[k].credits = amount(r, c, "credits", at, 0.0);
      listed[k].risk_fee = amount(r, c, "risk_fee", at, 0.0);
      listed[k].fees = amount(r, c, "fees", at, 0.0);
    }
  }
  const auto index = resolve(r, classes, ids, cp);
  if (!r.failed() && index.size() != classes.size()) {
    std::vector<bool> seen(classes.size());
    for (const std::size_t c : index) seen[c] = true;
    std::size_t missing = 0;
    while (seen[missing]) ++missing;
    r.fail(Errc::invalid_dimension, cp, "class \"" + classes[missing].id + "\" is missing");
  }
  s.classes.resize(classes.size());
  for (std::size_t k = 0; k < index.size() && !r.failed(); ++k) s.classes[index[k]] = listed[k];

  s.hamiltonian = r.number(o, "hamiltonian", root);
  s.kappa = r.number(o, "kappa", root);
  s.drift = amount(r, o, "drift", root, 0.0);
  s.lambda = amount(r, o, "lambda", root, 0.0);
  s.risk_lambda = amount(r, o, "risk_lambda", root, 0.0);
  s.market_fee = amount(r, o, "market_fee", root, 0.0);

  std::vector<std::string_view> names(regime_states.begin(), regime_states.end());
  s.regime_label = r.text(o, "regime", root, kNoLimit);
  s.regime = names.size();
  for (std::size_t i = 0; i < names.size(); ++i)
    if (names[i] == s.regime_label) s.regime = i;
  r.require(s.regime < names.size(), root.key("regime"), "is not one of the regime states");
  s.regime_posterior.resize(names.size());
  r.posterior(o, "regime_posterior", root, names, s.regime_posterior);

  s.utilisation = r.number(o, "utilisation", root);
  s.imbalance = r.number(o, "imbalance", root);
  s.volatility = amount(r, o, "volatility", root, 0.0);

  const Path xp = root.key("cuts");
  ids.clear();
  if (const auto* cuts = r.array(o, "cuts", root)) {
    ids.resize(cuts->size());
    s.cuts.resize(cuts->size());
    for (std::size_t k = 0; k < cuts->size() && !r.failed(); ++k) {
      const Path at = xp.at(k);
      const auto* c = r.object(&(*cuts)[k], at, {"class", "supply", "credits"});
      ids[k] = r.text(c, "class", at, kNoLimit);
      s.cuts[k].supply = amount(r, c, "supply", at, 0.0);
      s.cuts[k].credits = amount(r, c, "credits", at, 0.0);
    }
  }
  const auto cut_index = resolve(r, classes, ids, xp);
  for (std::size_t k = 0; k < cut_index.size(); ++k) s.cuts[k].cls = cut_index[k];

  s.restore_limited = r.boolean(o, "restore_limited", root);
  const auto substeps = r.unsigned_integer(o, "substeps", root);
  r.require(substeps <= std::numeric_limits<unsigned>::max(), root.key("substeps"), "is too large");
  s.substeps = static_cast<unsigned>(substeps);
  if (r.failed()) return r.take();
  return s;
}

}  // namespace hanzo::hmm::wire
