#include "vfo/placement/best_fit_placer.hpp"

#include <gtest/gtest.h>

namespace vfo {
namespace {

TEST(BestFitPlacer, PicksTheTightestNodeThatFits) {
  BestFitPlacer placer;
  PlacementProblem p;
  p.functions = {{10, 1}};
  p.candidates = {{NodeId(0), {100, 10}}, {NodeId(1), {12, 10}}, {NodeId(2), {9, 10}}};
  const Placement r = placer.place(p);
  ASSERT_TRUE(r.status.is_ok());
  EXPECT_EQ(r.nodes[0], NodeId(1));
}

TEST(BestFitPlacer, RespectsRamAndDistinctNodes) {
  BestFitPlacer placer;
  PlacementProblem p;
  p.functions = {{10, 5}, {10, 5}};
  p.candidates = {{NodeId(0), {100, 4}}, {NodeId(1), {100, 10}}, {NodeId(2), {50, 10}}};
  const Placement r = placer.place(p);
  ASSERT_TRUE(r.status.is_ok());
  EXPECT_NE(r.nodes[0], r.nodes[1]);
  for (auto n : r.nodes) EXPECT_NE(n, NodeId(0));
}

TEST(BestFitPlacer, InfeasibleNamesTheVf) {
  BestFitPlacer placer;
  PlacementProblem p;
  p.functions = {{10, 1}, {200, 1}};
  p.candidates = {{NodeId(0), {100, 10}}, {NodeId(1), {100, 10}}};
  const Placement r = placer.place(p);
  EXPECT_EQ(r.status.code(), Status::Code::infeasible);
  EXPECT_NE(r.status.message().find("VF 1"), std::string::npos);
  EXPECT_TRUE(r.nodes.empty());
}

TEST(BestFitPlacer, BiggestFirstSoAllFit) {
  // First-come order would put the small VF on node 1 (tightest) and leave the big one nowhere.
  BestFitPlacer placer;
  PlacementProblem p;
  p.functions = {{10, 1}, {50, 1}};
  p.candidates = {{NodeId(0), {20, 10}}, {NodeId(1), {50, 10}}};
  const Placement r = placer.place(p);
  ASSERT_TRUE(r.status.is_ok());
  EXPECT_EQ(r.nodes[0], NodeId(0));
  EXPECT_EQ(r.nodes[1], NodeId(1));
}

}  // namespace
}  // namespace vfo
