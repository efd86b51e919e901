// Typed access to parsed JSON with errors that name the JSON path (internal to hanzo_hmm_io).
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "hanzo/hmm/error.hpp"

namespace hanzo::hmm::io::detail {

// "base[i]"
std::string at(const std::string& base, std::size_t i);

// Errc::parse_error "expected <what>, got <kind>" (the document does not follow the format).
Error wrong_type(const std::string& where, const char* what, const boost::json::value& got);

Result<const boost::json::array*> as_array(const boost::json::value& v, const std::string& where, const char* what);
Result<const boost::json::object*> as_object(const boost::json::value& v, const std::string& where, const char* what);
Result<double> as_number(const boost::json::value& v, const std::string& where);
Result<std::vector<double>> number_row(const boost::json::value& v, const std::string& where);
Result<std::vector<std::vector<double>>> number_rows(const boost::json::value& v, const std::string& where);
Result<std::vector<std::string>> string_list(const boost::json::value& v, const std::string& where);

// Every required key present, no key outside required + optional. `prefix` is "" or "emission.".
Result<void> check_keys(const boost::json::object& o, const std::string& prefix,
                        std::initializer_list<std::string_view> required,
                        std::initializer_list<std::string_view> optional = {});

}  // namespace hanzo::hmm::io::detail
