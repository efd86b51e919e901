#include "hanzo/hmm/io/symbol.hpp"

#include <charconv>
#include <cmath>

#include <boost/json/serialize.hpp>

#include "hanzo/hmm/io/json.hpp"

namespace hanzo::hmm::io {

namespace {
std::string chars(double v, int precision) {
  char buf[64];
  auto r = precision > 0 ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::general, precision)
                         : std::to_chars(buf, buf + sizeof buf, v);
  return {buf, r.ptr};
}
}  // namespace

Symbol Symbol::integer(std::int64_t value) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, value);
  return Symbol(Kind::integer, std::string(buf, r.ptr), value, 0.0, {});
}

Symbol Symbol::number(double value) {
  // [-2^63, 2^63) is exactly the int64 range; both bounds are representable doubles.
  if (value >= -0x1p63 && value < 0x1p63 && value == std::trunc(value))
    return integer(static_cast<std::int64_t>(value));
  return Symbol(Kind::real, chars(value, 17), 0, value, {});
}

Symbol Symbol::string(std::string value) {
  auto key = boost::json::serialize(boost::json::string_view(value));
  return Symbol(Kind::string, std::move(key), 0, 0.0, std::move(value));
}

Result<Symbol> Symbol::from_json(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::int64: return integer(v.get_int64());
    case boost::json::kind::uint64: return number(static_cast<double>(v.get_uint64()));
    case boost::json::kind::double_:
      if (!std::isfinite(v.get_double()))
        return make_error(Errc::invalid_value, "", "symbol " + chars(v.get_double(), 0) + " is not a finite number");
      return number(v.get_double());
    case boost::json::kind::string: return string(std::string(v.get_string()));
    default: return make_error(Errc::parse_error, "", std::string("expected a number or a string, got ") + kind_name(v));
  }
}

std::string Symbol::text() const { return kind_ == Kind::real ? chars(real_, 0) : key_; }

boost::json::value Symbol::to_json() const {
  switch (kind_) {
    case Kind::integer: return int_;
    case Kind::real: return real_;
    case Kind::string: return boost::json::string(string_);
  }
  return nullptr;
}

}  // namespace hanzo::hmm::io
