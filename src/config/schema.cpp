#include "hanzo/hmm/config/schema.hpp"
#include "hanzo/hmm/detail/edit_distance.hpp"
#include "entry.hpp"

#include <boost/json.hpp>
#include <algorithm>
#include <cmath>
#include <memory>
#include <cstdio>
#include <cstdint>

namespace hanzo::hmm::config {
namespace json = boost::json;

namespace {

std::string fmt(double x) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.10g", x);
  return buf;
}

std::string join(const std::string& path, const std::string& key) { return path.empty() ? key : path + "." + key; }

Error type_error(const std::string& where, const char* expected) {
  return make_error(Errc::invalid_value, where, std::string("must be ") + expected);
}

Result<double> as_number(const json::value& v, const std::string& where) {
  double x;
  if (v.is_double()) x = v.get_double();
  else if (v.is_int64()) x = static_cast<double>(v.get_int64());
  else if (v.is_uint64()) x = static_cast<double>(v.get_uint64());
  else return type_error(where, "a number");
  if (!std::isfinite(x)) return type_error(where, "a finite number");
  return x;
}

Result<void> check_bounds(double x, const Bounds& b, const std::string& where) {
  const bool low = b.min && (b.min_exclusive ? !(x > *b.min) : !(x >= *b.min));
  const bool high = b.max && (b.max_exclusive ? !(x < *b.max) : !(x <= *b.max));
  if (low || high) return make_error(Errc::invalid_value, where, fmt(x) + " is out of bounds: must be " + b.describe());
  return {};
}

Result<double> bounded_number(const json::value& v, const Bounds& b, const std::string& where) {
  auto x = as_number(v, where);
  if (!x) return x;
  if (auto ok = check_bounds(*x, b, where); !ok) return std::move(ok).error();
  return x;
}

std::string scalar_text(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  if (v.is_bool()) return v.get_bool() ? "true" : "false";
  if (v.is_int64()) return std::to_string(v.get_int64());
  if (v.is_uint64()) return std::to_string(v.get_uint64());
  if (v.is_double()) return fmt(v.get_double());
  return json::serialize(v);
}

}  // namespace

std::string Bounds::describe() const {
  std::string s;
  if (min) s += (min_exclusive ? "> " : ">= ") + fmt(*min);
  if (min && max) s += " and ";
  if (max) s += (max_exclusive ? "< " : "<= ") + fmt(*max);
  return s;
}

Schema& Schema::add(std::string key, std::string type, std::string description, std::string default_value,
                    std::string bounds, Applier apply, Current current) {
  auto e = std::make_shared<Entry>();
  e->info = {std::move(key), std::move(type), std::move(description), std::move(default_value), std::move(bounds)};
  e->apply = std::move(apply);
  e->current = std::move(current);
  if (e->current) e->initial = e->current();
  entries_.push_back(std::move(e));
  return *this;
}

Schema& Schema::number(std::string key, double& field, std::string description, Bounds b) {
  add(std::move(key), "number", std::move(description), fmt(field), b.describe(),
             [&field, b](const json::value& v, const std::string& where) -> Result<void> {
               auto x = bounded_number(v, b, where);
               if (!x) return std::move(x).error();
               field = *x;
               return {};
             },
             [&field] { return json::value(field); });
  entries_.back()->info.range = b;
  return *this;
}

Schema& Schema::optional_number(std::string key, std::optional<double>& field, std::string description, Bounds b) {
  add(std::move(key), "number", std::move(description), field ? fmt(*field) : "(unset)", b.describe(),
             [&field, b](const json::value& v, const std::string& where) -> Result<void> {
               auto x = bounded_number(v, b, where);
               if (!x) return std::move(x).error();
               field = *x;
               return {};
             },
             [&field] { return field ? json::value(*field) : json::value(nullptr); });
  entries_.back()->info.range = b;
  return *this;
}

