#include "vfo/control/kubernetes_failure.hpp"
#include "support/input_error.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <stdexcept>
#include <string>

namespace vfo {
namespace {

using Profile = KubernetesFailureProfile;

using vfo::test::rejection;

TEST(KubernetesFailureTest, DefaultProfileRecoversAfterGracePlusToleration) {
  const Profile p = Profile::default_profile();
  EXPECT_DOUBLE_EQ(p.node_monitor_grace_period_s, 40);
  EXPECT_DOUBLE_EQ(p.node_monitor_period_s, 5);
  EXPECT_DOUBLE_EQ(p.node_lease_renew_interval_s, 10);
  EXPECT_DOUBLE_EQ(p.toleration_seconds, 300);
  const KubernetesRecovery r = kubernetes_recovery(p, 1000, 20);
  EXPECT_DOUBLE_EQ(r.heartbeat_seen_s, 1000);
  EXPECT_DOUBLE_EQ(r.not_ready_s, 1040);  // + grace 40
  EXPECT_DOUBLE_EQ(r.tainted_s, 1045);    // + one monitor pass
  EXPECT_DOUBLE_EQ(r.evicted_s, 1345);    // + toleration 300
  EXPECT_DOUBLE_EQ(r.running_s, 1365);    // + start 20
  EXPECT_DOUBLE_EQ(r.detection_delay_s, 345);
  EXPECT_DOUBLE_EQ(r.downtime_s, 365);
  EXPECT_GE(r.downtime_s, p.node_monitor_grace_period_s + p.toleration_seconds);
}

TEST(KubernetesFailureTest, DetectionRunsFromTheLastHeartbeatSeen) {
  const Profile p = Profile::default_profile();
  // The last renewal the controller saw came 10 s before the failure: everything is 10 s earlier.
  const KubernetesRecovery early = kubernetes_recovery(p, 1000, 20, 990);
  EXPECT_DOUBLE_EQ(early.not_ready_s, 1030);
  EXPECT_DOUBLE_EQ(early.detection_delay_s, 335);
  EXPECT_DOUBLE_EQ(early.downtime_s, 355);
  // A renewal just before the failure, seen in the pass 5 s after it: 5 s later.
  const KubernetesRecovery late = kubernetes_recovery(p, 1000, 20, 1005);
  EXPECT_DOUBLE_EQ(late.not_ready_s, 1045);
  EXPECT_DOUBLE_EQ(late.detection_delay_s, 350);
}

TEST(KubernetesFailureTest, GraceIsRoundedUpToWholeMonitorPasses) {
  Profile p = Profile::default_profile();
  p.node_monitor_grace_period_s = 42;  // the 9th pass, at 45 s, is the first past 42 s
  const KubernetesRecovery r = kubernetes_recovery(p, 0, 0);
  EXPECT_DOUBLE_EQ(r.not_ready_s, 45);
  EXPECT_DOUBLE_EQ(r.evicted_s, 350);
}

TEST(KubernetesFailureTest, FromV132TheGraceIsFiftySeconds) {
  const KubernetesRecovery r = kubernetes_recovery(Profile::v1_32_profile(), 0, 0);
  EXPECT_DOUBLE_EQ(r.not_ready_s, 50);
  EXPECT_DOUBLE_EQ(r.detection_delay_s, 355);  // 50 + 5 + 300
}

TEST(KubernetesFailureTest, TunedProfileIsFarShorter) {
  const Profile tuned = Profile::tuned_profile();
  EXPECT_DOUBLE_EQ(tuned.node_monitor_grace_period_s, 20);
  EXPECT_DOUBLE_EQ(tuned.toleration_seconds, 5);
  const KubernetesRecovery r = kubernetes_recovery(tuned, 1000, 20);
  EXPECT_DOUBLE_EQ(r.not_ready_s, 1020);
  EXPECT_DOUBLE_EQ(r.tainted_s, 1025);
  EXPECT_DOUBLE_EQ(r.evicted_s, 1030);
  EXPECT_DOUBLE_EQ(r.detection_delay_s, 30);  // 20 + 5 + 5, against 345 by default
  EXPECT_DOUBLE_EQ(r.downtime_s, 50);
  EXPECT_DOUBLE_EQ(kubernetes_recovery(Profile::tuned_profile(0), 1000, 20).detection_delay_s, 25);
  EXPECT_DOUBLE_EQ(kubernetes_recovery(Profile::tuned_profile(10), 1000, 20).detection_delay_s, 35);
}

TEST(KubernetesFailureTest, RejectsBadConfigsNamingTheField) {
  EXPECT_NE(rejection([] { Profile::tuned_profile(11); }).find("toleration_seconds"), std::string::npos);
  EXPECT_NE(rejection([] { Profile::tuned_profile(-1); }).find("toleration_seconds"), std::string::npos);
  Profile p = Profile::default_profile();
  p.node_monitor_grace_period_s = 10;  // not more than one lease renewal
  EXPECT_NE(rejection([&] { validate(p); }).find("node_monitor_grace_period_s"), std::string::npos);
  p = Profile::default_profile();
  p.node_monitor_period_s = 0;
  EXPECT_NE(rejection([&] { validate(p); }).find("node_monitor_period_s"), std::string::npos);
  p = Profile::default_profile();
  p.node_lease_renew_interval_s = -1;
  EXPECT_NE(rejection([&] { validate(p); }).find("node_lease_renew_interval_s"), std::string::npos);
  p = Profile::default_profile();
  p.toleration_seconds = -1;
  EXPECT_NE(rejection([&] { kubernetes_recovery(p, 0, 0); }).find("toleration_seconds"), std::string::npos);
  EXPECT_EQ(rejection([] { validate(Profile::default_profile()); }), "");
}

TEST(KubernetesFailureTest, RejectsBadInputs) {
  const Profile p = Profile::default_profile();
  EXPECT_NE(rejection([&] { kubernetes_recovery(p, 0, -1); }).find("start_s"), std::string::npos);
  EXPECT_NE(rejection([&] { kubernetes_recovery(p, NAN, 0); }).find("failure_s"), std::string::npos);
  EXPECT_NE(rejection([&] { kubernetes_recovery(p, 1000, 0, 989); }).find("heartbeat_seen_s"), std::string::npos);
  EXPECT_NE(rejection([&] { kubernetes_recovery(p, 1000, 0, 1006); }).find("heartbeat_seen_s"), std::string::npos);
}

}  // namespace
}  // namespace vfo
