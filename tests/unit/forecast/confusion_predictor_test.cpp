#include "vfo/forecast/confusion_predictor.hpp"

#include <gtest/gtest.h>

#include <utility>
#include <vector>

namespace vfo {
namespace {

TEST(ConfusionPredictor, RatesMatchOverManyRounds) {
  // Even nodes always overload within the horizon, odd ones never.
  ConfusionPredictor predictor([](NodeId n, double, double) { return n.value % 2 == 0; }, 0.8, 0.1, 99);
  ClusterSnapshot s;
  for (std::uint32_t i = 0; i < 1000; ++i) s.nodes.push_back({NodeId(i), true, {}, {}});
  int tp = 0, fp = 0, rounds = 20;
  for (int r = 0; r < rounds; ++r) {
    s.now = 30.0 * r;
    const auto p = predictor.assess(s, 30);
    for (std::size_t i = 0; i < p.size(); ++i) (i % 2 == 0 ? tp : fp) += p[i] >= 0.5;
  }
  EXPECT_NEAR(tp / (500.0 * rounds), 0.8, 0.02);
  EXPECT_NEAR(fp / (500.0 * rounds), 0.1, 0.02);
}

TEST(ConfusionPredictor, SilentNodesAndDeterminism) {
  ConfusionPredictor a([](NodeId, double, double) { return true; }, 1.0, 0.0, 1);
  ClusterSnapshot s;
  s.nodes = {{NodeId(0), false, {}, {}}, {NodeId(1), true, {}, {}}};
  const auto p = a.assess(s, 30);
  EXPECT_EQ(p[0], 0.0);
  EXPECT_EQ(p[1], 1.0);
  ConfusionPredictor b([](NodeId, double, double) { return false; }, 0.5, 0.5, 3);
  ConfusionPredictor c([](NodeId, double, double) { return false; }, 0.5, 0.5, 3);
  s.nodes[0].answered = true;
  EXPECT_EQ(b.assess(s, 30), c.assess(s, 30));
}

TEST(ConfusionPredictor, WithALeadItLooksAtThePeriodAfterTheNextProbeAndTheAlarmStands) {
  // One overload, at t = 45; rounds every 30 s; perfect rates so every draw is known.
  std::vector<std::pair<double, double>> asked;
  const OverloadOracle oracle = [&](NodeId, double from, double to) {
    asked.emplace_back(from, to);
    return from < 45 && 45 <= to;
  };
  ClusterSnapshot s;
  s.nodes = {{NodeId(0), true, {}, {}}};
  ConfusionPredictor lead(oracle, 1.0, 0.0, 5, 30);
  s.now = 0;
  EXPECT_EQ(lead.assess(s, 30)[0], 1.0);  // looks at (30, 60]: the overload is one period ahead
  EXPECT_EQ(asked.back(), std::make_pair(30.0, 60.0));
  s.now = 30;
  EXPECT_EQ(lead.assess(s, 30)[0], 1.0);  // looks at (60, 90], but the alarm about (30, 60] stands
  s.now = 60;
  EXPECT_EQ(lead.assess(s, 30)[0], 0.0);  // that period is over

  ConfusionPredictor no_lead(oracle, 1.0, 0.0, 5);
  s.now = 0;
  EXPECT_EQ(no_lead.assess(s, 30)[0], 0.0);  // (0, 30] holds no overload: no warning a period ahead
  s.now = 30;
  EXPECT_EQ(no_lead.assess(s, 30)[0], 1.0);  // (30, 60]: the warning comes 15 s before the overload
}

}  // namespace
}  // namespace vfo
