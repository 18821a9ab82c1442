// Scratch files for tests.
//
// Contract: every file these helpers create lives under TempDir()/vfo-<pid>, a folder private to the calling
// test process, so tests that `ctest -j` runs in parallel never read or delete each other's files. The folder
// is removed when that process exits with every test passed, and kept, its path printed, when one failed: its
// logs and cluster folders are what a failure is read from. A whole `make test` writes over a gigabyte here (an
// etcd member preallocates 64 MB write-ahead logs).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace vfo::test {

namespace scratch_detail {

inline std::filesystem::path dir_of(pid_t pid) {
  return std::filesystem::path(::testing::TempDir()) / ("vfo-" + std::to_string(pid));
}

inline pid_t& owner() {
  static pid_t pid = 0;
  return pid;
}

// Runs at exit. A child forked by a test inherits this handler, so it acts only in the process that made the
// folder.
inline void remove_if_passed() {
  if (::getpid() != owner()) return;
  const std::filesystem::path dir = dir_of(owner());
  if (!::testing::UnitTest::GetInstance()->Passed()) {
    std::fprintf(stderr, "kept the test's scratch folder %s\n", dir.c_str());
    return;
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

}  // namespace scratch_detail

// A folder only this test process writes into.
inline std::filesystem::path scratch_dir() {
  const std::filesystem::path dir = scratch_detail::dir_of(::getpid());
  std::filesystem::create_directories(dir);
  if (scratch_detail::owner() != ::getpid()) {
    scratch_detail::owner() = ::getpid();
    ::testing::UnitTest::GetInstance();  // made before the handler is registered, so it outlives the handler's run
    std::atexit(scratch_detail::remove_if_passed);
  }
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
