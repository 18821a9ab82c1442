#include "vfo/control/hpa_policy.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace vfo {
namespace {

HpaConfig config_with(int min_replicas, int max_replicas) {
  HpaConfig c;  // target 70 %, tolerance 0.1, default behavior
  c.min_replicas = min_replicas;
  c.max_replicas = max_replicas;
  return c;
}

// The message of the std::invalid_argument that validating `c` throws ("" if none).
std::string rejection(const HpaConfig& c) {
  try {
    validate(c);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

TEST(HpaPolicyTest, DefaultsAreKubernetes) {
  const HpaConfig c;
  EXPECT_DOUBLE_EQ(c.tolerance, 0.1);
  EXPECT_DOUBLE_EQ(c.sync_period_s, 15);
  EXPECT_EQ(c.min_replicas, 1);
  EXPECT_DOUBLE_EQ(c.scale_up.stabilization_window_s, 0);
  EXPECT_EQ(c.scale_up.select, HpaScalingRules::Select::max);
  ASSERT_EQ(c.scale_up.policies.size(), 2u);
  EXPECT_EQ(c.scale_up.policies[0], (HpaScalingPolicy{HpaScalingPolicy::Type::pods, 4, 15}));
  EXPECT_EQ(c.scale_up.policies[1], (HpaScalingPolicy{HpaScalingPolicy::Type::percent, 100, 15}));
  EXPECT_DOUBLE_EQ(c.scale_down.stabilization_window_s, 300);
  ASSERT_EQ(c.scale_down.policies.size(), 1u);
  EXPECT_EQ(c.scale_down.policies[0], (HpaScalingPolicy{HpaScalingPolicy::Type::percent, 100, 15}));
}

TEST(HpaPolicyTest, NoChangeWithinTolerance) {
  HpaPolicy hpa(HpaConfig{});
  EXPECT_EQ(hpa.step(0, 4, 0.75), 4);  // 75 / 70 = 1.071 <= 1.1
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::within_tolerance);
  EXPECT_EQ(hpa.step(15, 4, 0.65), 4);  // 65 / 70 = 0.929 >= 0.9
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::within_tolerance);
  EXPECT_EQ(hpa.step(30, 4, 0.77), 4);  // 77 / 70 = 1.1 exactly: the bound is inclusive
  EXPECT_EQ(hpa.step(45, 4, 0.78), 5);  // 78 / 70 = 1.114: ceil(4 x 1.114) = ceil(4.457) = 5
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::desired_within_range);
}

TEST(HpaPolicyTest, UtilisationIsTruncatedToWholePercent) {
  HpaPolicy hpa(config_with(1, 30));
  EXPECT_EQ(hpa.step(0, 10, 0.7799), 10);  // reads 77 %: 77 / 70 = 1.1, within (77.99 / 70 = 1.114 would not be)
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::within_tolerance);
  EXPECT_EQ(hpa.step(15, 10, 0.7801), 12);  // reads 78 %: 78 / 70 = 1.114, ceil(10 x 1.114) = ceil(11.14) = 12
}

TEST(HpaPolicyTest, ScaleUpIsLimitedToMaxOfDoubleAndPlusFourPerPeriod) {
  HpaPolicy hpa(config_with(1, 30));
  // The load is 14 pods' worth of request: at 70 % it wants 20 pods.
  EXPECT_EQ(hpa.step(0, 1, 14.0), 5);  // 1400 % / 70 % = 20; limit max(1 + 4, ceil(1 x 2)) = 5
  EXPECT_EQ(hpa.last_decision().metric_replicas, 20);
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::scale_up_limit);
  EXPECT_EQ(hpa.step(15, 5, 2.8), 10);  // 280 / 70 = 4 -> 20; the +4 of t = 0 is out of (0, 15]: max(9, 10)
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::scale_up_limit);
  EXPECT_EQ(hpa.step(30, 10, 1.4), 20);  // 140 / 70 = 2 -> 20; limit max(14, 20) = 20
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::desired_within_range);
  EXPECT_EQ(hpa.step(45, 20, 0.7), 20);  // at the target
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::within_tolerance);
}

TEST(HpaPolicyTest, ScaleUpWithinOnePeriodCountsFromThePeriodStart) {
  HpaPolicy hpa(config_with(1, 30));
  EXPECT_EQ(hpa.step(0, 1, 14.0), 5);
  // 10 s later the +4 is within the 15 s period: its start is 5 - 4 = 1, so the limit is still 5.
  EXPECT_EQ(hpa.step(10, 5, 2.8), 5);
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::scale_up_limit);
  EXPECT_EQ(hpa.step(15, 5, 2.8), 10);  // the event at 0 is no longer after 15 - 15
}

