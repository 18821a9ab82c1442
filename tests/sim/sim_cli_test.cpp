// End-to-end tests of `vfo sim`: each runs the binary (SimGrid allows one engine per process).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include <sstream>
#include <string>
#include <vector>
#include "vfo_process.hpp"

namespace {

namespace fs = std::filesystem;

using vfo::test::fresh_dir;
using vfo::test::Outcome;
using vfo::test::slurp;

Outcome run(const std::string& args) {
  return vfo::test::run_vfo(args);
}

const std::string kSmall = std::string(VFO_SOURCE_DIR) + "/tests/sim/data/small.yaml";

TEST(SimCli, SameSeedGivesByteIdenticalSummary) {
  const fs::path a = fresh_dir("det-a"), b = fresh_dir("det-b");
  ASSERT_EQ(run("sim " + kSmall + " --quiet --no-wall-time --out " + a.string()).exit_code, 0);
  ASSERT_EQ(run("sim " + kSmall + " --quiet --no-wall-time --out " + b.string()).exit_code, 0);
  EXPECT_EQ(slurp(a / "summary.json"), slurp(b / "summary.json"));
  EXPECT_EQ(slurp(a / "services.csv"), slurp(b / "services.csv"));
  const fs::path c = fresh_dir("det-c");
  ASSERT_EQ(run("sim " + kSmall + " --quiet --no-wall-time --seed 8 --out " + c.string()).exit_code, 0);
  EXPECT_NE(slurp(a / "summary.json"), slurp(c / "summary.json"));
}

TEST(SimCli, GoldenSummaryOfTheSmallScenario) {
  // Regenerate after an intended model change with:
  //   build/vfo sim tests/sim/data/small.yaml --quiet --no-wall-time --out /tmp/g &&
  //   cp /tmp/g/summary.json tests/sim/golden/small_summary.json
  const fs::path out = fresh_dir("golden");
  ASSERT_EQ(run("sim " + kSmall + " --quiet --no-wall-time --out " + out.string()).exit_code, 0);
  EXPECT_EQ(slurp(out / "summary.json"), slurp(std::string(VFO_SOURCE_DIR) + "/tests/sim/golden/small_summary.json"));
}

TEST(SimCli, SummaryHasEveryFieldAndMechanismsRan) {
  const fs::path out = fresh_dir("fields");
  const Outcome o = run("sim " + kSmall + " --out " + out.string());
  ASSERT_EQ(o.exit_code, 0) << o.all();
  EXPECT_NE(o.all().find("results: " + (out / "summary.json").string()), std::string::npos);
  const auto j = nlohmann::json::parse(slurp(out / "summary.json"));
  for (const char* key :
       {"downtime_pct", "migrations", "migration_bytes", "services", "nodes", "sim_time_s", "wall_time_s", "seed"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["nodes"], 40);
  EXPECT_EQ(j["seed"], 7);
  EXPECT_EQ(j["sim_time_s"], 1800.0);
  EXPECT_GT(j["services"].get<int>(), 10);
  EXPECT_GT(j["migrations"]["cold"].get<int>(), 0);
  EXPECT_GT(j["migrations"]["live"].get<int>(), 0);
  EXPECT_GT(j["downtime_pct"].get<double>(), 0.0);
  EXPECT_LT(j["downtime_pct"].get<double>(), 100.0);
  EXPECT_GT(j["wall_time_s"].get<double>(), 0.0);
  // services.csv: a header and one row per service (admitted, waiting or given up).
  std::ifstream csv(out / "services.csv");
  std::string line;
  int rows = -1;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, j["admitted"].get<int>() + j["waiting"].get<int>() + j["given_up"].get<int>());
  EXPECT_GE(j["admitted"].get<int>(), j["services"].get<int>());
}

TEST(SimCli, NoFailuresMeansNoDowntimeAndNoMigrations) {
  const fs::path out = fresh_dir("calm");
  ASSERT_EQ(run("sim " + kSmall + " --quiet --out " + out.string() +
                " --set environment.p_leave=0 --set environment.p_overload=0"
                " --set control.predictor.false_positive_rate=0 --set control.max_functions_per_node=0")
                .exit_code,
            0);
  const auto j = nlohmann::json::parse(slurp(out / "summary.json"));
  EXPECT_EQ(j["waited"], 0);  // room for every chain: no wait, which would be downtime
  EXPECT_EQ(j["downtime_pct"], 0.0);
  EXPECT_EQ(j["migrations"]["cold"], 0);
  EXPECT_EQ(j["migration_bytes"], 0.0);
  EXPECT_GT(j["deploy_bytes"].get<double>(), 0.0);
}

TEST(SimCli, BadInputGivesOneLineAndExitCode2) {
  const fs::path dir = fresh_dir("bad");
  fs::create_directories(dir);
  const fs::path bad = dir / "bad.yaml";
  std::ofstream(bad) << "name: bad\nenvironment:\n  nodes: -3\n";
  const fs::path out = dir / "out";
  Outcome o = run("sim " + bad.string() + " --out " + out.string());
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(vfo::test::line_count(o.all()), 1) << o.all();
  EXPECT_NE(o.all().find(bad.string() + ":3:"), std::string::npos) << o.all();
  EXPECT_NE(o.all().find("environment.nodes"), std::string::npos) << o.all();
  EXPECT_FALSE(fs::exists(out / "summary.json"));

  o = run("sim " + (dir / "missing.yaml").string());
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.all().find("missing.yaml"), std::string::npos);

