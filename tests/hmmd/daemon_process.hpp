// Runs hanzo-hmmd (or hanzo-hmm) as a child process: outputs go to files in a scratch directory so
// a test can signal the child while it runs and read what it wrote afterwards.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace hanzo::test {

// A fresh directory under the system temp dir, removed with the object.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  // Writes `text` to path()/name and returns the full path.
  std::string write(const std::string& name, const std::string& text) const;

 private:
  std::filesystem::path path_;
};

class Child {
 public:
  // argv[0] is the program path. `env` entries ("NAME=value") are added to this environment.
  Child(const std::vector<std::string>& argv, const ScratchDir& dir, const std::vector<std::string>& env = {});
  ~Child();  // kills the child if it is still running
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  void signal(int sig) const;
  // The exit status (128 + signal if killed), or nothing if it is still running after `timeout`.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  std::string out() const;
  std::string err() const;

 private:
  pid_t pid_{-1};
  bool reaped_{false};
  std::filesystem::path out_, err_;
};

// Runs to completion (at most `timeout`, else throws) and returns (status, stdout, stderr).
struct Finished {
  int status{-1};
  std::string out, err;
};
Finished run_to_end(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                    std::chrono::milliseconds timeout = std::chrono::seconds(60));

std::string read_file(const std::filesystem::path& path);

}  // namespace hanzo::test