Schema& Schema::integer(std::string key, std::int64_t& field, std::string description, Bounds b) {
  add(std::move(key), "integer", std::move(description), std::to_string(field), b.describe(),
             [&field, b](const json::value& v, const std::string& where) -> Result<void> {
               auto x = bounded_number(v, b, where);
               if (!x) return std::move(x).error();
               if (*x != std::floor(*x) || std::fabs(*x) > 9.0e15) return type_error(where, "an integer");
               field = static_cast<std::int64_t>(*x);
               return {};
             },
             [&field] { return json::value(field); });
  entries_.back()->info.range = b;
  return *this;
}

Schema& Schema::count(std::string key, std::size_t& field, std::string description, Bounds b) {
  if (!b.min) b.min = 0.0;
  add(std::move(key), "integer", std::move(description), std::to_string(field), b.describe(),
             [&field, b](const json::value& v, const std::string& where) -> Result<void> {
               auto x = bounded_number(v, b, where);
               if (!x) return std::move(x).error();
               if (*x != std::floor(*x) || *x > 9.0e15) return type_error(where, "a whole number");
               field = static_cast<std::size_t>(*x);
               return {};
             },
             [&field] { return json::value(static_cast<std::uint64_t>(field)); });
  entries_.back()->info.range = b;
  return *this;
}

Schema& Schema::flag(std::string key, bool& field, std::string description) {
  return add(std::move(key), "boolean", std::move(description), field ? "true" : "false", "",
             [&field](const json::value& v, const std::string& where) -> Result<void> {
               if (!v.is_bool()) return type_error(where, "true or false");
               field = v.get_bool();
               return {};
             },
             [&field] { return json::value(field); });
}

Schema& Schema::text(std::string key, std::string& field, std::string description, std::vector<std::string> choices) {
  std::string allowed;
  for (const auto& c : choices) allowed += (allowed.empty() ? "one of " : ", ") + c;
  return add(std::move(key), "string", std::move(description), "\"" + field + "\"", allowed,
             [&field, choices, allowed](const json::value& v, const std::string& where) -> Result<void> {
               if (!v.is_string()) return type_error(where, "a string");
               std::string s(v.get_string());
               if (!choices.empty() && std::find(choices.begin(), choices.end(), s) == choices.end())
                 return make_error(Errc::invalid_value, where, "\"" + s + "\" is not " + allowed);
               field = std::move(s);
               return {};
             },
             [&field] { return json::value(field); });
}

Schema& Schema::optional_text(std::string key, std::optional<std::string>& field, std::string description) {
  return add(std::move(key), "string", std::move(description), field ? "\"" + *field + "\"" : "(unset)", "",
             [&field](const json::value& v, const std::string& where) -> Result<void> {
               if (!v.is_string()) return type_error(where, "a string");
               field = std::string(v.get_string());
               return {};
             },
             [&field] { return field ? json::value(*field) : json::value(nullptr); });
}

Schema& Schema::texts(std::string key, std::vector<std::string>& field, std::string description) {
  std::string def;
  for (const auto& s : field) def += (def.empty() ? "" : ", ") + ("\"" + s + "\"");
  return add(std::move(key), "array of strings", std::move(description), "[" + def + "]", "",
             [&field](const json::value& v, const std::string& where) -> Result<void> {
               if (!v.is_array()) return type_error(where, "an array of strings");
               std::vector<std::string> out;
               for (std::size_t i = 0; i < v.get_array().size(); ++i) {
                 const auto& e = v.get_array()[i];
                 if (!e.is_string()) return type_error(where + "[" + std::to_string(i) + "]", "a string");
                 out.emplace_back(e.get_string());
               }
               field = std::move(out);
               return {};
             },
             [&field] {
               json::array a;
               for (const auto& x : field) a.emplace_back(x);
               return json::value(std::move(a));
             });
}

