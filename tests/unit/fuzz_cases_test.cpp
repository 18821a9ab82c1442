// Every case of the fuzz targets kept in the repository, replayed through the targets' inputs (fuzz_inputs.hpp)
// in the ordinary build: the seeds (tests/fuzz/seeds/TARGET, and the scenarios/ files the YAML targets start
// from) and each case a fuzzing run found to crash, hang or break a property (tests/fuzz/cases/TARGET, kept once
// fixed). A case that is a defect again aborts this test.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "fuzz/fuzz_inputs.hpp"

namespace vfo {
namespace {

namespace fs = std::filesystem;

// The folders of cases of each target; scripts/fuzz seeds its runs from the same folders.
std::vector<fs::path> case_folders(const std::string& target) {
  const fs::path root = VFO_SOURCE_DIR;
  std::vector<fs::path> folders = {root / "tests/fuzz/seeds" / target, root / "tests/fuzz/cases" / target};
  const std::map<std::string, std::vector<std::string>> repository_files = {
      {"scenario", {"scenarios", "scenarios/paper"}},
      {"sweep", {"scenarios", "scenarios/paper"}},
      {"manifest", {"scenarios/chains"}},
      {"placement", {"scenarios/place"}},
  };
  if (const auto it = repository_files.find(target); it != repository_files.end()) {
    for (const std::string& folder : it->second) folders.push_back(root / folder);
  }
  return folders;
}

std::string bytes_of(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

TEST(FuzzCases, EveryKeptCaseOfEveryTargetIsReadOrRefusedWithOneLine) {
  for (const fuzz::Target& target : fuzz::targets()) {
    int replayed = 0;
    for (const fs::path& folder : case_folders(target.name)) {
      if (!fs::is_directory(folder)) continue;
      for (const auto& entry : fs::directory_iterator(folder)) {
        if (!entry.is_regular_file()) continue;
        SCOPED_TRACE(entry.path().string());
        target.run(bytes_of(entry.path()));
        ++replayed;
      }
    }
    EXPECT_GT(replayed, 0) << "no case for fuzz target " << target.name;
  }
}

}  // namespace
}  // namespace vfo
