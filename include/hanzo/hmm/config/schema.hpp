// Declarative configuration: every option is declared once, with its key, description, default
// (the field's value when declared) and bounds. The same declaration reads a TOML/JSON document
// (unknown keys and out-of-bounds values are errors naming the key path), re-checks a
// configuration built in code (check()), and writes the documented TOML file (render()).
// Cross-field rules stay in each layer's validate().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "hanzo/hmm/error.hpp"

namespace boost::json {
class value;
}

namespace hanzo::hmm::config {

struct Bounds {
  std::optional<double> min, max;
  bool min_exclusive{false}, max_exclusive{false};
  std::string describe() const;
};
inline Bounds at_least(double v) { return {v, std::nullopt, false, false}; }
inline Bounds greater_than(double v) { return {v, std::nullopt, true, false}; }
inline Bounds between(double lo, double hi) { return {lo, hi, false, false}; }

struct OptionInfo {
  std::string key, type, description, default_value, bounds;
  Bounds range{};  // numbers: what `bounds` describes (for arrays, each element's)
};

// How render() shows a passthrough table: the built-in values it starts from (shown commented
// out, so the file does not pin them) and which keys hold secrets (never printed).
struct PassthroughDoc {
  std::vector<std::pair<std::string, std::string>> defaults;
  std::function<bool(const std::string& key)> is_secret;
};

class Schema {
 public:
  Schema& number(std::string key, double& field, std::string description, Bounds bounds = {});
  Schema& optional_number(std::string key, std::optional<double>& field, std::string description, Bounds bounds = {});
  Schema& integer(std::string key, std::int64_t& field, std::string description, Bounds bounds = {});
  Schema& count(std::string key, std::size_t& field, std::string description, Bounds bounds = {});
  Schema& flag(std::string key, bool& field, std::string description);
  // choices, when given, are the only accepted values.
  Schema& text(std::string key, std::string& field, std::string description, std::vector<std::string> choices = {});
  Schema& optional_text(std::string key, std::optional<std::string>& field, std::string description);
  Schema& texts(std::string key, std::vector<std::string>& field, std::string description);
  Schema& numbers(std::string key, std::vector<double>& field, std::string description, Bounds each = {});
  Schema& rows(std::string key, std::vector<std::vector<double>>& field, std::string description, Bounds each = {});
  // Every scalar under `key` is passed through as a string, with its dotted sub-key
  // (for librdkafka properties such as kafka."sasl.mechanism").
  // A configured table replaces the field's entries.
  Schema& passthrough(std::string key, std::vector<std::pair<std::string, std::string>>& field, std::string description,
                      PassthroughDoc doc = {});
  // A nested table.
  Schema& table(std::string key, std::string description, const std::function<void(Schema&)>& build);
  // An array of tables; a configured array replaces the default one as a whole.
  template <class T>
  Schema& tables(std::string key, std::vector<T>& field, std::string description,
                 std::function<void(Schema&, T&)> build) {
    return tables_erased(
        std::move(key), std::move(description), [&field](std::size_t n) { field.assign(n, T{}); },
        [&field, build](Schema& s, std::size_t i) { build(s, field[i]); }, [&field] { return field.size(); },
        [build](Schema& s) {
          static thread_local T sample{};
          sample = T{};
          build(s, sample);
        });
  }

  // Applies a document (an object): unknown keys, wrong types and out-of-bounds values are errors
  // whose `where` is the key path ("models[3].tokens_per_second").
  Result<void> apply(const boost::json::value& document, const std::string& path = "") const;
  // Every option, depth first, with dotted keys ("market.lambda", "models[].name").
  std::vector<OptionInfo> describe(const std::string& prefix = "") const;
  // The fields' current values as a document apply() accepts (unset optionals left out).
  boost::json::value current() const;
  // The declaration's checks (types, bounds, choices) on the fields' current values, with the
  // same errors a file holding them would get: a configuration built in code is held to the
  // bounds declared here, not to a second copy of them.
  Result<void> check() const;
  // The fields' current values as a TOML document: each option with its description, type and
  // bounds as comments (and its default where the value differs), tables in declaration order
  // after the plain keys. `header` (lines without "# ") opens the file.
  std::string render(const std::string& header) const;

 private:
  using Applier = std::function<Result<void>(const boost::json::value&, const std::string& path)>;
  using Current = std::function<boost::json::value()>;
  struct Entry;
  Schema& add(std::string key, std::string type, std::string description, std::string default_value,
              std::string bounds, Applier apply, Current current);
  Schema& tables_erased(std::string key, std::string description, std::function<void(std::size_t)> resize,
                        std::function<void(Schema&, std::size_t)> build_element, std::function<std::size_t()> size,
                        std::function<void(Schema&)> build_sample);
  void render_table(std::string& out, const std::string& path) const;
  std::vector<std::shared_ptr<Entry>> entries_;
};

// Parses TOML into the JSON data model (tables → objects, arrays → arrays); syntax errors name
// the source and line:column. Dates and times are rejected (no option uses them).
Result<boost::json::value> parse_toml(const std::string& text, const std::string& source);
Result<boost::json::value> parse_toml_file(const std::string& path);

// A TOML document listing every option with its description, default and bounds, commented.
std::string render_toml(const std::vector<OptionInfo>& options);

}  // namespace hanzo::hmm::config