Schema& Schema::numbers(std::string key, std::vector<double>& field, std::string description, Bounds each) {
  std::string def;
  for (double x : field) def += (def.empty() ? "" : ", ") + fmt(x);
  add(std::move(key), "array of numbers", std::move(description), "[" + def + "]", each.describe(),
             [&field, each](const json::value& v, const std::string& where) -> Result<void> {
               if (!v.is_array()) return type_error(where, "an array of numbers");
               std::vector<double> out;
               for (std::size_t i = 0; i < v.get_array().size(); ++i) {
                 auto x = bounded_number(v.get_array()[i], each, where + "[" + std::to_string(i) + "]");
                 if (!x) return std::move(x).error();
                 out.push_back(*x);
               }
               field = std::move(out);
               return {};
             },
             [&field] {
               json::array a;
               for (double x : field) a.emplace_back(x);
               return json::value(std::move(a));
             });
  entries_.back()->info.range = each;
  return *this;
}

Schema& Schema::rows(std::string key, std::vector<std::vector<double>>& field, std::string description, Bounds each) {
  add(std::move(key), "array of arrays of numbers", std::move(description),
             std::to_string(field.size()) + " rows", each.describe(),
             [&field, each](const json::value& v, const std::string& where) -> Result<void> {
               if (!v.is_array()) return type_error(where, "an array of arrays of numbers");
               std::vector<std::vector<double>> out;
               for (std::size_t i = 0; i < v.get_array().size(); ++i) {
                 const auto& row = v.get_array()[i];
                 const auto rw = where + "[" + std::to_string(i) + "]";
                 if (!row.is_array()) return type_error(rw, "an array of numbers");
                 out.emplace_back();
                 for (std::size_t j = 0; j < row.get_array().size(); ++j) {
                   auto x = bounded_number(row.get_array()[j], each, rw + "[" + std::to_string(j) + "]");
                   if (!x) return std::move(x).error();
                   out.back().push_back(*x);
                 }
               }
               field = std::move(out);
               return {};
             },
             [&field] {
               json::array a;
               for (const auto& row : field) {
                 json::array r;
                 for (double x : row) r.emplace_back(x);
                 a.emplace_back(std::move(r));
               }
               return json::value(std::move(a));
             });
  entries_.back()->info.range = each;
  return *this;
}

Schema& Schema::passthrough(std::string key, std::vector<std::pair<std::string, std::string>>& field,
                            std::string description, PassthroughDoc doc) {
  add(std::move(key), "table of strings", std::move(description), "{}", "",
      [&field](const json::value& v, const std::string& where) -> Result<void> {
        if (!v.is_object()) return type_error(where, "a table");
        // Flattens nested tables back into dotted keys: [kafka] sasl.mechanism = "..."
        // parses as nested objects in TOML but librdkafka wants "sasl.mechanism".
        std::vector<std::pair<std::string, std::string>> out;
        std::function<Result<void>(const json::object&, const std::string&)> walk =
            [&](const json::object& o, const std::string& prefix) -> Result<void> {
          for (const auto& kv : o) {
            const std::string k = prefix.empty() ? std::string(kv.key()) : prefix + "." + std::string(kv.key());
            if (kv.value().is_object()) {
              if (auto ok = walk(kv.value().get_object(), k); !ok) return ok;
            } else if (kv.value().is_array() || kv.value().is_null()) {
              return type_error(where + "." + k, "a string, number or boolean");
            } else {
              out.emplace_back(k, scalar_text(kv.value()));
            }
          }
          return {};
        };
        if (auto ok = walk(v.get_object(), ""); !ok) return ok;
        field = std::move(out);
        return {};
      },
      [&field] {
        json::object o;
        for (const auto& [k, v] : field) o[k] = v;
        return json::value(std::move(o));
      });
  entries_.back()->kind = Entry::Kind::passthrough;
  entries_.back()->passthrough = std::move(doc);
  return *this;
}

