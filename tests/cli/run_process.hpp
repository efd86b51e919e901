// Runs a program with given arguments and stdin, capturing stdout, stderr and the exit status.
#pragma once

#include <string>
#include <vector>

namespace hanzo::test {

struct ProcessResult {
  int status{-1};  // exit status, or 128 + signal number if killed by a signal
  std::string out;
  std::string err;
};

// argv[0] is the program path (no PATH search). Throws std::runtime_error if it cannot start.
ProcessResult run_process(const std::vector<std::string>& argv, const std::string& input = {});

}  // namespace hanzo::test
