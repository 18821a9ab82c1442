// Issue 7 from the command line: `vfo up --node-cpus --live --record`, `vfo chaos stress` moving a VF before its
// node overloads (the daemon's migrations.csv), the agents' traces, `vfo experiment testbed`, and bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "results_csv.hpp"
#include "vfo_process.hpp"

namespace {

using Json = nlohmann::json;

class LiveCli : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = vfo::test::fresh_dir("live-cluster").string(); }
  void TearDown() override { vfo::test::run_vfo("down --cluster " + dir_); }
  std::string dir_;
};

TEST_F(LiveCli, AStressedNodesVfIsLiveMigratedByTheDaemonAndNodesRecordTheirTraces) {
  const std::string record = vfo::test::fresh_dir("live-traces").string();
  const auto up = vfo::test::run_vfo(
      "up --nodes 5 --period 0.5 --node-cpus 0.5 --node-ram-mb 1000 --live --k 0.5 "
      "--horizon 4 --record " +
      record + " --cluster " + dir_);
  ASSERT_EQ(up.exit_code, 0) << up.all();
  EXPECT_NE(up.out.find("live migration on: K = 0.5"), std::string::npos) << up.out;
  const auto deployed = vfo::test::run_vfo("deploy " + std::string(VFO_SOURCE_DIR) +
                                           "/scenarios/chains/pedestrian.yaml --cluster " + dir_);
  ASSERT_EQ(deployed.exit_code, 0) << deployed.all();
  std::this_thread::sleep_for(std::chrono::seconds(3));  // the forecaster learns the calm load
  // Where "detect" runs now (a loaded machine may already have made the forecaster move something).
  auto status = Json::parse(vfo::test::run_vfo("status --json --cluster " + dir_).out);
  const std::string victim = status["chains"][0]["functions"][1]["node"];
  const std::string migrations = dir_ + "/migrations.csv";
  const std::size_t before = vfo::test::read_results(migrations).size();

  const auto stressed =
      vfo::test::run_vfo("chaos stress " + victim + " --cpu 100 --ramp 10 --for 25 --cluster " + dir_);
  ASSERT_EQ(stressed.exit_code, 0) << stressed.all();
  // The first migration of "detect" off the stressed node after the stress began.
  std::optional<vfo::test::ResultRow> moved;
  for (int i = 0; i < 60 && !moved; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    const auto rows = vfo::test::read_results(migrations);
    for (std::size_t r = before; r < rows.size() && !moved; ++r) {
      if (rows[r].at("vf") == "detect" && rows[r].at("from") == victim) moved = rows[r];
    }
  }
  ASSERT_TRUE(moved) << "no live migration of detect off " << victim << " within 30 s of the stress";
  EXPECT_EQ(moved->at("ok"), "1") << moved->at("error");
  EXPECT_LT(std::stod(moved->at("node_cpu_pct")), 90);  // seen coming, before the overload
  std::this_thread::sleep_for(std::chrono::seconds(1));
  status = Json::parse(vfo::test::run_vfo("status --json --cluster " + dir_).out);
  EXPECT_EQ(status["chains"][0]["whole"], true) << status.dump();  // and it has lost nothing:
  const Json& sink = status["chains"][0]["sink"];
  EXPECT_EQ(sink.value("frames", 0ull), sink.value("last_seq", 1ull)) << status.dump();
  EXPECT_EQ(sink.value("out_of_order", 1), 0) << status.dump();

  // Each agent appends its node's trace every 5 s; the stressed node's CPU rose.
  std::this_thread::sleep_for(std::chrono::seconds(6));
  const auto trace = vfo::test::read_results(record + "/" + victim + ".csv");
  ASSERT_GE(trace.size(), 2u);
  EXPECT_EQ(trace[0].at("node"), victim);
  double highest = 0;
  for (const auto& row : trace) highest = std::max(highest, std::stod(row.at("cpu")));
  EXPECT_GT(highest, 40);
}

