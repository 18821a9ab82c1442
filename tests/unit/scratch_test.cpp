// The tests' scratch folder (tests/support/scratch.hpp) goes with a passing test process and stays after a failing
// one.
#include "support/scratch.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "support/command_output.hpp"

namespace vfo::test {
namespace {

// Runs this very test in a new process as a probe that writes a scratch file and passes or fails (OUTCOME); returns
// what it printed.
std::string run_probe(const std::string& outcome) {
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe");
  return output_of("VFO_SCRATCH_PROBE=" + outcome + " '" + self.string() +
                   "' --gtest_filter=ScratchFolder.IsRemovedWhenItsProcessPassedAndKeptWhenATestFailed");
}

// The folder a probe's output names on its "scratch: " line.
std::filesystem::path probe_folder(const std::string& output) {
  const auto at = output.find("scratch: ");
  if (at == std::string::npos) return {};
  const auto end = output.find('\n', at);
  return output.substr(at + 9, end - at - 9);
}

TEST(ScratchFolder, IsRemovedWhenItsProcessPassedAndKeptWhenATestFailed) {
  if (const char* probe = std::getenv("VFO_SCRATCH_PROBE")) {
    write_file("probe.txt", "written by a probe");
    std::printf("scratch: %s\n", scratch_dir().c_str());
    if (std::string(probe) == "fail") ADD_FAILURE() << "the probe fails on purpose";
    return;
  }
  const std::string passed = run_probe("pass");
  const std::filesystem::path passed_folder = probe_folder(passed);
  ASSERT_FALSE(passed_folder.empty()) << passed;
  EXPECT_FALSE(std::filesystem::exists(passed_folder)) << passed;

  const std::string failed = run_probe("fail");
  const std::filesystem::path failed_folder = probe_folder(failed);
  ASSERT_FALSE(failed_folder.empty()) << failed;
  EXPECT_TRUE(std::filesystem::exists(failed_folder / "probe.txt")) << failed;
  EXPECT_THAT(failed, ::testing::HasSubstr("kept the test's scratch folder " + failed_folder.string()));
  std::filesystem::remove_all(failed_folder);
}

}  // namespace
}  // namespace vfo::test
