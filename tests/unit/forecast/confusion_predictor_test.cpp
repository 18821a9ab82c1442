#include "vfo/forecast/confusion_predictor.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace vfo