  o = run("sim " + kSmall + " --set environment.nodes=abc");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_NE(o.all().find("environment.nodes"), std::string::npos) << o.all();

  o = run("sim " + kSmall + " --seed notanumber");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(vfo::test::line_count(o.all()), 1) << o.all();
  o = run("sim " + kSmall + " --seed -1 --out " + out.string());  // not 2^64 - 1
  EXPECT_EQ(o.exit_code, 2) << o.all();
  EXPECT_EQ(vfo::test::line_count(o.all()), 1) << o.all();
  EXPECT_NE(o.all().find("--seed"), std::string::npos) << o.all();
  EXPECT_NE(o.all().find("'-1' (expected a number >= 0)"), std::string::npos) << o.all();  // not CLI11's bounds

  // NaN and infinity are no numbers for any flag: one line naming the flag (before, NaN passed CLI11's checks).
  for (const std::string& args : std::vector<std::string>{"experiment testbed --duration inf", "demo --settle nan",
                                                          "place " + kSmall + " --time-limit nan",
                                                          "forecast eval --trace planetlab:x --model y --k -inf"}) {
    o = run(args);
    EXPECT_EQ(o.exit_code, 2) << args << ": " << o.all();
    EXPECT_EQ(vfo::test::line_count(o.all()), 1) << o.all();
    const std::string flag = args.substr(args.rfind(" --") + 1, args.rfind(' ') - args.rfind(" --") - 1);
    EXPECT_NE(o.all().find(flag + ": "), std::string::npos) << o.all();
  }
  o = run("experiment testbed --duration 1e300");  // finite, but no run of that length
  EXPECT_EQ(o.exit_code, 2) << o.all();
  EXPECT_NE(o.all().find("--duration: 1e+300 (expected 10 to 86400 s per mode)"), std::string::npos) << o.all();

  // A first word that is no command is named, with the commands; --version answers.
  o = run("foo");
  EXPECT_EQ(o.exit_code, 2);
  EXPECT_EQ(vfo::test::line_count(o.all()), 1) << o.all();
  EXPECT_EQ(o.err.rfind("vfo: 'foo' is not a command (expected one of: sim, sweep, ", 0), 0u) << o.err;
  o = run("--version");
  EXPECT_EQ(o.exit_code, 0);
  EXPECT_EQ(o.out.rfind("vfo ", 0), 0u) << o.all();

  // The keys of the authors' placement, the predictor's lead and the waiting chains: one line naming the key.
  for (const char* setting : {"control.placement_cost=cheap", "control.max_functions_per_node=-1",
                              "control.predictor.lead_periods=0.5", "demand.patience_s=-10",
                              // values that crashed SimGrid, allocated without end or hung: refused at load
                              "chains.functions.mean=1e308", "environment.link_mbps={mean: 0, min: 0}",
                              "duration_s=1e300", "environment.probability_window_s=1e-300"}) {
    o = run("sim " + kSmall + " --set " + setting + " --out " + out.string());
    const std::string key = std::string(setting).substr(0, std::string(setting).find('='));
    EXPECT_EQ(o.exit_code, 2) << setting;
    EXPECT_EQ(vfo::test::line_count(o.all()), 1) << o.all();
    EXPECT_NE(o.all().find(key), std::string::npos) << o.all();
  }
  EXPECT_FALSE(fs::exists(out / "summary.json"));
}

}  // namespace

