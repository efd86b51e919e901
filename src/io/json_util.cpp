#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>

#include <boost/json/serialize.hpp>

#include "hanzo/hmm/io/json.hpp"

namespace hanzo::hmm::io {

namespace json = boost::json;

Result<std::string> read_file(const std::filesystem::path& path) {
  const auto fail = [&](int err) {
    return make_error(Errc::io_error, path.string(), std::string("cannot read file: ") + std::strerror(err));
  };
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) return fail(errno);
  std::string text;
  char buf[1 << 16];
  for (;;) {
    const std::size_t n = std::fread(buf, 1, sizeof buf, f.get());
    text.append(buf, n);
    if (n < sizeof buf) break;
  }
  if (std::ferror(f.get())) return fail(errno);  // e.g. EISDIR: fopen succeeds on a directory
  return text;
}

Error in_file(Error error, const std::filesystem::path& path) {
  return std::move(error.in_source(path.string()));
}

const char* kind_name(const json::value& value) noexcept {
  switch (value.kind()) {
    case json::kind::null: return "null";
    case json::kind::bool_: return "boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_: return "number";
    case json::kind::string: return "string";
    case json::kind::array: return "array";
    case json::kind::object: return "object";
  }
  return "unknown";
}

json::value number_to_json(double x) {
  if (!std::isfinite(x)) return nullptr;
  return x;
}

json::array numbers_to_json(std::span<const double> xs) {
  json::array a;
  a.reserve(xs.size());
  for (double x : xs) a.push_back(number_to_json(x));
  return a;
}

json::array rows_to_json(const std::vector<std::vector<double>>& rows) {
  json::array a;
  a.reserve(rows.size());
  for (const auto& r : rows) a.push_back(numbers_to_json(r));
  return a;
}

json::array matrix_to_json(const Matrix& m) {
  json::array a;
  a.reserve(m.rows);
  for (std::size_t r = 0; r < m.rows; ++r) a.push_back(numbers_to_json({m.row(r), m.cols}));
  return a;
}

std::string to_text(const json::value& value) { return json::serialize(value); }

}  // namespace hanzo::hmm::io
