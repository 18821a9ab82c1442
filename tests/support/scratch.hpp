// Scratch files for tests.
//
// Contract: every file these helpers create lives under TempDir()/vfo-<pid>, a folder private to the calling
// test process, so tests that `ctest -j` runs in parallel never read or delete each other's files.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace vfo::test {

// A folder only this test process writes into.
inline std::filesystem::path scratch_dir() {
  const std::filesystem::path dir = std::filesystem::path(::testing::TempDir()) / ("vfo-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir;
}

// The whole content of the file at PATH (empty if it cannot be read).
inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The path of a folder named NAME in the scratch folder, which does not exist (whatever was there is removed).
inline std::filesystem::path fresh_dir(const std::string& name) {
  const std::filesystem::path dir = scratch_dir() / name;
  std::filesystem::remove_all(dir);
  return dir;
}

// Writes TEXT to a file named NAME in the scratch folder and returns its path.
inline std::filesystem::path write_file(const std::string& name, const std::string& text) {
  const std::filesystem::path path = scratch_dir() / name;
  std::ofstream(path) << text;
  return path;
}

}  // namespace vfo::test
