// The verdict of a Catch2 test case whose external tool is missing. In CI (CI=true) every tool
// is installed by scripts/install-deps.sh, so a missing one is a failure. Elsewhere the case is
// skipped, never passed: under CTest (one case per process; hanzo_add_test sets
// HANZO_SKIP_EXIT) the process exits 77, CTest's SKIP_RETURN_CODE; run by hand, it warns and the
// other cases go on.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

namespace hanzo_test {

inline bool in_ci() {
  const char* ci = std::getenv("CI");
  if (!ci) return false;
  const std::string_view v(ci);
  return v == "true" || v == "TRUE" || v == "True" || v == "1";
}

// Usage: if (!tool_present(std::filesystem::exists("/usr/bin/kcat"), "/usr/bin/kcat is not installed")) return;
inline bool tool_present(bool present, const std::string& what) {
  if (present) return true;
  if (in_ci()) FAIL(what << " (CI=true: scripts/install-deps.sh installs every tool)");
  if (std::getenv("HANZO_SKIP_EXIT")) {
    std::cout << "SKIP: " << what << std::endl;
    std::exit(77);
  }
  WARN("skipped: " << what);
  return false;
}

}  // namespace hanzo_test
