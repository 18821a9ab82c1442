// Runs the `vfo` binary for an end-to-end test and gives back what it printed and its exit code.
//
// Its stderr goes to a file in the test process's scratch folder (support/scratch.hpp).
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <string>

#include "support/scratch.hpp"

namespace vfo::test {

struct Outcome {
  int exit_code = -1;
  std::string out;  // stdout
  std::string err;  // stderr

  std::string all() const { return out + err; }
};

// The number of lines in TEXT (its newlines).
inline long line_count(const std::string& text) {
  return std::count(text.begin(), text.end(), '\n');
}

// Runs `vfo ARGS` (ARGS go through the shell) and collects stdout and stderr apart.
inline Outcome run_vfo(const std::string& args) {
  const std::filesystem::path err_file = scratch_dir() / "stderr.txt";
  const std::string command = std::string(VFO_BINARY) + " " + args + " 2>" + err_file.string();
  Outcome o;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return o;
  char buffer[4096];
  while (std::fgets(buffer, sizeof buffer, pipe) != nullptr) o.out += buffer;
  const int status = pclose(pipe);
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  o.err = slurp(err_file);
  return o;
}

}  // namespace vfo::test
