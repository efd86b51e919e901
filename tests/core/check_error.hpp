// Asserts every field of a validation error.
#pragma once

#include <catch2/catch.hpp>

#include <string>

#include "hanzo/hmm/error.hpp"

inline void check_error(const hanzo::hmm::Error& e, hanzo::hmm::Errc code, const std::string& where,
                        std::ptrdiff_t row, std::ptrdiff_t col) {
  INFO(e.to_string());
  CHECK(e.code == code);
  CHECK(e.where == where);
  CHECK(e.row == row);
  CHECK(e.col == col);
  CHECK(e.message.size() > 8);  // says what is wrong, not just where
  CHECK(e.to_string() == (where.empty() ? e.message : where + ": " + e.message));
}
