#include "vfo/forecast/trend_forecaster.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace vfo {
namespace {

// One answering node whose probe measured `cpu_pct` and 10 % RAM.
ClusterSnapshot one_node(double cpu_pct, bool answered = true) {
  ClusterSnapshot s;
  NodeReport r;
  r.node = NodeId(0);
  r.answered = answered;
  r.capacity = Resources{1e9, 1e9};
  r.measured_cpu_pct = cpu_pct;
  r.measured_ram_pct = 10;
  s.nodes.push_back(r);
  return s;
}

TEST(TrendForecaster, ARampIsSeenComingBeforeItCrossesTheThreshold) {
  TrendForecaster f({.interval_s = 1, .cpu_threshold_pct = 90});
  double p = 0;
  double crossed_at = -1;
  // CPU climbs 5 points a second from 20 %; it reaches 90 % at t = 14.
  for (int t = 0; t < 14; ++t) {
    p = f.assess(one_node(20 + 5 * t), 5)[0];
    if (p >= 0.5 && crossed_at < 0) crossed_at = 20 + 5 * t;
  }
  EXPECT_GT(crossed_at, 0);
  EXPECT_LT(crossed_at, 90);  // the forecast fired while the reading was still below the threshold
}

TEST(TrendForecaster, AFlatLoadIsSafeAndAHighOneIsNot) {
  TrendForecaster calm({.interval_s = 1}), busy({.interval_s = 1});
  double p_calm = 0, p_busy = 0;
  for (int t = 0; t < 20; ++t) {
    p_calm = calm.assess(one_node(30 + (t % 2)), 5)[0];
    p_busy = busy.assess(one_node(95 + (t % 2)), 5)[0];
  }
  EXPECT_LT(p_calm, 0.01);
  EXPECT_GT(p_busy, 0.9);
}

TEST(TrendForecaster, ALongerHorizonSeesMoreRiskAndASilentNodeHasNone) {
  TrendForecaster f({.interval_s = 1});
  std::vector<double> near, far;
  TrendForecaster a({.interval_s = 1}), b({.interval_s = 1});
  for (int t = 0; t < 6; ++t) {
    near = a.assess(one_node(40 + 4 * t), 1);
    far = b.assess(one_node(40 + 4 * t), 10);
  }
  EXPECT_GT(far[0], near[0]);
  EXPECT_EQ(f.assess(one_node(99, false), 5)[0], 0.0);
}

TEST(TrendForecaster, RefusesAConfigOutOfRange) {
  EXPECT_THROW(TrendForecaster({.interval_s = 0}), std::invalid_argument);
  EXPECT_THROW(TrendForecaster({.interval_s = 1, .alpha = 0}), std::invalid_argument);
  EXPECT_THROW(TrendForecaster({.interval_s = 1, .beta = 2}), std::invalid_argument);
}

TEST(TrendForecaster, ReadsUsedOverCapacityWhenNothingWasMeasured) {
  NodeReport r;
  r.capacity = Resources{100, 200};
  r.used = Resources{25, 50};
  EXPECT_DOUBLE_EQ(cpu_utilisation_pct(r), 25);
  EXPECT_DOUBLE_EQ(ram_utilisation_pct(r), 25);
  r.measured_cpu_pct = 70;
  EXPECT_DOUBLE_EQ(cpu_utilisation_pct(r), 70);
}

}  // namespace
}  // namespace vfo
