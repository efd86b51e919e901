// Symbol: a categorical observation label read from JSON. Identity is a canonical key, so the
// number 1 and the string "1" are different symbols while 1, 1.0 and 1e0 are the same one; the
// symbol is written back as the JSON value it was (a number or a string).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <boost/json/value.hpp>

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::io {

class Symbol {
 public:
  enum class Kind : std::uint8_t { integer, real, string };

  Symbol() : Symbol(integer(0)) {}
  static Symbol integer(std::int64_t value);
  // Integral values within int64 become integers (1.0 == 1); others keep %.17g as their key.
  static Symbol number(double value);
  static Symbol string(std::string value);
  // A JSON number (finite) or string; anything else is an error with an empty location.
  static Result<Symbol> from_json(const boost::json::value& value);

  Kind kind() const noexcept { return kind_; }
  // Canonical identity: 1, 0.10000000000000001, "abc" (strings JSON-escaped, with quotes).
  const std::string& key() const noexcept { return key_; }
  // For messages: shortest form of numbers, JSON-escaped strings.
  std::string text() const;
  boost::json::value to_json() const;

  friend bool operator==(const Symbol& a, const Symbol& b) noexcept { return a.key_ == b.key_; }

 private:
  Symbol(Kind kind, std::string key, std::int64_t i, double d, std::string s)
      : kind_(kind), key_(std::move(key)), int_(i), real_(d), string_(std::move(s)) {}

  Kind kind_{Kind::integer};
  std::string key_;
  std::int64_t int_{0};
  double real_{0.0};
  std::string string_;
};

}  // namespace hanzo::hmm::io

template <>
struct std::hash<hanzo::hmm::io::Symbol> {
  std::size_t operator()(const hanzo::hmm::io::Symbol& s) const noexcept { return std::hash<std::string>{}(s.key()); }
};
