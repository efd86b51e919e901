// Error values for the data path: every fallible operation returns Result<T>.
// Exceptions are reserved for programming errors (reading the value of a failed Result).
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>

namespace hanzo::hmm {

enum class Errc {
  invalid_dimension,    // sizes of two fields disagree, or a size is zero
  invalid_probability,  // not finite or outside [0, 1]
  not_normalised,       // a probability row does not sum to 1 within tolerance
  invalid_variance,     // a variance that is not finite and > 0
  invalid_value,        // any other non-finite or out-of-range number
  duplicate_label,      // two states or symbols share a label
  unknown_symbol,       // observation not in the symbol alphabet
  wrong_dimension,      // observation vector of the wrong length
  empty_sequence,       // an algorithm needs at least one observation
  impossible_sequence,  // the sequence has probability 0 under the model
  parse_error,          // malformed input text
  io_error,             // a file could not be read or written
};

const char* to_string(Errc code) noexcept;

// `where` locates the problem ("transitions[1][2]", "sequence 3, observations[17]"),
// `message` says what is wrong with it. row/col repeat the indices for programs.
struct Error {
  Errc code{Errc::invalid_value};
  std::string where;
  std::string message;
  std::ptrdiff_t row{-1};
  std::ptrdiff_t col{-1};

  std::string to_string() const { return where.empty() ? message : where + ": " + message; }
  // Prefixes the location, e.g. "sequence 2, " + "observations[5]".
  Error& within(const std::string& outer) {
    where = where.empty() ? outer : outer + ", " + where;
    return *this;
  }
  // Prefixes the source the location is in, e.g. "model.json: " + "transitions[1]".
  Error& in_source(const std::string& source) {
    where = where.empty() ? source : source + ": " + where;
    return *this;
  }
};

class BadResultAccess : public std::logic_error {
 public:
  explicit BadResultAccess(const Error& e) : std::logic_error("value() of a failed Result: " + e.to_string()) {}
};

// A minimal std::expected<T, Error> for C++20.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { check(); return std::get<0>(v_); }
  const T& value() const& { check(); return std::get<0>(v_); }
  T&& value() && { check(); return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  void check() const {
    if (!has_value()) throw BadResultAccess(std::get<1>(v_));
  }
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool has_value() const noexcept { return ok_; }
  explicit operator bool() const noexcept { return ok_; }
  void value() const {
    if (!ok_) throw BadResultAccess(error_);
  }
  const Error& error() const& { return error_; }
  Error&& error() && { return std::move(error_); }

 private:
  Error error_{};
  bool ok_{true};
};

inline Error make_error(Errc code, std::string where, std::string message, std::ptrdiff_t row = -1,
                        std::ptrdiff_t col = -1) {
  return Error{code, std::move(where), std::move(message), row, col};
}

}  // namespace hanzo::hmm
