#include "sim/fault_timeline.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace vfo::sim {
namespace {

TEST(FaultTimeline, RateMakesPTheProbabilityOfAnEventPerWindow) {
  EXPECT_EQ(rate_for_probability(0, 3600), 0);
  EXPECT_TRUE(std::isinf(rate_for_probability(1, 3600)));
  const double rate = rate_for_probability(0.1, 3600);
  EXPECT_NEAR(1 - std::exp(-rate * 3600), 0.1, 1e-12);
}

TEST(FaultTimeline, FractionOfNodesWithAnEventInTheFirstHourIsP) {
  const int nodes = 20000;
  const auto events = draw_node_events(nodes, 0.1, 0.3, 3600, 3600, 5);
  std::vector<bool> left(nodes), overloaded(nodes);
  for (const auto& e : events) {
    ASSERT_GE(e.time_s, 0);
    ASSERT_LT(e.time_s, 3600);
    (e.kind == NodeEvent::Kind::leave ? left : overloaded)[e.node.value] = true;
  }
  EXPECT_NEAR(std::count(left.begin(), left.end(), true) / double(nodes), 0.1, 0.01);
  EXPECT_NEAR(std::count(overloaded.begin(), overloaded.end(), true) / double(nodes), 0.3, 0.015);
}

TEST(FaultTimeline, SortedDeterministicAndStableAcrossNodeCounts) {
  const auto a = draw_node_events(100, 0.5, 0.5, 3600, 7200, 9);
  const auto b = draw_node_events(100, 0.5, 0.5, 3600, 7200, 9);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].time_s, b[i].time_s);
    EXPECT_EQ(a[i].node, b[i].node);
    if (i > 0) {
      EXPECT_LE(a[i - 1].time_s, a[i].time_s);
    }
  }
  // The first nodes' events do not change when nodes are added (common random numbers across g).
  const auto more = draw_node_events(200, 0.5, 0.5, 3600, 7200, 9);
  std::size_t matched = 0;
  for (const auto& e : more) {
    if (e.node.value < 100) ++matched;
  }
  EXPECT_EQ(matched, a.size());
}

TEST(FaultTimeline, ProbabilityZeroGivesNoEvents) {
  EXPECT_TRUE(draw_node_events(1000, 0, 0, 3600, 3600, 1).empty());
}

}  // namespace
}  // namespace vfo::sim
