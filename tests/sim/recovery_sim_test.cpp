// End-to-end tests of the simulator's recovery modes (control.recovery: cold, reset, kubernetes
// failure study): each runs the `vfo sim` binary on tests/sim/data/recovery.yaml (leaves only, so every cold
// migration repairs a VF lost with its node) and reads services.csv and migrations.csv.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "results_csv.hpp"
#include "vfo_process.hpp"

namespace {

namespace fs = std::filesystem;

using vfo::test::fresh_dir;
using vfo::test::number;
using vfo::test::Outcome;
using vfo::test::read_results;
using vfo::test::ResultRow;
using vfo::test::slurp;

const std::string kRecovery = std::string(VFO_SOURCE_DIR) + "/tests/sim/data/recovery.yaml";

// kubernetes_recovery(profile, t, 0).detection_delay_s (vfo/control/kubernetes_failure.hpp), which this
// binary does not link: grace (whole monitor passes of 5 s) + one pass until the taint + the toleration.
constexpr double kDefaultDetectionS = 40 + 5 + 300;
constexpr double kTunedDetectionS = 20 + 5 + 5;

struct SimRun {
  nlohmann::json summary;
  std::vector<ResultRow> services;    // services.csv
  std::vector<ResultRow> migrations;  // migrations.csv
};

// `vfo sim` on the recovery scenario with SETTINGS (" --set k=v ..."); fails the test on a non-zero exit.
SimRun simulate(const std::string& name, const std::string& settings) {
  const fs::path out = fresh_dir(name);
  const Outcome o = vfo::test::run_vfo("sim " + kRecovery + " --quiet --no-wall-time --out " + out.string() + settings);
  EXPECT_EQ(o.exit_code, 0) << o.all();
  SimRun run;
  if (o.exit_code != 0) return run;
  run.summary = nlohmann::json::parse(slurp(out / "summary.json"));
  run.services = read_results(out / "services.csv");
  run.migrations = read_results(out / "migrations.csv");
  return run;
}

// A completed cold migration that repaired a VF of a service that was whole before: the VF was lost at some
// time L after the service's start (had it been lost before, the chain could not have been whole before this
// repair), so the service was down from L until the repair ended.
struct Repair {
  std::uint32_t service = 0;
  double start_s = 0;
  double total_s = 0;
};

std::vector<Repair> repairs_after_start(const SimRun& run) {
  std::map<std::uint32_t, double> start;  // service -> start_s (whole the first time; -1: never)
  for (const ResultRow& s : run.services)
    start[static_cast<std::uint32_t>(number(s, "service"))] = number(s, "start_s");
  std::vector<Repair> repairs;
  for (const ResultRow& m : run.migrations) {
    if (m.at("kind") != "cold" || m.at("aborted") != "0") continue;
    const auto service = static_cast<std::uint32_t>(number(m, "service"));
    const double whole_at = start.at(service);
    if (whole_at < 0 || number(m, "start_s") <= whole_at) continue;
    repairs.push_back({service, number(m, "start_s"), number(m, "total_s")});
  }
  return repairs;
}

double downtime_of(const SimRun& run, std::uint32_t service) {
  for (const ResultRow& s : run.services) {
    if (static_cast<std::uint32_t>(number(s, "service")) == service) return number(s, "downtime_s");
  }
  ADD_FAILURE() << "no service " << service;
  return 0;
}

// Every repaired service was down at least the detection delay plus the repair itself.
void expect_detection_bounds_downtime(const SimRun& run, double detection_s, const std::string& what) {
  const std::vector<Repair> repairs = repairs_after_start(run);
  ASSERT_FALSE(repairs.empty()) << what << ": no VF lost after its service was whole: the test proves nothing";
  for (const Repair& r : repairs) {
    EXPECT_GE(downtime_of(run, r.service), detection_s + r.total_s - 1e-3)
        << what << ": service " << r.service << ", repair started at " << r.start_s;
  }
}

TEST(RecoverySim, KubernetesServicesWaitForTheEvictionAndTunedTimersShortenIt) {
  const SimRun cold = simulate("k8s-cold", " --set control.recovery=cold");
  const SimRun standard = simulate("k8s-default", " --set control.recovery=kubernetes");
  const SimRun tuned =
      simulate("k8s-tuned", " --set control.recovery=kubernetes --set control.kubernetes_profile=tuned");
  ASSERT_GT(standard.summary["node_failures"].get<int>(), 0);
  expect_detection_bounds_downtime(standard, kDefaultDetectionS, "kubernetes default");
  expect_detection_bounds_downtime(tuned, kTunedDetectionS, "kubernetes tuned");
  // The bound is the mode's doing: vfo's own detection (the next probing round) repairs some service sooner.
  bool sooner = false;
  for (const Repair& r : repairs_after_start(cold))
    sooner = sooner || downtime_of(cold, r.service) < kDefaultDetectionS;
  EXPECT_TRUE(sooner) << "cold mode repaired no service within " << kDefaultDetectionS << " s";
  EXPECT_LT(tuned.summary["downtime_pct"].get<double>(), standard.summary["downtime_pct"].get<double>());
  EXPECT_LT(cold.summary["downtime_pct"].get<double>(), standard.summary["downtime_pct"].get<double>());
}

// The cold migrations one round started for one service, by (service, start time), after the service was
// whole: reset mode re-places a whole chain at once.
std::map<std::pair<std::uint32_t, std::string>, int> repairs_by_round(const SimRun& run) {
  std::map<std::uint32_t, double> start;
  for (const ResultRow& s : run.services)
    start[static_cast<std::uint32_t>(number(s, "service"))] = number(s, "start_s");
  std::map<std::pair<std::uint32_t, std::string>, int> rounds;
  for (const ResultRow& m : run.migrations) {
    if (m.at("kind") != "cold") continue;
    const auto service = static_cast<std::uint32_t>(number(m, "service"));
    if (start.at(service) < 0 || number(m, "start_s") <= start.at(service)) continue;
    ++rounds[{service, m.at("start_s")}];
  }
  return rounds;
}

int functions_of(const SimRun& run, std::uint32_t service) {
  for (const ResultRow& s : run.services) {
    if (static_cast<std::uint32_t>(number(s, "service")) == service) return static_cast<int>(number(s, "functions"));
  }
  ADD_FAILURE() << "no service " << service;
  return 0;
}

TEST(RecoverySim, ResetRedeploysWholeChains) {
  const SimRun cold = simulate("reset-cold", " --set control.recovery=cold");
  const SimRun reset = simulate("reset-reset", " --set control.recovery=reset");
  ASSERT_GT(reset.summary["node_failures"].get<int>(), 0);
  EXPECT_GT(reset.summary["migrations"]["cold"].get<int>(), cold.summary["migrations"]["cold"].get<int>());
  EXPECT_GE(reset.summary["downtime_pct"].get<double>(), cold.summary["downtime_pct"].get<double>());

  const auto reset_rounds = repairs_by_round(reset);
  ASSERT_FALSE(reset_rounds.empty());
  for (const auto& [key, count] : reset_rounds) {
    EXPECT_EQ(count, functions_of(reset, key.first)) << "service " << key.first << " at " << key.second;
  }
  // Cold mode re-places the lost VF alone: some round moves less than its chain.
  bool partial = false;
  for (const auto& [key, count] : repairs_by_round(cold)) partial = partial || count < functions_of(cold, key.first);
  EXPECT_TRUE(partial);
}

TEST(RecoverySim, BadRecoverySettingsGiveOneLineAndExitCode2) {
  const fs::path dir = fresh_dir("recovery-bad");
  fs::create_directories(dir);
  const auto expect_rejected = [&](const std::string& yaml, const std::string& field, int line) {
    const fs::path file = dir / "bad.yaml";
    std::ofstream(file) << yaml;
    const fs::path out = dir / "out";
    const Outcome o = vfo::test::run_vfo("sim " + file.string() + " --quiet --out " + out.string());
    EXPECT_EQ(o.exit_code, 2) << o.all();
    EXPECT_EQ(vfo::test::line_count(o.all()), 1) << o.all();
    EXPECT_NE(o.all().find(file.string() + ":" + std::to_string(line) + ":"), std::string::npos) << o.all();
    EXPECT_NE(o.all().find(field), std::string::npos) << o.all();
    EXPECT_FALSE(fs::exists(out / "summary.json"));
  };
  expect_rejected("name: bad\ncontrol:\n  recovery: warm\n", "control.recovery", 3);
  expect_rejected("name: bad\ncontrol:\n  recovery: kubernetes\n  kubernetes_profile: v1.31\n",
                  "control.kubernetes_profile", 4);
  expect_rejected("name: bad\ncontrol:\n  recovery: kubernetes\n  kubernetes_toleration_s: 11\n",
                  "control.kubernetes_toleration_s", 4);
  expect_rejected("name: bad\ncontrol:\n  kubernetes_toleration_s: -0.5\n", "control.kubernetes_toleration_s", 3);

  const Outcome o = vfo::test::run_vfo("sim " + kRecovery + " --quiet --out " + (dir / "set").string() +
                                       " --set control.recovery=restart");
  EXPECT_EQ(o.exit_code, 2) << o.all();
  EXPECT_EQ(vfo::test::line_count(o.all()), 1) << o.all();
  EXPECT_NE(o.all().find("control.recovery"), std::string::npos) << o.all();
}

}  // namespace
