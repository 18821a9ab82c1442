#include "vfo/placement/best_fit_placer.hpp"

#include <gtest/gtest.h>

#include "vfo/placement/feasibility.hpp"

namespace vfo {
namespace {

// Nodes of speed 100 with the given CPU and RAM free; the generalised model without QoS time.
PlacementProblem problem_with(std::vector<Resources> free, std::vector<PlacementFunction> functions) {
  PlacementProblem p;
  p.model.max_functions_per_node = 0;
  p.model.capacity = true;
  p.model.qos_time = false;
  for (std::uint32_t i = 0; i < free.size(); ++i) {
    PlacementNode n;
    n.id = NodeId(i);
    n.speed_ips = 100;
    n.capacity = free[i];
    p.nodes.push_back(n);
  }
  p.chains.push_back(PlacementChain{ChainId(0), 1.0, std::move(functions)});
  return p;
}

PlacementFunction vf(double load, double ram = 1) {
  return PlacementFunction{load, ram, 0, std::nullopt};
}

TEST(BestFitPlacer, PicksTheTightestNodeThatFits) {
  const auto p = problem_with({{100, 10}, {12, 10}, {9, 10}}, {vf(10)});
  const PlacementResult r = BestFitPlacer().place(p);
  ASSERT_EQ(r.status, PlacementStatus::feasible);
  ASSERT_EQ(r.placed.size(), 1u);
  EXPECT_EQ(r.placed[0].node, NodeId(1));
  EXPECT_TRUE(check_placement(p, r.placed).is_ok());
  EXPECT_DOUBLE_EQ(r.objective, 10.0 * 10.0 / 100);
}

TEST(BestFitPlacer, RespectsRamAndSpreadsTheChain) {
  const auto p = problem_with({{100, 4}, {100, 10}, {50, 10}}, {vf(10, 5), vf(10, 5)});
  const PlacementResult r = BestFitPlacer().place(p);
  ASSERT_EQ(r.status, PlacementStatus::feasible);
  EXPECT_NE(r.placed[0].node, r.placed[1].node);
  for (const auto& f : r.placed) EXPECT_NE(f.node, NodeId(0));
}

TEST(BestFitPlacer, InfeasibleNamesTheConstraintAndTheVf) {
  const auto p = problem_with({{100, 10}, {100, 10}}, {vf(10), vf(200)});
  const PlacementResult r = BestFitPlacer().place(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_EQ(r.reason.rfind("capacity", 0), 0u) << r.reason;
  EXPECT_NE(r.reason.find("VF 1"), std::string::npos) << r.reason;
  EXPECT_FALSE(r.has_placement());
}

TEST(BestFitPlacer, BiggestFirstSoAllFit) {
  // First-come order would put the small VF on node 1 (tightest) and leave the big one nowhere.
  const auto p = problem_with({{20, 10}, {50, 10}}, {vf(10), vf(50)});
  const PlacementResult r = BestFitPlacer().place(p);
  ASSERT_EQ(r.status, PlacementStatus::feasible);
  EXPECT_EQ(r.placed[0].node, NodeId(0));
  EXPECT_EQ(r.placed[1].node, NodeId(1));
}

TEST(BestFitPlacer, PinnedVfsStayAndAvoidedNodesAreSkipped) {
  auto p = problem_with({{100, 10}, {100, 10}, {30, 10}}, {vf(10), vf(20)});
  p.chains[0].functions[0].pinned = NodeId(0);
  p.nodes[2].avoid = true;
  const PlacementResult r = BestFitPlacer().place(p);
  ASSERT_EQ(r.status, PlacementStatus::feasible);
  EXPECT_EQ(r.placed[0].node, NodeId(0));
  EXPECT_EQ(r.placed[1].node, NodeId(1));
}

TEST(BestFitPlacer, QosTimeIsCheckedAfterPacking) {
  auto p = problem_with({{100, 10}, {100, 10}}, {vf(60), vf(60)});
  p.model.qos_time = true;  // 0.6 s + 0.6 s per frame on speed-100 nodes, over 1/fps = 1 s
  const PlacementResult r = BestFitPlacer().place(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_EQ(r.reason.rfind("qos_time", 0), 0u) << r.reason;
}

}  // namespace
}  // namespace vfo
