// Live migration from the command line: `vfo up --node-cpus --live --record`, `vfo chaos stress` moving a VF before
// its node overloads (the daemon's migrations.csv), on the trend forecaster and on a trained model (`vfo up
// --model`), the agents' traces, `vfo experiment testbed`, and bad input.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
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
  // The node view: every node up, with its readings and the daemon's p_fail.
  ASSERT_EQ(status["nodes"].size(), 5u) << status.dump();
  for (const Json& n : status["nodes"]) {
    EXPECT_EQ(n["health"], "up") << n.dump();
    EXPECT_TRUE(n.contains("cpu_pct") && n.contains("vfs") && n.contains("p_fail")) << n.dump();
  }

  // Each agent appends its node's trace every 5 s; the stressed node's CPU rose.
  std::this_thread::sleep_for(std::chrono::seconds(6));
  const auto trace = vfo::test::read_results(record + "/" + victim + ".csv");
  ASSERT_GE(trace.size(), 2u);
  EXPECT_EQ(trace[0].at("node"), victim);
  double highest = 0;
  for (const auto& row : trace) highest = std::max(highest, std::stod(row.at("cpu")));
  EXPECT_GT(highest, 40);
}

// A node trace (vfo's CSV) of `nodes` nodes read every 0.5 s: a calm, noisy load, and now and then a stress that
// ramps up to the whole node over 5 to 15 s, holds, and ends: what a forecaster must learn to see coming.
std::string ramping_node_trace(int nodes, int readings, std::uint32_t seed) {
  std::mt19937 random(seed);
  std::uniform_real_distribution<double> uniform(0, 1);
  std::normal_distribution<double> noise(0, 3);
  std::string csv = "time,node,cpu,ram\n";
  for (int n = 1; n <= nodes; ++n) {
    const double calm = 5 + 40 * uniform(random);
    int ramp_left = 0, ramp = 0, hold_left = 0;
    double level = calm;
    for (int i = 0; i < readings; ++i) {
      if (ramp_left == 0 && hold_left == 0 && uniform(random) < 0.02) {
        ramp = ramp_left = 10 + static_cast<int>(20 * uniform(random));
        hold_left = 10 + static_cast<int>(30 * uniform(random));
      }
      if (ramp_left > 0) {
        level = calm + (100 - calm) * (ramp - ramp_left + 1) / ramp;
        --ramp_left;
      } else if (hold_left > 0) {
        level = 100;
        --hold_left;
      } else {
        level = calm;
      }
      const double cpu = std::clamp(level + noise(random), 0.0, 100.0);
      char line[96];
      std::snprintf(line, sizeof line, "%.1f,node-%d,%.2f,%.2f\n", 0.5 * i, n, cpu, 30 + noise(random) / 3);
      csv += line;
    }
  }
  return csv;
}

TEST_F(LiveCli, AClusterStartedWithATrainedModelMovesTheStressedNodesVfOnTheModelsAlarm) {
  const std::string work = vfo::test::fresh_dir("live-model").string();
  std::filesystem::create_directories(work);
  { std::ofstream(work + "/ramps.csv") << ramping_node_trace(40, 400, 7); }
  const auto trained = vfo::test::run_vfo("forecast train --trace vfo:" + work +
                                          "/ramps.csv --interval 0.5 --model lstm --window 8 --horizon 4 --hidden 16 "
                                          "--epochs 4 --threads 1 --quiet --out " +
                                          work + "/model");
  ASSERT_EQ(trained.exit_code, 0) << trained.all();

  // The network alone (--unguarded): what moves the VF is the model's own alarm.
  const auto up = vfo::test::run_vfo("up --nodes 5 --period 0.5 --node-cpus 0.5 --node-ram-mb 1000 --k 0.5 --model " +
                                     work + "/model --unguarded --cluster " + dir_);
  ASSERT_EQ(up.exit_code, 0) << up.all();
  EXPECT_NE(up.out.find("forecaster: the model in"), std::string::npos) << up.out;
  EXPECT_NE(up.out.find("forecast horizon 4 s"), std::string::npos) << up.out;
  std::ifstream log(dir_ + "/logs/orchestrator.log");
  std::string first;
  std::getline(log, first);
  EXPECT_NE(first.find("live migration on the model in"), std::string::npos) << first;

  const auto deployed = vfo::test::run_vfo("deploy " + std::string(VFO_SOURCE_DIR) +
                                           "/scenarios/chains/pedestrian.yaml --cluster " + dir_);
  ASSERT_EQ(deployed.exit_code, 0) << deployed.all();
  std::this_thread::sleep_for(std::chrono::seconds(5));  // the model's window fills with the calm load
  auto status = Json::parse(vfo::test::run_vfo("status --json --cluster " + dir_).out);
  const std::string victim = status["chains"][0]["functions"][1]["node"];
  const std::string migrations = dir_ + "/migrations.csv";
  const std::size_t before = vfo::test::read_results(migrations).size();

  const auto stressed =
      vfo::test::run_vfo("chaos stress " + victim + " --cpu 100 --ramp 10 --for 25 --cluster " + dir_);
  ASSERT_EQ(stressed.exit_code, 0) << stressed.all();
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
  EXPECT_GE(std::stod(moved->at("p_fail")), 0.5);
  EXPECT_LT(std::stod(moved->at("node_cpu_pct")), 90);  // seen coming, before the overload
  std::this_thread::sleep_for(std::chrono::seconds(1));
  status = Json::parse(vfo::test::run_vfo("status --json --cluster " + dir_).out);
  EXPECT_EQ(status["chains"][0]["whole"], true) << status.dump();
}

