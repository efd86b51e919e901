// Declarative configuration: every option is declared once, with its key, description, default
// (the field's value when declared) and bounds. The same declaration reads a TOML/JSON document
// (unknown keys and out-of-bounds values are errors naming the key path) and documents the option
// (--print-config, README tables). Cross-field rules stay in each layer's validate().
#pragma once

#include <cstdint>
#include <functional>
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
  Schema& passthrough(std::string key, std::vector<std::pair<std::string, std::string>>& field, std::string description);
  // A nested table.
  Schema& table(std::string key, std::string description, const std::function<void(Schema&)>& build);
  // An array of tables; a configured array replaces the default one as a whole.
  template <class T>
  Schema& tables(std::string key, std::vector<T>& field, std::string description,
                 std::function<void(Schema&, T&)> build) {
    return tables_erased(
        std::move(key), std::move(description), [&field](std::size_t n) { field.assign(n, T{}); },
        [&field, build](Schema& s, std::size_t i) { build(s, field[i]); },
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

 private:
  using Applier = std::function<Result<void>(const boost::json::value&, const std::string& path)>;
  struct Entry {
    OptionInfo info;
    Applier apply;
    std::function<void(std::vector<OptionInfo>&, const std::string& prefix)> nested;  // tables only
  };
  Schema& add(std::string key, std::string type, std::string description, std::string default_value,
              std::string bounds, Applier apply);
  Schema& tables_erased(std::string key, std::string description, std::function<void(std::size_t)> resize,
                        std::function<void(Schema&, std::size_t)> build_element,
                        std::function<void(Schema&)> build_sample);
  std::vector<Entry> entries_;
};

// Parses TOML into the JSON data model (tables → objects, arrays → arrays); syntax errors name
// the source and line:column. Dates and times are rejected (no option uses them).
Result<boost::json::value> parse_toml(const std::string& text, const std::string& source);
Result<boost::json::value> parse_toml_file(const std::string& path);

// A TOML document listing every option with its description, default and bounds, commented.
std::string render_toml(const std::vector<OptionInfo>& options);

}  // namespace hanzo::hmm::config