TEST_F(LiveCli, BadStressAndExperimentFlagsGiveOneLineAndExitCode2) {
  ASSERT_EQ(vfo::test::run_vfo("up --nodes 2 --period 1 --cluster " + dir_).exit_code, 0);
  for (const std::string& args :
       {"chaos stress node-1 --cpu 120", "chaos stress node-1 --ram -1", "chaos stress node-1 --for 0",
        "chaos stress node-1 --ramp 20 --for 10", "chaos stress node-9"}) {
    const auto o = vfo::test::run_vfo(args + " --cluster " + dir_);
    EXPECT_EQ(o.exit_code, 2) << args << ": " << o.all();
    EXPECT_EQ(vfo::test::line_count(o.err), 1u) << args << ": " << o.err;
  }
  for (const std::string& args :
       {"experiment testbed --nodes 3", "experiment testbed --k 2", "experiment testbed --duration 1",
        "experiment testbed --node-cpus 0", "experiment testbed --seeds 0", "experiment testbed --chain-share 1.5"}) {
    const auto o = vfo::test::run_vfo(args);
    EXPECT_EQ(o.exit_code, 2) << args << ": " << o.all();
    EXPECT_EQ(vfo::test::line_count(o.err), 1u) << args << ": " << o.err;
  }
  EXPECT_EQ(vfo::test::run_vfo("up --nodes 2 --k 3 --cluster " + dir_ + "-other").exit_code, 2);
}

TEST(LiveCliTestbed, RunsBothModesOnTheSameScheduleWithStressOnTheChainAndWritesTheFigure) {
  const std::string args = "experiment testbed --nodes 5 --duration 12 --stress-every 3 --chain-share 1 --quiet --out ";
  const std::string out = vfo::test::fresh_dir("testbed").string();
  const auto o = vfo::test::run_vfo(args + out);
  ASSERT_EQ(o.exit_code, 0) << o.all();
  EXPECT_NE(o.out.find("the paper's testbed: about +2%, -76.3%"), std::string::npos) << o.out;
  const Json summary = Json::parse(vfo::test::slurp(out + "/summary.json"));
  for (const char* mode : {"cold", "live"}) {
    EXPECT_GT(summary[mode]["fps_mean"].get<double>(), 5) << summary.dump();
    EXPECT_EQ(summary[mode]["stress_errors"], 0) << summary.dump();
    EXPECT_EQ(summary[mode]["fps_mean_over_seeds"]["n"], 1) << summary.dump();
  }
  EXPECT_EQ(summary["cold"]["live_migrations"], 0);
  EXPECT_GT(summary["stress_episodes"].get<int>(), 0);
  EXPECT_EQ(summary["per_seed"].size(), 1u);
  EXPECT_EQ(summary["fps_mean_difference"]["n"], 1);
  const auto fps = vfo::test::read_results(out + "/testbed.csv");
  EXPECT_EQ(fps.size(), 24u);  // 12 s x 2 modes
  EXPECT_GT(vfo::test::read_results(out + "/nodes.csv").size(), 10u);
  EXPECT_TRUE(std::ifstream(out + "/figures/testbed.gp").good());
  // With --chain-share 1 every episode falls on a node that hosts the chain when it starts.
  const auto stress = vfo::test::read_results(out + "/stress.csv");
  ASSERT_FALSE(stress.empty());
  for (const auto& e : stress) {
    EXPECT_EQ(e.at("on_chain"), "1");
    EXPECT_EQ(e.at("hosts_chain"), "1") << e.at("mode") << " " << e.at("start_s") << " " << e.at("node");
  }
  // The episodes are the seed's: a second run draws the same ones (times, loads, classes). Each run starts those
  // due before its end, so one run may have started one more near the end: the shorter list is a prefix.
  const std::string again = vfo::test::fresh_dir("testbed-again").string();
  ASSERT_EQ(vfo::test::run_vfo(args + again).exit_code, 0);
  const auto drawn = [](const std::vector<vfo::test::ResultRow>& rows, const std::string& mode) {
    std::vector<std::string> out;
    for (const auto& r : rows) {
      if (r.at("mode") == mode) out.push_back(r.at("start_s") + "," + r.at("cpu_pct") + "," + r.at("duration_s"));
    }
    return out;
  };
  const auto second = vfo::test::read_results(again + "/stress.csv");
  for (const char* mode : {"cold", "live"}) {
    const auto a = drawn(stress, mode), b = drawn(second, mode);
    const std::size_t n = std::min(a.size(), b.size());
    ASSERT_GT(n, 0u) << mode;
    EXPECT_EQ(std::vector<std::string>(a.begin(), a.begin() + static_cast<std::ptrdiff_t>(n)),
              std::vector<std::string>(b.begin(), b.begin() + static_cast<std::ptrdiff_t>(n)))
        << mode;
  }
}

}  // namespace