TEST(HpaPolicyTest, ScaleDownWaitsForTheWindowThenTakesItsHighestRecommendation) {
  HpaPolicy hpa(HpaConfig{});
  EXPECT_EQ(hpa.step(0, 8, 0.7), 8);     // records 8 (the first sync's count, and its recommendation)
  EXPECT_EQ(hpa.step(100, 8, 0.35), 8);  // 35 / 70 = 0.5 -> 4, but 8 was recommended within 300 s
  EXPECT_EQ(hpa.last_decision().metric_replicas, 4);
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::scale_down_stabilized);
  EXPECT_EQ(hpa.step(200, 8, 0.175), 8);  // 17 % (17.5 truncated) / 70 = 0.243 -> ceil(1.94) = 2; still 8
  // At 300 the recommendations of t = 0 are exactly one window old and drop out: the highest left is 4.
  EXPECT_EQ(hpa.step(300, 8, 0.175), 4);
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::scale_down_stabilized);
  EXPECT_EQ(hpa.step(400, 4, 0.35), 2);  // the same load on 4 pods: 0.5 -> 2; the window (100, 400] holds 2, 2
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::desired_within_range);
}

TEST(HpaPolicyTest, ScaleDownAtEverySyncComesFiveMinutesAfterTheLastHighRecommendation) {
  HpaPolicy hpa(HpaConfig{});
  EXPECT_EQ(hpa.step(0, 8, 0.7), 8);
  for (int t = 15; t < 300; t += 15) EXPECT_EQ(hpa.step(t, 8, 0.35), 8) << "t = " << t;
  EXPECT_EQ(hpa.step(300, 8, 0.35), 4);  // -100 % per 15 s does not limit it
}

TEST(HpaPolicyTest, BoundsCutTheMetricsCount) {
  HpaPolicy up(config_with(1, 10));
  EXPECT_EQ(up.step(0, 8, 1.4), 10);  // 2 x 8 = 16, within the rate limit max(12, 16) = 16; max is 10
  EXPECT_EQ(up.last_decision().reason, HpaReason::too_many_replicas);

  HpaPolicy down(config_with(2, 10));
  EXPECT_EQ(down.step(0, 4, 0.07), 4);    // 7 / 70 = 0.1 -> ceil(0.4) = 1, held by the window
  EXPECT_EQ(down.step(300, 4, 0.07), 2);  // the window holds only 1 now; min is 2
  EXPECT_EQ(down.last_decision().reason, HpaReason::too_few_replicas);
}

TEST(HpaPolicyTest, CountsOutsideTheBoundsAreBroughtBackAtOnce) {
  HpaPolicy hpa(config_with(2, 10));
  EXPECT_EQ(hpa.step(0, 12, 0.1), 10);  // whatever the metric
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::above_max);
  EXPECT_EQ(hpa.step(15, 1, 5.0), 2);
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::below_min);
  EXPECT_EQ(hpa.step(30, 0, 5.0), 0);  // a target scaled to zero is left alone
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::scaling_disabled);
}

TEST(HpaPolicyTest, UnreadyPodsCountAsIdleWhenScalingUp) {
  HpaPolicy with_unready(config_with(1, 30));
  // 2 of 4 pods are starting; the 2 ready ones run at 140 %. Over all 4 pods that is 70 %: no change.
  EXPECT_EQ(with_unready.step(0, 4, 1.4, 2), 4);
  EXPECT_EQ(with_unready.last_decision().reason, HpaReason::within_tolerance);
  // 1 of 4 starting, 3 ready at 210 %: 3 x 210 / 4 = 157.5 -> 157 %, 157 / 70 = 2.243, ceil(4 x 2.243) = 9.
  EXPECT_EQ(with_unready.step(15, 4, 2.1, 1), 8);  // 9, cut by the rate limit max(4 + 4, 2 x 4) = 8
  EXPECT_EQ(with_unready.last_decision().metric_replicas, 9);

  HpaPolicy all_ready(config_with(1, 30));
  EXPECT_EQ(all_ready.step(0, 4, 1.4), 8);  // 4 ready at 140 %: 2 x 4

  HpaPolicy none_ready(config_with(1, 30));
  EXPECT_EQ(none_ready.step(0, 3, 0.0, 3), 3);
  EXPECT_EQ(none_ready.last_decision().reason, HpaReason::no_metrics);
}

TEST(HpaPolicyTest, WithoutBehaviorScaleUpIsMaxOfDoubleAndFour) {
  HpaConfig c = config_with(1, 30);
  c.behavior = false;
  HpaPolicy hpa(c);
  EXPECT_EQ(hpa.step(0, 1, 14.0), 4);  // 20 wanted; max(2 x 1, 4) = 4 (not 5 as with the default behavior)
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::scale_up_limit);
  EXPECT_EQ(hpa.step(15, 4, 3.5), 8);      // 350 / 70 = 5 -> 20; max(8, 4) = 8
  EXPECT_EQ(hpa.step(30, 8, 1.75), 16);    // 175 / 70 = 2.5 -> 20; 16
  EXPECT_EQ(hpa.step(45, 16, 0.875), 20);  // 87 % (87.5 truncated) / 70 = 1.243, ceil(19.89) = 20
}

