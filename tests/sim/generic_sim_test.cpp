// End-to-end tests of `vfo sim` in the generic environment (Results B) and of the deployment timing of
// Fig. 9b: each runs the binary (SimGrid allows one engine per process).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "vfo_process.hpp"

namespace {

namespace fs = std::filesystem;
using vfo::test::fresh_dir;
using vfo::test::run_vfo;
using vfo::test::slurp;

const std::string kGeneric = std::string(VFO_SOURCE_DIR) + "/tests/sim/data/generic-small.yaml";

TEST(GenericSim, SameSeedSameBytesAndEveryMechanismRan) {
  const fs::path a = fresh_dir("generic-a"), b = fresh_dir("generic-b");
  ASSERT_EQ(run_vfo("sim " + kGeneric + " --quiet --no-wall-time --out " + a.string()).exit_code, 0);
  ASSERT_EQ(run_vfo("sim " + kGeneric + " --quiet --no-wall-time --out " + b.string()).exit_code, 0);
  for (const char* file : {"summary.json", "services.csv", "migrations.csv"}) {
    EXPECT_EQ(slurp(a / file), slurp(b / file)) << file;
  }
  const auto j = nlohmann::json::parse(slurp(a / "summary.json"));
  EXPECT_GT(j["services"].get<int>(), 30);
  EXPECT_GT(j["migrations"]["cold"].get<int>(), 0);  // nodes left (P_leave) with VFs on them
  EXPECT_GT(j["migrations"]["live"].get<int>(), 0);  // the forecaster raised alarms above K
  EXPECT_GT(j["alarms"].get<int>(), 0);
  EXPECT_GT(j["node_failures"].get<int>(), 0);
  EXPECT_GT(j["overloads"].get<int>(), 0);  // jobs slowed a VF below its chain's fps
  EXPECT_EQ(j["overloads"], j["overload_failures"]);
  EXPECT_GT(j["lost_jobs"].get<int>(), 0);  // jobs reached nodes that had left
  EXPECT_GT(j["downtime_pct"].get<double>(), 0.0);
  // One row per migration started: completed ones and aborted ones.
  const int started = j["migrations"]["total"].get<int>() + j["migrations"]["aborted"].get<int>();
  EXPECT_EQ(vfo::test::line_count(slurp(a / "migrations.csv")), started + 1);
  EXPECT_GT(j["live_phases"]["copy_s"].get<double>(), 0.0);
  EXPECT_GT(j["live_phases"]["total_s"].get<double>(), j["live_phases"]["downtime_s"].get<double>());

  const fs::path c = fresh_dir("generic-c");
  ASSERT_EQ(run_vfo("sim " + kGeneric + " --quiet --no-wall-time --seed 14 --out " + c.string()).exit_code, 0);
  EXPECT_NE(slurp(a / "summary.json"), slurp(c / "summary.json"));
}

TEST(GenericSim, WithoutLiveMigrationNoLiveMigrationAndMoreOverloads) {
  const fs::path on = fresh_dir("generic-on"), off = fresh_dir("generic-off");
  ASSERT_EQ(run_vfo("sim " + kGeneric + " --quiet --no-wall-time --out " + on.string()).exit_code, 0);
  ASSERT_EQ(
      run_vfo("sim " + kGeneric + " --quiet --no-wall-time --set control.live_migration=false --out " + off.string())
          .exit_code,
      0);
  const auto with = nlohmann::json::parse(slurp(on / "summary.json"));
  const auto without = nlohmann::json::parse(slurp(off / "summary.json"));
  EXPECT_EQ(without["migrations"]["live"], 0);
  EXPECT_GT(without["overloads"].get<int>(), with["overloads"].get<int>());
}

TEST(DeploymentTiming, TheFourStepsOfFig9bAtSmallSize) {
  // 40 devices, j = 20 VFs of 1.2 GB from the orchestrator over its 100 Mbit/s link: the images share it,
  // 20 x 9.6 Gbit / 100 Mbit/s = 1920 s; SimGrid's TCP model gives 97 % of the bandwidth, plus the starts.
  const fs::path out = fresh_dir("deployment-timing");
  const auto o =
      run_vfo("sim " + std::string(VFO_SOURCE_DIR) +
              "/scenarios/paper/deployment-timing.yaml --quiet --set environment.nodes=40 --out " + out.string());
  ASSERT_EQ(o.exit_code, 0) << o.all();
  const auto j = nlohmann::json::parse(slurp(out / "summary.json"));
  EXPECT_EQ(j["services"], 1);
  const auto& d = j["deployment"];
  EXPECT_GT(d["transfer_s"].get<double>(), 1920.0);
  EXPECT_LT(d["transfer_s"].get<double>(), 1920.0 / 0.9);
  EXPECT_GT(d["placement_s"].get<double>(), 0.0);  // measured on the real placer
  EXPECT_LT(d["placement_s"].get<double>(), 60.0);
  // The reports (250 B = 2 kb) over 100 Mbit/s after one round trip (5 ms each way on two links):
  EXPECT_NEAR(d["probe_s"].get<double>(), 0.02 + 40 * 250 / 12.5e6, 1e-9);
  EXPECT_NEAR(d["monitoring_s"].get<double>(), 0.02 + 20 * 250 / 12.5e6, 1e-9);
}

}  // namespace