Schema& Schema::table(std::string key, std::string description, const std::function<void(Schema&)>& build) {
  auto inner = std::make_shared<Schema>();
  build(*inner);
  add(std::move(key), "table", std::move(description), "", "",
      [inner](const json::value& v, const std::string& where) { return inner->apply(v, where); },
      [inner] { return inner->current(); });
  entries_.back()->kind = Entry::Kind::table;
  entries_.back()->inner = inner;
  return *this;
}

Schema& Schema::tables_erased(std::string key, std::string description, std::function<void(std::size_t)> resize,
                              std::function<void(Schema&, std::size_t)> build_element,
                              std::function<std::size_t()> size, std::function<void(Schema&)> build_sample) {
  auto elements = [build_element, size] {
    std::vector<Schema> out(size());
    for (std::size_t i = 0; i < out.size(); ++i) build_element(out[i], i);
    return out;
  };
  add(std::move(key), "array of tables", std::move(description), "", "",
      [resize, build_element](const json::value& v, const std::string& where) -> Result<void> {
        if (!v.is_array()) return type_error(where, "an array of tables");
        const auto& arr = v.get_array();
        resize(arr.size());
        for (std::size_t i = 0; i < arr.size(); ++i) {
          Schema element;
          build_element(element, i);
          if (auto ok = element.apply(arr[i], where + "[" + std::to_string(i) + "]"); !ok) return ok;
        }
        return {};
      },
      [elements] {
        json::array a;
        for (const auto& e : elements()) a.push_back(e.current());
        return json::value(std::move(a));
      });
  entries_.back()->kind = Entry::Kind::tables;
  entries_.back()->elements = elements;
  entries_.back()->sample = std::move(build_sample);
  return *this;
}

Result<void> Schema::apply(const json::value& document, const std::string& path) const {
  if (!document.is_object()) return type_error(path.empty() ? "(document)" : path, "a table");
  for (const auto& kv : document.get_object()) {
    const std::string key(kv.key());
    const std::string where = join(path, key);
    const Entry* entry = nullptr;
    for (const auto& e : entries_)
      if (e->info.key == key) entry = e.get();
    if (!entry) {
      std::string hint;
      std::size_t best = 3;
      for (const auto& e : entries_)
        if (const auto d = hanzo::hmm::detail::edit_distance(key, e->info.key); d < best) best = d, hint = e->info.key;
      return make_error(Errc::invalid_value, where,
                        "unknown option" + (hint.empty() ? std::string() : " (did you mean \"" + hint + "\"?)"));
    }
    if (auto ok = entry->apply(kv.value(), where); !ok) return ok;
  }
  return {};
}

std::vector<OptionInfo> Schema::describe(const std::string& prefix) const {
  std::vector<OptionInfo> out;
  for (const auto& e : entries_) {
    OptionInfo info = e->info;
    info.key = join(prefix, e->info.key);
    const std::string key = info.key;
    out.push_back(std::move(info));
    std::vector<OptionInfo> more;
    if (e->kind == Entry::Kind::table) {
      more = e->inner->describe(key);
    } else if (e->kind == Entry::Kind::tables) {
      Schema sample;
      e->sample(sample);
      more = sample.describe(key + "[]");
    }
    out.insert(out.end(), more.begin(), more.end());
  }
  return out;
}

json::value Schema::current() const {
  json::object o;
  for (const auto& e : entries_)
    if (auto v = e->current(); !v.is_null()) o[e->info.key] = std::move(v);
  return json::value(std::move(o));
}

Result<void> Schema::check() const { return apply(current()); }

std::string render_toml(const std::vector<OptionInfo>& options) {
  std::string out;
  for (const auto& o : options) {
    out += "# " + o.key + " (" + o.type + ")";
    if (!o.bounds.empty()) out += ", " + o.bounds;
    out += "\n#   " + o.description + "\n";
    if (!o.default_value.empty() && o.type != "table" && o.type != "array of tables")
      out += "#   default: " + o.default_value + "\n";
  }
  return out;
}

}  // namespace hanzo::hmm::config
