// The autoscaling study from the command line: `vfo sweep scenarios/paper/autoscaling.yaml` at CI
// size writes both policies' results, the timelines and Fig. 10a-b; bad autoscaling keys exit 2.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "results_csv.hpp"
#include "support/scratch.hpp"
#include "vfo_process.hpp"

namespace vfo {
namespace {

using test::mean_where;
using test::read_results;
using test::run_vfo;

const std::string kScenario = std::string(VFO_SOURCE_DIR) + "/scenarios/paper/autoscaling.yaml";

TEST(AutoscalingCli, TheSweepComparesVfoWithTheHpaAndDrawsFig10) {
  const auto out = test::fresh_dir("autoscaling-sweep");
  const auto r =
      run_vfo("sweep " + kScenario + " --quiet --replications 2 --set duration_s=1800 --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find("fig10a_replicas.svg"), std::string::npos) << r.out;
  const auto rows = read_results(out / "results.csv");
  ASSERT_EQ(rows.size(), 4u);
  // vfo releases everything at zero demand; each HPA keeps its one pod.
  EXPECT_EQ(mean_where(rows, "autoscaling.policy", "vfo", "idle_replicas").value, 0);
  EXPECT_EQ(mean_where(rows, "autoscaling.policy", "hpa", "idle_replicas").value, 3);
  // vfo meets its own QoS rules (the chain's time within 1 / fps) far more often than the HPA, which sees CPU only.
  EXPECT_GT(mean_where(rows, "autoscaling.policy", "vfo", "qos_met_pct").value,
            mean_where(rows, "autoscaling.policy", "hpa", "qos_met_pct").value);
  EXPECT_LE(mean_where(rows, "autoscaling.policy", "vfo", "max_follow_s").value, 2 * 15);
  for (const char* figure : {"fig10a_replicas", "fig10b_cost", "fig10_delivered"}) {
    const auto dat = test::slurp(out / "figures" / (std::string(figure) + ".dat"));
    EXPECT_NE(dat.find("# vfo"), std::string::npos) << figure;
    EXPECT_NE(dat.find("# hpa"), std::string::npos) << figure;
    EXPECT_TRUE(std::filesystem::exists(out / "figures" / (std::string(figure) + ".gp"))) << figure;
  }
  // The timeline of the first run: 1800 s every 5 s, a column per VF.
  const auto timeline = read_results(out / "runs" / "0" / "timeline.csv");
  ASSERT_EQ(timeline.size(), 360u);
  EXPECT_EQ(timeline.front().count("vf2_replicas"), 1u);
}

TEST(AutoscalingCli, ASingleRunPrintsWhereItsResultsAre) {
  const auto out = test::fresh_dir("autoscaling-sim");
  const auto r =
      run_vfo("sim " + kScenario + " --set autoscaling.policy=hpa --set duration_s=900 --out " + out.string());
  ASSERT_EQ(r.exit_code, 0) << r.all();
  EXPECT_NE(r.out.find((out / "timeline.csv").string()), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::exists(out / "summary.json"));
  EXPECT_NE(test::slurp(out / "summary.json").find("\"policy\": \"hpa\""), std::string::npos);
}

TEST(AutoscalingCli, BadAutoscalingKeysGiveOneLineAndExitCode2) {
  for (const char* set : {"autoscaling.policy=keda", "autoscaling.load_ipf=[]", "autoscaling.fps_min=30",
                          "autoscaling.hpa.sync_period_s=0"}) {
    const auto r = run_vfo("sim " + kScenario + " --quiet --set '" + std::string(set) + "' --out " +
                           test::fresh_dir("autoscaling-bad").string());
    EXPECT_EQ(r.exit_code, 2) << set << ": " << r.all();
    EXPECT_EQ(test::line_count(r.err), 1) << set << ": " << r.err;
    EXPECT_NE(r.err.find("autoscaling."), std::string::npos) << set << ": " << r.err;
  }
}

}  // namespace
}  // namespace vfo