namespace {

TEST(SweepCli, BadGridValueGivesOneLineAndExitCode2BeforeAnyRun) {
  const fs::path dir = fresh_dir("sweep-bad");
  fs::create_directories(dir);
  const fs::path file = dir / "bad.yaml";
  std::ofstream(file) << "name: bad\nsweep:\n  grid:\n    environment.nodes: [10, -1]\n";
  const Outcome o = run("sweep " + file.string() + " --out " + (dir / "out").string());
  EXPECT_EQ(o.exit_code, 2) << o.all();
  EXPECT_EQ(vfo::test::line_count(o.all()), 1) << o.all();
  EXPECT_NE(o.all().find(file.string() + ":4:"), std::string::npos) << o.all();
  EXPECT_FALSE(fs::exists(dir / "out" / "runs" / "0" / "summary.json"));
}

TEST(SweepCli, SmallSweepWritesResultsAggregateAndFigures) {
  const fs::path dir = fresh_dir("sweep-ok");
  fs::create_directories(dir);
  const fs::path file = dir / "ok.yaml";
  std::ofstream(file) << "name: ok\nduration_s: 600\nenvironment: {nodes: 20}\n"
                         "sweep:\n  replications: 2\n  grid:\n    control.live_migration: [true, false]\n"
                         "  figures:\n    - {kind: lines, file: d, x: control.live_migration, y: downtime_pct}\n";
  const Outcome o = run("sweep " + file.string() + " --out " + (dir / "out").string());
  ASSERT_EQ(o.exit_code, 0) << o.all();
  std::ifstream csv(dir / "out" / "results.csv");
  std::string header, line;
  std::getline(csv, header);
  EXPECT_EQ(header.rfind("control.live_migration,replication,seed,", 0), 0u) << header;
  int rows = 0;
  while (std::getline(csv, line)) ++rows;
  EXPECT_EQ(rows, 4);
  // aggregate.csv: per metric the mean, sd, n and the 95 % CI's half-width (2 replications: t(0.975, 1) sd / sqrt 2).
  std::ifstream aggregate(dir / "out" / "aggregate.csv");
  std::getline(aggregate, header);
  EXPECT_NE(header.find(",downtime_pct,downtime_pct_sd,downtime_pct_n,downtime_pct_ci95,"), std::string::npos)
      << header;
  EXPECT_TRUE(fs::exists(dir / "out" / "figures" / "d.svg"));
  EXPECT_NE(slurp(dir / "out" / "figures" / "d.gp").find("with yerrorlines"), std::string::npos);
  EXPECT_NE(o.all().find("figures: "), std::string::npos);

  // --grid keeps one value: half the runs.
  const Outcome one =
      run("sweep " + file.string() + " --grid control.live_migration=[false] --out " + (dir / "one").string());
  ASSERT_EQ(one.exit_code, 0) << one.all();
  std::ifstream one_csv(dir / "one" / "results.csv");
  std::getline(one_csv, header);
  rows = 0;
  while (std::getline(one_csv, line)) {
    ++rows;
    EXPECT_EQ(line.rfind("false,", 0), 0u) << line;
  }
  EXPECT_EQ(rows, 2);
}

TEST(SweepCli, BadGridRestrictionGivesOneLineAndExitCode2) {
  const fs::path dir = fresh_dir("sweep-bad-grid");
  fs::create_directories(dir);
  const fs::path file = dir / "ok.yaml";
  std::ofstream(file) << "name: ok\nsweep:\n  grid:\n    environment.nodes: [10, 20]\n";
  const Outcome o = run("sweep " + file.string() + " --grid environment.nodes=[30] --out " + (dir / "out").string());
  EXPECT_EQ(o.exit_code, 2) << o.all();
  EXPECT_EQ(vfo::test::line_count(o.all()), 1) << o.all();
  EXPECT_NE(o.all().find("--grid environment.nodes=[30]: '30' is not a value of environment.nodes"), std::string::npos)
      << o.all();
}

}  // namespace
