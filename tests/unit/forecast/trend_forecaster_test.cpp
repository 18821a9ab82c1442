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

// The same node, running the VFs `functions` (chain 1, by index).
ClusterSnapshot running(double cpu_pct, std::initializer_list<std::uint32_t> functions) {
  ClusterSnapshot s = one_node(cpu_pct);
  for (const std::uint32_t index : functions) {
    FunctionReport f;
    f.ref = FunctionRef{ChainId(1), index};
    f.node = NodeId(0);
    s.functions.push_back(f);
  }
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
  for (int t = 0; t < 8; ++t) {
    near = a.assess(one_node(40 + 4 * t), 1);
    far = b.assess(one_node(40 + 4 * t), 10);
  }
  EXPECT_GT(far[0], near[0]);
  EXPECT_EQ(f.assess(one_node(99, false), 5)[0], 0.0);
}

TEST(TrendForecaster, ItsFirstReadingsSettleAndThenItNeedsAFewBeforeItWarns) {
  TrendForecaster f({.interval_s = 1, .settle_readings = 2, .min_readings = 3});
  std::vector<double> p;
  for (int t = 0; t < 6; ++t) p.push_back(f.assess(one_node(99), 5)[0]);
  EXPECT_EQ(p, (std::vector<double>{0, 0, 0, 0, p[4], p[5]}));
  EXPECT_GT(p[4], 0.9);
}

TEST(TrendForecaster, AVfArrivingIsAStepNotATrendButTheSameStepWithTheSameVfsIs) {
  // A node runs VF 0 at 20 %; then it rises to 50 % then 80 %. With the same VFs that is a steep trend.
  // When the rise comes with VF 1 arriving (a start-up, then its steady load), the history starts again.
  TrendForecaster same({.interval_s = 1}), arriving({.interval_s = 1});
  const std::vector<double> readings = {20, 20, 20, 20, 20, 20, 50, 80, 80, 80, 80};
  double p_same = 0, p_arriving = 0;
  for (std::size_t t = 0; t < readings.size(); ++t) {
    p_same = std::max(p_same, same.assess(running(readings[t], {0}), 5)[0]);
    const bool arrived = t >= 6;
    p_arriving =
        std::max(p_arriving, arriving.assess(arrived ? running(readings[t], {0, 1}) : running(readings[t], {0}), 5)[0]);
  }
  EXPECT_GT(p_same, 0.5);
  EXPECT_LT(p_arriving, 0.1);
}

TEST(TrendForecaster, RefusesAConfigOutOfRange) {
  EXPECT_THROW(TrendForecaster({.interval_s = 0}), std::invalid_argument);
  EXPECT_THROW(TrendForecaster({.interval_s = 1, .alpha = 0}), std::invalid_argument);
  EXPECT_THROW(TrendForecaster({.interval_s = 1, .beta = 2}), std::invalid_argument);
  EXPECT_THROW(TrendForecaster({.interval_s = 1, .settle_readings = -1}), std::invalid_argument);
  EXPECT_THROW(TrendForecaster({.interval_s = 1, .min_readings = 0}), std::invalid_argument);
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
