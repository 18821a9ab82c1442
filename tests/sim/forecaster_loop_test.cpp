// `vfo experiment forecaster`: the trained LSTM in the simulator's loop against the baselines, paired by seed.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "results_csv.hpp"
#include "vfo_process.hpp"

namespace {

namespace fs = std::filesystem;
using vfo::test::fresh_dir;
using vfo::test::run_vfo;
using vfo::test::write_file;

const std::string kLoop = std::string(VFO_SOURCE_DIR) + "/scenarios/paper/forecaster-loop.yaml";

TEST(ForecasterLoop, TrainsTheLstmOnAnotherSeedsProbesAndRunsItBesideEveryBaselineOnTheSameSeeds) {
  const fs::path out = fresh_dir("forecaster-loop");
  const auto r = run_vfo("experiment forecaster " + kLoop + " --quiet --replications 2 --grid control.k=[0.2] " +
                         "--set environment.nodes=60 --training-duration 3600 --epochs 1 --examples-per-epoch 3000 " +
                         "--out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_TRUE(fs::exists(out / "training" / "nodes.csv"));
  EXPECT_TRUE(fs::exists(out / "training" / "model" / "model.json"));
  EXPECT_NE(vfo::test::slurp(out / "loop.yaml").find("control.predictor.model"), std::string::npos);

  // Every case ran each replication's seed; the seeds are not the training run's.
  const auto rows = vfo::test::read_results((out / "results.csv").string());
  ASSERT_EQ(rows.size(), 5u * 2u);
  std::map<std::string, std::set<std::string>> seeds;
  for (const auto& row : rows) seeds[row.at("case")].insert(row.at("seed"));
  ASSERT_EQ(seeds.size(), 5u);
  for (const auto& [c, s] : seeds) EXPECT_EQ(s, seeds["ar"]) << c;
  EXPECT_EQ(seeds["lstm"].size(), 2u);
  EXPECT_EQ(seeds["lstm"].count("1002026"), 0u);  // the training run's: the scenario's seed 2023 + 1000003
  for (const auto& row : rows) EXPECT_GE(std::stoi(row.at("alarms")), std::stoi(row.at("unconfirmed_alarms")));

  // The paired comparison: three metrics against each of the four baselines.
  const auto comparison = vfo::test::read_results((out / "comparison.csv").string());
  EXPECT_EQ(comparison.size(), 3u * 4u);
  for (const auto& row : comparison) EXPECT_EQ(row.at("n"), "2") << row.at("metric") << " " << row.at("baseline");
  EXPECT_NE(r.out.find("lstm (guarded) against each baseline"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(out / "figures" / "loop_downtime.svg"));
}

TEST(ForecasterLoop, AScenarioItCannotCompareIsRefusedWithOneLineBeforeAnythingRuns) {
  const std::string dedicated = std::string(VFO_SOURCE_DIR) + "/tests/sim/data/small.yaml";
  std::string text = vfo::test::slurp(kLoop);
  const std::string ar_case = "    ar: {control.predictor.method: ar}\n";
  ASSERT_NE(text.find(ar_case), std::string::npos);
  text.insert(text.find(ar_case) + ar_case.size(), "    lstm: {control.predictor.method: ma}\n");
  const fs::path with_lstm = write_file("loop-with-lstm.yaml", text);
  for (const std::string& args : std::vector<std::string>{
           "experiment forecaster " + dedicated, "experiment forecaster " + with_lstm.string(),
           "experiment forecaster " + kLoop + " --training-duration 10",
           "experiment forecaster " + kLoop + " --epochs 0", "experiment forecaster /nonexistent.yaml"}) {
    const fs::path out = fresh_dir("forecaster-loop-bad");
    const auto r = run_vfo(args + " --out " + out.string());
    EXPECT_EQ(r.exit_code, 2) << args << ": " << r.all();
    EXPECT_EQ(vfo::test::line_count(r.err), 1u) << args << ": " << r.err;
    EXPECT_FALSE(fs::exists(out / "training")) << args;
  }
}

}  // namespace
