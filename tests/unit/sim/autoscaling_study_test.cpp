// The autoscaling study (Fig. 10): demand draws, vfo following steps in demand, the HPA's footprint,
// determinism and the scenario keys of the autoscaling section.
#include "vfo/sim/autoscaling_study.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "support/input_error.hpp"
#include "vfo/scenario/scenario_loader.hpp"

namespace vfo {
namespace {

using test::input_error_of;
using ::testing::HasSubstr;

const char* const kStudy = R"(name: study
seed: 3
duration_s: 3600
environment: {link_mbps: {mean: 98, stddev: 0}, node_speed_ips: {mean: 1.0e+5, stddev: 0}}
control: {probing_period_s: 15}
autoscaling:
  policy: vfo
  load_ipf: [2000, 6000, 2000]
)";

Scenario study(const std::vector<std::string>& overrides = {}) {
  return parse_scenario(kStudy, "study.yaml", overrides);
}

TEST(AutoscalingStudy, DemandIsZeroFirstThenWholeNumbersInRangeDrawnFromTheSeed) {
  const Scenario s = study();
  const auto blocks = requested_fps_blocks(s);
  ASSERT_EQ(blocks.size(), 11u);  // (3600 - 300) / 300
  for (const double fps : blocks) {
    EXPECT_GE(fps, 5);
    EXPECT_LE(fps, 20);
    EXPECT_EQ(fps, static_cast<int>(fps));
  }
  EXPECT_EQ(requested_fps_blocks(s), blocks);
  EXPECT_NE(requested_fps_blocks(study({"seed=4"})), blocks);
  const AutoscalingResult r = run_autoscaling_study(s);
  for (const auto& sample : r.samples) {
    if (sample.time_s < 300) {
      EXPECT_EQ(sample.requested_fps, 0);
    }
  }
}

TEST(AutoscalingStudy, VfoFollowsEveryStepInDemandWithinTwoProbingPeriods) {
  for (const char* seed : {"seed=1", "seed=2", "seed=3", "seed=4", "seed=5"}) {
    const AutoscalingResult r = run_autoscaling_study(study({seed}));
    EXPECT_GT(r.demand_changes, 5) << seed;
    EXPECT_EQ(r.changes_followed, r.demand_changes) << seed;
    EXPECT_LE(r.max_follow_s, 2 * 15) << seed;
    EXPECT_GT(r.max_follow_s, r.start_delay_s) << seed;  // a step up waits for a round and a start
    EXPECT_EQ(r.idle_replicas, 0) << seed;               // nothing deployed at zero demand
    EXPECT_GT(r.qos_met_pct, 90) << seed;
  }
}

TEST(AutoscalingStudy, ASlowerProbingPeriodFollowsMoreSlowly) {
  const AutoscalingResult fast = run_autoscaling_study(study());
  const AutoscalingResult slow = run_autoscaling_study(study({"control.probing_period_s=120"}));
  EXPECT_GT(slow.mean_follow_s, fast.mean_follow_s);
  EXPECT_GT(slow.fps_shortfall_pct, fast.fps_shortfall_pct);
}

TEST(AutoscalingStudy, TheHpaKeepsItsMinimumAtZeroDemandAndHoldsScaleDowns) {
  const AutoscalingResult hpa = run_autoscaling_study(study({"autoscaling.policy=hpa"}));
  EXPECT_EQ(hpa.idle_replicas, 3);  // one pod per VF: an HPA does not scale to zero
  EXPECT_GT(hpa.scale_actions, 0);
  // A VF's count never falls within 300 s of the last time it rose (the scale-down stabilisation window):
  // the recommendation that raised it stays in the window.
  for (std::size_t j = 0; j < 3; ++j) {
    double last_rise = -1e9;
    int previous = hpa.samples.front().replicas_per_vf[j];
    for (const auto& s : hpa.samples) {
      const int now = s.replicas_per_vf[j];
      if (now > previous) last_rise = s.time_s;
      if (now < previous) {  // 5 s samples
        EXPECT_GE(s.time_s - last_rise, 300 - 5) << "VF " << j << " at " << s.time_s;
      }
      previous = now;
    }
  }
  const AutoscalingResult no_window =
      run_autoscaling_study(study({"autoscaling.policy=hpa", "autoscaling.hpa.scale_down_window_s=0"}));
  EXPECT_LT(no_window.mean_replicas, hpa.mean_replicas);
}

TEST(AutoscalingStudy, CostIsTheRateOfTheDeployedReplicasAndTheRunIsDeterministic) {
  const AutoscalingResult a = run_autoscaling_study(study());
  const AutoscalingResult b = run_autoscaling_study(study());
  ASSERT_EQ(a.samples.size(), b.samples.size());
  for (std::size_t i = 0; i < a.samples.size(); ++i) {
    EXPECT_EQ(a.samples[i].replicas, b.samples[i].replicas);
    EXPECT_EQ(a.samples[i].cost_per_s, b.samples[i].cost_per_s);
  }
  EXPECT_EQ(a.total_cost, b.total_cost);
  EXPECT_NEAR(a.mean_cost_per_s, a.total_cost / 3600, 1e-9);
  for (const auto& s : a.samples) {  // the work done is what costs
    if (s.delivered_fps == 0) {
      EXPECT_EQ(s.cost_per_s, 0);
    } else {
      EXPECT_GT(s.cost_per_s, 0);
    }
  }
  EXPECT_EQ(a.samples.size(), 720u);  // every 5 s
}

TEST(AutoscalingStudy, BadSectionsAreRefusedWithTheField) {
  EXPECT_THAT(input_error_of([] { run_autoscaling_study(study({"autoscaling.policy=none"})); }),
              HasSubstr("autoscaling.policy: none"));
  EXPECT_THAT(input_error_of([] { study({"autoscaling.policy=knative"}); }), HasSubstr("autoscaling.policy"));
  EXPECT_THAT(input_error_of([] { study({"autoscaling.fps_max=2"}); }),
              HasSubstr("autoscaling.fps_max: 2 is below autoscaling.fps_min = 5"));
  EXPECT_THAT(input_error_of([] { study({"autoscaling.load_ipf=[1000, fast]"}); }),
              HasSubstr("autoscaling.load_ipf[1]: 'fast' is not a number"));
  EXPECT_THAT(input_error_of([] { study({"autoscaling.load_ipf=[1000, -1]"}); }),
              HasSubstr("autoscaling.load_ipf[1]: -1 is out of range"));
  EXPECT_THAT(input_error_of([] { study({"autoscaling.hpa.cpu_request_share=0"}); }),
              HasSubstr("autoscaling.hpa.cpu_request_share"));
  EXPECT_THAT(input_error_of([] { study({"autoscaling.hpa.min_replicas=0"}); }),
              HasSubstr("autoscaling.hpa.min_replicas"));
}

}  // namespace
}  // namespace vfo
