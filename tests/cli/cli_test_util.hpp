// Running the real hanzo-hmm binary on files in a temporary directory.
#pragma once

#include <stdlib.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "hanzo/hmm/io/json.hpp"
#include "run_process.hpp"

namespace hanzo::test {

namespace json = boost::json;

inline std::string data_path(const std::string& name) { return std::string(HANZO_DATA_DIR) + "/" + name; }

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "hanzo-cli-XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Writes `text` to name in the directory; returns the full path.
  std::string write(const std::string& name, const std::string& text) const {
    const auto p = path_ / name;
    std::ofstream(p, std::ios::binary) << text;
    return p.string();
  }
  std::string path(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

inline ProcessResult run_cli(std::vector<std::string> args, const std::string& input = {}) {
  args.insert(args.begin(), HANZO_CLI_PATH);
  return run_process(args, input);
}

inline json::value parse(const std::string& text) { return hanzo::hmm::io::parse_json(text).value(); }

// The single JSON line a successful command prints.
inline json::value output_of(const ProcessResult& r) {
  INFO("stderr: " << r.err);
  REQUIRE(r.status == 0);
  REQUIRE(r.err.empty());
  REQUIRE(!r.out.empty());
  REQUIRE(r.out.back() == '\n');
  REQUIRE(r.out.find('\n') == r.out.size() - 1);
  return parse(r.out);
}

// A JSON number, null meaning -inf.
inline double num(const json::value& v) {
  if (v.is_null()) return -std::numeric_limits<double>::infinity();
  return v.to_number<double>();
}

inline std::vector<double> nums(const json::value& v) {
  std::vector<double> out;
  for (const auto& x : v.as_array()) out.push_back(num(x));
  return out;
}

inline std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const auto nl = text.find('\n', start);
    out.push_back(text.substr(start, nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

}  // namespace hanzo::test