TEST(HpaPolicyTest, WithoutBehaviorTheWindowIncludesItsBoundary) {
  HpaConfig c;
  c.behavior = false;
  HpaPolicy legacy(c);
  EXPECT_EQ(legacy.step(0, 8, 0.7), 8);
  EXPECT_EQ(legacy.step(300, 8, 0.35), 8);  // the recommendation of t = 0 is not before 300 - 300: it counts
  EXPECT_EQ(legacy.last_decision().reason, HpaReason::scale_down_stabilized);
  EXPECT_EQ(legacy.step(315, 8, 0.35), 4);

  HpaPolicy with_behavior(HpaConfig{});
  EXPECT_EQ(with_behavior.step(0, 8, 0.7), 8);
  EXPECT_EQ(with_behavior.step(300, 8, 0.35), 4);  // there only recommendations after 300 - 300 count
}

TEST(HpaPolicyTest, ScaleDownPoliciesLimitTheRate) {
  HpaConfig c = config_with(1, 30);
  c.scale_down.policies = {{HpaScalingPolicy::Type::pods, 2, 60}};
  c.scale_down.stabilization_window_s = 0;
  HpaPolicy hpa(c);
  EXPECT_EQ(hpa.step(0, 10, 0.07), 8);  // 7 / 70 = 0.1 -> 1; at most 2 pods removed per 60 s
  EXPECT_EQ(hpa.last_decision().reason, HpaReason::scale_down_limit);
  EXPECT_EQ(hpa.step(30, 8, 0.07), 8);  // the period started at 10 pods: 10 - 2 = 8
  EXPECT_EQ(hpa.step(60, 8, 0.07), 6);  // the event of t = 0 is not after 60 - 60
}

TEST(HpaPolicyTest, RejectsBadConfigsNamingTheField) {
  HpaConfig c;
  c.target_utilisation = 0;
  EXPECT_NE(rejection(c).find("target_utilisation"), std::string::npos);
  c = HpaConfig{};
  c.target_utilisation = 0.705;  // not a whole percent
  EXPECT_NE(rejection(c).find("target_utilisation"), std::string::npos);
  c = HpaConfig{};
  c.min_replicas = 0;
  EXPECT_NE(rejection(c).find("min_replicas"), std::string::npos);
  c = config_with(5, 4);
  EXPECT_NE(rejection(c).find("max_replicas"), std::string::npos);
  c = HpaConfig{};
  c.tolerance = -0.1;
  EXPECT_NE(rejection(c).find("tolerance"), std::string::npos);
  c = HpaConfig{};
  c.scale_down.stabilization_window_s = 3601;
  EXPECT_NE(rejection(c).find("scale_down.stabilization_window_s"), std::string::npos);
  c = HpaConfig{};
  c.scale_up.policies[1].period_s = 0;
  EXPECT_NE(rejection(c).find("scale_up.policies[1].period_s"), std::string::npos);
  c = HpaConfig{};
  c.scale_up.policies.clear();
  EXPECT_NE(rejection(c).find("scale_up.policies"), std::string::npos);
  EXPECT_EQ(rejection(HpaConfig{}), "");
  c = HpaConfig{};
  c.min_replicas = 0;
  EXPECT_THROW(HpaPolicy{c}, std::invalid_argument);
}

TEST(HpaPolicyTest, RejectsBadSteps) {
  HpaPolicy hpa(HpaConfig{});
  EXPECT_THROW(hpa.step(0, -1, 0.5), std::invalid_argument);
  EXPECT_THROW(hpa.step(0, 2, -0.5), std::invalid_argument);
  EXPECT_THROW(hpa.step(0, 2, 0.5, 3), std::invalid_argument);
  EXPECT_EQ(hpa.step(30, 2, 0.7), 2);
  EXPECT_THROW(hpa.step(15, 2, 0.7), std::invalid_argument);  // time went back
}

TEST(HpaPolicyTest, ReasonsReadAsTheHpaConditions) {
  EXPECT_STREQ(to_string(HpaReason::scale_up_limit), "ScaleUpLimit");
  EXPECT_STREQ(to_string(HpaReason::scale_down_stabilized), "ScaleDownStabilized");
  EXPECT_STREQ(to_string(HpaReason::too_few_replicas), "TooFewReplicas");
}

}  // namespace
}  // namespace vfo
