#include "cli/process_pool.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "vfo/report/run_results.hpp"

namespace vfo::cli {
namespace {

namespace fs = std::filesystem;

std::string read(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class SweepProcessPool : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::path(::testing::TempDir()) /
           (std::string("vfo_") + ::testing::UnitTest::GetInstance()->current_test_info()->name() + "_" +
            std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A child that runs `script` in /bin/sh with $1 = its own folder, its stderr in that folder.
  ProcessSpec shell(const std::string& script, std::size_t index) {
    const fs::path run = dir_ / std::to_string(index);
    fs::create_directories(run);
    ProcessSpec spec;
    spec.argv = {"/bin/sh", "-c", script, "sh", run.string()};
    spec.stderr_path = run / "stderr.txt";
    spec.stdout_path = run / "stdout.txt";
    return spec;
  }

  fs::path dir_;
};

// The child stands in for `vfo sim`: it writes a summary.json, as the sweep's runs do.
TEST_F(SweepProcessPool, RunsEveryChildAtMostJobsAtATime) {
  const fs::path running = dir_ / "running";
  fs::create_directories(running);
  // Each child marks itself running, counts the marks, sleeps a little, and writes the count in its summary.
  const std::string script =
      "touch " + running.string() + "/$$; n=$(ls " + running.string() + " | wc -l); sleep 0.05; rm " +
      running.string() +
      "/$$; printf '{\"index\":%s,\"running\":%s,\"nested\":{\"ok\":true}}' \"$(basename $1)\" $n > $1/summary.json; "
      "echo out; echo err >&2";
  std::vector<ProcessSpec> specs;
  for (std::size_t i = 0; i < 8; ++i) specs.push_back(shell(script, i));
  std::vector<int> finished_order;
  int ticks = 0;
  ProcessPool pool(3, std::chrono::milliseconds(1));
  const bool all = pool.run(
      specs,
      [&](std::size_t index, const ProcessOutcome& outcome) {
        EXPECT_TRUE(outcome.ok()) << outcome.describe();
        finished_order.push_back(static_cast<int>(index));
        return true;
      },
      [&] { ++ticks; });
  EXPECT_TRUE(all);
  EXPECT_EQ(finished_order.size(), 8u);
  EXPECT_GT(ticks, 0);
  for (std::size_t i = 0; i < 8; ++i) {
    const fs::path run = dir_ / std::to_string(i);
    const auto metrics = report::read_summary((run / "summary.json").string());
    ASSERT_EQ(metrics.size(), 3u);
    EXPECT_EQ(metrics[0], (report::Metric{"index", std::to_string(i)}));
    EXPECT_EQ(metrics[1].first, "running");
    EXPECT_LE(std::stoi(metrics[1].second), 3) << "more than 3 children at once";
    EXPECT_GE(std::stoi(metrics[1].second), 1);
    EXPECT_EQ(metrics[2], (report::Metric{"nested_ok", "true"}));
    EXPECT_EQ(read(run / "stdout.txt"), "out\n");
    EXPECT_EQ(read(run / "stderr.txt"), "err\n");
  }
}

TEST_F(SweepProcessPool, ReportsExitCodesSignalsAndSpawnErrors) {
  std::vector<ProcessSpec> specs = {shell("exit 2", 0), shell("kill -9 $$", 1), shell("true", 2)};
  ProcessSpec missing;
  missing.argv = {"/nonexistent/vfo", "sim"};
  specs.push_back(missing);
  std::vector<ProcessOutcome> outcomes(specs.size());
  ProcessPool pool(2);
  EXPECT_TRUE(pool.run(specs, [&](std::size_t index, const ProcessOutcome& outcome) {
    outcomes[index] = outcome;
    return true;
  }));
  EXPECT_EQ(outcomes[0].exit_code, 2);
  EXPECT_EQ(outcomes[0].describe(), "exit code 2");
  EXPECT_EQ(outcomes[1].signal, 9);
  EXPECT_THAT(outcomes[1].describe(), ::testing::StartsWith("killed by signal 9"));
  EXPECT_TRUE(outcomes[2].ok());
  EXPECT_FALSE(outcomes[3].ok());
  EXPECT_THAT(outcomes[3].describe(), ::testing::StartsWith("could not start: /nonexistent/vfo: "));
}

TEST_F(SweepProcessPool, StoppingKillsRunningChildrenAndStartsNoMore) {
  std::vector<ProcessSpec> specs = {shell("exit 1", 0), shell("sleep 30", 1)};
  for (std::size_t i = 2; i < 6; ++i) specs.push_back(shell("touch $1/started", i));
  std::vector<std::size_t> seen;
  const auto start = std::chrono::steady_clock::now();
  ProcessPool pool(2);
  const bool all = pool.run(specs, [&](std::size_t index, const ProcessOutcome& outcome) {
    seen.push_back(index);
    return outcome.ok();
  });
  EXPECT_FALSE(all);
  EXPECT_EQ(seen, (std::vector<std::size_t>{0}));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10)) << "the sleeper was not killed";
  for (std::size_t i = 2; i < 6; ++i) EXPECT_FALSE(fs::exists(dir_ / std::to_string(i) / "started")) << i;
}

TEST_F(SweepProcessPool, AnExceptionFromTheCallbackStopsThePool) {
  std::vector<ProcessSpec> specs = {shell("true", 0), shell("sleep 30", 1), shell("touch $1/started", 2)};
  const auto start = std::chrono::steady_clock::now();
  ProcessPool pool(2);
  EXPECT_THROW(pool.run(specs, [&](std::size_t, const ProcessOutcome&) -> bool { throw std::runtime_error("x"); }),
               std::runtime_error);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  EXPECT_FALSE(fs::exists(dir_ / "2" / "started"));
}

TEST_F(SweepProcessPool, RunsInTheGivenFolder) {
  ProcessSpec spec = shell("pwd > out.txt", 0);
  spec.cwd = dir_ / "0";
  EXPECT_TRUE(run_process(spec).ok());
  EXPECT_EQ(read(dir_ / "0" / "out.txt"), fs::canonical(dir_ / "0").string() + "\n");
}

TEST(SweepShellQuote, QuotesWhatAShellWouldSplit) {
  EXPECT_EQ(shell_quote({"/usr/bin/vfo", "sim", "a.yaml", "--set", "environment.nodes=100"}),
            "/usr/bin/vfo sim a.yaml --set environment.nodes=100");
  EXPECT_EQ(shell_quote({"--set", "chains.functions={mean: 8, stddev: 4}", "it's", ""}),
            "--set 'chains.functions={mean: 8, stddev: 4}' 'it'\\''s' ''");
}

}  // namespace
}  // namespace vfo::cli