TEST_F(LiveCli, AModelTheProbingPeriodCannotFeedOrThatIsMissingIsRefusedWithOneLine) {
  const std::string work = vfo::test::fresh_dir("live-model-bad").string();
  std::filesystem::create_directories(work);
  { std::ofstream(work + "/ramps.csv") << ramping_node_trace(4, 100, 3); }
  ASSERT_EQ(vfo::test::run_vfo("forecast train --trace vfo:" + work +
                               "/ramps.csv --interval 1 --model ewma --horizon 2 --quiet --out " + work + "/model")
                .exit_code,
            0);
  for (const std::string& args :
       std::vector<std::string>{"--period 0.3 --model " + work + "/model", "--period 1 --model " + work + "/missing",
                                "--period 0.5 --model " + work + "/model --horizon 5", "--period 1 --unguarded"}) {
    const auto o = vfo::test::run_vfo("up --nodes 2 " + args + " --cluster " + dir_);
    EXPECT_EQ(o.exit_code, 2) << args << ": " << o.all();
    EXPECT_EQ(vfo::test::line_count(o.err), 1u) << args << ": " << o.err;
    EXPECT_FALSE(std::filesystem::exists(dir_ + "/cluster.json")) << args;  // nothing was started
  }
  // A whole number of periods: the model reads the mean of two probes.
  const auto o = vfo::test::run_vfo("up --nodes 2 --period 0.5 --model " + work + "/model --cluster " + dir_);
  ASSERT_EQ(o.exit_code, 0) << o.all();
  EXPECT_NE(o.out.find("guarded by its baselines, one reading every 1 s (the mean of 2 probes)"), std::string::npos)
      << o.out;
}

TEST_F(LiveCli, BadStressAndExperimentFlagsGiveOneLineAndExitCode2) {
  ASSERT_EQ(vfo::test::run_vfo("up --nodes 2 --period 1 --cluster " + dir_).exit_code, 0);
  for (const char* args :
       {"chaos stress node-1 --cpu 120", "chaos stress node-1 --ram -1", "chaos stress node-1 --for 0",
        "chaos stress node-1 --ramp 20 --for 10", "chaos stress node-9"}) {
    const auto o = vfo::test::run_vfo(std::string(args) + " --cluster " + dir_);
    EXPECT_EQ(o.exit_code, 2) << args << ": " << o.all();
    EXPECT_EQ(vfo::test::line_count(o.err), 1u) << args << ": " << o.err;
  }
  for (const char* args :
       {"experiment testbed --nodes 3", "experiment testbed --k 2", "experiment testbed --duration 1",
        "experiment testbed --node-cpus 0", "experiment testbed --seeds 0", "experiment testbed --chain-share 1.5"}) {
    const auto o = vfo::test::run_vfo(args);
    EXPECT_EQ(o.exit_code, 2) << args << ": " << o.all();
    EXPECT_EQ(vfo::test::line_count(o.err), 1u) << args << ": " << o.err;
  }
  EXPECT_EQ(vfo::test::run_vfo("up --nodes 2 --k 3 --cluster " + dir_ + "-other").exit_code, 2);
}

TEST(LiveCliTestbed, ATestbedInterruptedWithCtrlCLeavesNoProcessOfItsRun) {
  const std::string out = vfo::test::fresh_dir("testbed-interrupted").string();
  const std::string mark = "testbed-int-" + std::to_string(::getpid());
  // Started, then interrupted (SIGINT, as Ctrl-C) once its nodes are loaded.
  const pid_t pid =
      vfo::test::start_vfo_marked(mark, {"experiment", "testbed", "--nodes", "5", "--duration", "60", "--stress-every",
                                         "2", "--chain-share", "1", "--quiet", "--out", out});
  ASSERT_GT(pid, 0);
  std::this_thread::sleep_for(std::chrono::seconds(6));
  ::kill(pid, SIGINT);
  EXPECT_EQ(vfo::test::ending_signal(pid), SIGINT) << "it ran to its end: the interrupt came late";
  EXPECT_EQ(vfo::test::processes_marked_after(mark), std::vector<int>{});
}

TEST(LiveCliTestbed, RunsBothModesOnTheSameScheduleWithStressOnTheChainAndWritesTheFigure) {
  const std::string args = "experiment testbed --nodes 5 --duration 12 --stress-every 3 --chain-share 1 --quiet --out ";
  const std::string out = vfo::test::fresh_dir("testbed").string();
  const std::string mark = "testbed-" + std::to_string(::getpid());
  const auto o = vfo::test::run_vfo_marked(mark, args + out);
  ASSERT_EQ(o.exit_code, 0) << o.all();
  // No process of the run is left: agents, VFs (stopped or not) and stress processes all ended with it.
  EXPECT_EQ(vfo::test::processes_marked_after(mark), std::vector<int>{});
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