namespace {

// The paper's loop in full: the simulator records its probes' node readings, `vfo forecast train` fits a
// model on them, and the simulator runs with that model as its QoS assessment (through vfo-forecast,
// which can load it).
TEST(GenericSim, RecordedNodeTraceTrainsAModelTheSimulatorThenUses) {
  const fs::path dir = fresh_dir("recorded");
  const fs::path trace = dir / "nodes.csv";
  const auto recorded =
      run_vfo("sim " + kGeneric + " --quiet --record-nodes " + trace.string() + " --out " + (dir / "run").string());
  ASSERT_EQ(recorded.exit_code, 0) << recorded.all();
  const std::string text = slurp(trace);
  ASSERT_EQ(text.rfind("time,node,cpu,ram\n", 0), 0u);
  EXPECT_GT(vfo::test::line_count(text), 100 * 100);  // 100 nodes, 119 rounds, minus nodes that were down

  const fs::path model = dir / "model";
  const auto trained = run_vfo("forecast train --trace vfo:" + trace.string() +
                               " --model ar --interval 30 --horizon 300 --channels 1 --cpu-threshold 100 --quiet "
                               "--out " +
                               model.string());
  ASSERT_EQ(trained.exit_code, 0) << trained.all();

  const fs::path with_model = dir / "with-model";
  const auto run =
      run_vfo("sim " + kGeneric + " --quiet --no-wall-time --set control.predictor.model=" + model.string() +
              " --out " + with_model.string());
  ASSERT_EQ(run.exit_code, 0) << run.all();
  const auto j = nlohmann::json::parse(slurp(with_model / "summary.json"));
  EXPECT_GT(j["alarms"].get<int>(), 0);
  EXPECT_GT(j["migrations"]["live"].get<int>(), 0);

  // The same through the cascade (the model's baselines screen, the model refreshes every 4 rounds): it runs and
  // still alarms; a screen of 0 is refused.
  const auto cascaded =
      run_vfo("sim " + kGeneric + " --quiet --no-wall-time --set control.predictor.model=" + model.string() +
              " --set control.predictor.cascade_refresh_rounds=4 --out " + (dir / "cascade").string());
  ASSERT_EQ(cascaded.exit_code, 0) << cascaded.all();
  EXPECT_GT(nlohmann::json::parse(slurp(dir / "cascade" / "summary.json"))["alarms"].get<int>(), 0);
  const auto no_screen =
      run_vfo("sim " + kGeneric + " --quiet --set control.predictor.cascade_screen_p=0 --out " + (dir / "z").string());
  EXPECT_EQ(no_screen.exit_code, 2) << no_screen.all();
  EXPECT_NE(no_screen.err.find("cascade_screen_p"), std::string::npos) << no_screen.err;

  // A model on another grid than the probing period, and a folder that is no model: one line, exit code 2.
  const auto other_grid = run_vfo("sim " + kGeneric + " --quiet --set control.probing_period_s=20 --set " +
                                  "control.predictor.model=" + model.string() + " --out " + (dir / "x").string());
  EXPECT_EQ(other_grid.exit_code, 2);
  EXPECT_EQ(vfo::test::line_count(other_grid.err), 1) << other_grid.err;
  EXPECT_NE(other_grid.err.find("control.probing_period_s is 20 s"), std::string::npos) << other_grid.err;
  const auto missing =
      run_vfo("sim " + kGeneric + " --quiet --set control.predictor.model=" + (dir / "nothing").string() + " --out " +
              (dir / "y").string());
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_EQ(vfo::test::line_count(missing.err), 1) << missing.err;
  // The line names the scenario that names the model, then the model's file.
  EXPECT_NE(missing.err.find(kGeneric + ": control.predictor.model: " + (dir / "nothing").string() + "/model.json"),
            std::string::npos)
      << missing.err;

  // --record-nodes names a file; a folder is refused before the run.
  const auto into_folder =
      run_vfo("sim " + kGeneric + " --quiet --record-nodes " + dir.string() + " --out " + (dir / "w").string());
  EXPECT_EQ(into_folder.exit_code, 2) << into_folder.all();
  EXPECT_EQ(vfo::test::line_count(into_folder.err), 1) << into_folder.err;
  EXPECT_NE(into_folder.err.find("--record-nodes: " + dir.string() + " is a folder"), std::string::npos)
      << into_folder.err;
}

}  // namespace
