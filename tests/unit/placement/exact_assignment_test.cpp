// The assignment problems among placement problems (one chain, at most one of its VFs per node, no QoS time,
// bandwidth or replication): the Hungarian method against enumeration, and the placement cost that spreads load.
#include "placement/exact_assignment.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <vector>

#include "unit/placement/brute_force.hpp"
#include "vfo/placement/auto_placer.hpp"
#include "vfo/placement/exact_placer.hpp"
#include "vfo/placement/feasibility.hpp"
#include "vfo/util/random.hpp"

namespace vfo {
namespace {

constexpr double kForbidden = std::numeric_limits<double>::infinity();

// A uniform whole number in [0, n).
std::size_t below(Rng& rng, std::size_t n) {
  return static_cast<std::size_t>(rng.next_u64() % n);
}

// The least total over every injective row -> column map, or +inf when each one uses a forbidden pair.
double enumerate_assignments(const std::vector<std::vector<double>>& cost) {
  const std::size_t rows = cost.size(), cols = cost.front().size();
  std::vector<std::size_t> order(cols);
  std::iota(order.begin(), order.end(), 0);
  double best = kForbidden;
  do {  // every permutation of the columns; the first `rows` of it are the rows' columns
    double total = 0;
    for (std::size_t r = 0; r < rows; ++r) total += cost[r][order[r]];
    best = std::min(best, total);
  } while (std::next_permutation(order.begin(), order.end()));
  return best;
}

TEST(MinCostAssignment, SolvesAHandWorkedSquareInstance) {
  // Row 0 -> column 1 (1), row 1 -> column 0 (2), row 2 -> column 2 (2): 5, the least of the six.
  const std::vector<std::vector<double>> cost = {{4, 1, 3}, {2, 0, 5}, {3, 2, 2}};
  EXPECT_EQ(exact::min_cost_assignment(cost), (std::vector<int>{1, 0, 2}));
}

TEST(MinCostAssignment, ForbiddenPairsCanMakeItImpossible) {
  const std::vector<std::vector<double>> cost = {{1, kForbidden, kForbidden}, {2, kForbidden, kForbidden}};
  EXPECT_TRUE(exact::min_cost_assignment(cost).empty());
  const std::vector<std::vector<double>> two_rows_three_columns = {{1, kForbidden, 7}, {2, kForbidden, kForbidden}};
  EXPECT_EQ(exact::min_cost_assignment(two_rows_three_columns), (std::vector<int>{2, 0}));
}

TEST(MinCostAssignment, MatchesEnumerationOnRandomRectangularInstances) {
  Rng rng(20231204);
  int impossible = 0;
  for (int n = 0; n < 400; ++n) {
    const std::size_t rows = 1 + below(rng, 5);
    const std::size_t cols = rows + below(rng, 4);
    std::vector<std::vector<double>> cost(rows, std::vector<double>(cols));
    for (auto& row : cost) {
      for (double& c : row) c = rng.uniform() < 0.3 ? kForbidden : std::round(rng.uniform(0, 20));
    }
    const double best = enumerate_assignments(cost);
    const std::vector<int> column = exact::min_cost_assignment(cost);
    SCOPED_TRACE(::testing::Message() << "instance " << n);
    if (best == kForbidden) {
      ++impossible;
      EXPECT_TRUE(column.empty());
      continue;
    }
    ASSERT_EQ(column.size(), rows);
    double total = 0;
    for (std::size_t r = 0; r < rows; ++r) total += cost[r][static_cast<std::size_t>(column[r])];
    EXPECT_DOUBLE_EQ(total, best);
    std::vector<int> sorted = column;
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end()) << "a column taken twice";
  }
  EXPECT_GT(impossible, 20);  // both outcomes are covered
  EXPECT_LT(impossible, 300);
}

// ---- placement problems of that shape

PlacementNode node(std::uint32_t id, double speed_ips, double used_ips = 0) {
  PlacementNode n;
  n.id = NodeId(id);
  n.speed_ips = speed_ips;
  n.capacity = {0.8 * speed_ips, 4e9};
  n.used = {used_ips, 0};
  return n;
}

PlacementModel controller_model(PlacementCost cost) {
  return PlacementModel{.max_functions_per_node = 1,
                        .qos_time = false,
                        .capacity = true,
                        .bandwidth = false,
                        .spread_chain = true,
                        .replication = false,
                        .max_replicas = 8,
                        .cost = cost};
}

TEST(AssignmentPlacement, TheLoadCostSpreadsWhereTheSpeedCostDoesNot) {
  PlacementProblem p;
  p.nodes = {node(0, 1.1e5, 6e4), node(1, 1e5, 0)};  // the faster node is busy
  p.chains.push_back({ChainId(0), 1, {{1e4, 64e6, 0, std::nullopt}}});
  p.model = controller_model(PlacementCost::speed);
  ASSERT_TRUE(exact::is_assignment(p));
  const PlacementResult by_speed = ExactPlacer().place(p);
  ASSERT_TRUE(by_speed.has_placement()) << by_speed.reason;
  EXPECT_EQ(by_speed.placed[0].node, NodeId(0));  // l^2 / cpu: the fastest
  EXPECT_DOUBLE_EQ(by_speed.objective, 1e8 / 1.1e5);

  p.model.cost = PlacementCost::load;
  const PlacementResult by_load = ExactPlacer().place(p);
  ASSERT_TRUE(by_load.has_placement()) << by_load.reason;
  EXPECT_EQ(by_load.placed[0].node, NodeId(1));  // ((0 + 1e4)^2 - 0) / 1e5 = 1000 < (7e4^2 - 6e4^2) / 1.1e5
  EXPECT_DOUBLE_EQ(by_load.objective, 1e3);
  EXPECT_EQ(by_load.status, PlacementStatus::optimal);
  EXPECT_EQ(by_load.gap, 0);
}

TEST(AssignmentPlacement, PinnedVfsCountInTheirNodesLoadAndSpread) {
  PlacementProblem p;
  p.model = controller_model(PlacementCost::load);
  p.model.max_functions_per_node = 0;  // spread_chain alone makes it an assignment
  p.nodes = {node(0, 1e5), node(1, 1e5), node(2, 1e5, 2e4)};
  p.chains.push_back({ChainId(0), 1, {{1e4, 0, 0, NodeId(0)}, {1e4, 0, 0, std::nullopt}}});
  ASSERT_TRUE(exact::is_assignment(p));
  const PlacementResult r = ExactPlacer().place(p);
  ASSERT_TRUE(r.has_placement()) << r.reason;
  EXPECT_EQ(r.placed[0].node, NodeId(0));
  EXPECT_EQ(r.placed[1].node, NodeId(1));  // not next to VF 0, and node 2 is busier
  EXPECT_TRUE(check_placement(p, r.placed).is_ok());
}

TEST(AssignmentPlacement, NamesWhatLeftTooFewNodes) {
  PlacementProblem p;
  p.model = controller_model(PlacementCost::load);
  p.nodes = {node(0, 1e5), node(1, 1e5), node(2, 1e5)};
  p.nodes[0].functions = 1;
  p.nodes[1].functions = 1;
  p.chains.push_back({ChainId(0), 1, {{1e4, 0, 0, std::nullopt}, {1e4, 0, 0, std::nullopt}}});
  const PlacementResult r = ExactPlacer().place(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_FALSE(r.has_placement());
  EXPECT_EQ(r.reason.rfind("max_functions_per_node", 0), 0u) << r.reason;

  // Slots enough, room not: without diagnosis, the assignment's own count of what ruled the nodes out.
  p.nodes[0].functions = p.nodes[1].functions = 0;
  p.nodes[0].used.cpu_ips = p.nodes[1].used.cpu_ips = 0.75e5;
  const PlacementResult quick = ExactPlacer().place(p, SolveLimits{.time_limit_s = 10, .diagnose = false});
  EXPECT_EQ(quick.status, PlacementStatus::infeasible);
  EXPECT_EQ(quick.reason.rfind("capacity: chain 0 has 2 VFs to place; of the 3 nodes, 0 are avoided", 0), 0u)
      << quick.reason;
  const PlacementResult diagnosed = ExactPlacer().place(p);
  EXPECT_EQ(diagnosed.reason.rfind("capacity", 0), 0u) << diagnosed.reason;
}

// Random problems of the controller's shape: the assignment's answer against enumeration, with either cost.
TEST(AssignmentPlacement, MatchesBruteForceOnRandomControllerProblems) {
  Rng rng(4242);
  int feasible = 0, infeasible = 0;
  for (int n = 0; n < 300; ++n) {
    PlacementProblem p;
    p.model = controller_model(rng.uniform() < 0.5 ? PlacementCost::load : PlacementCost::speed);
    const int nodes = static_cast<int>(2 + below(rng, 5));
    for (int i = 0; i < nodes; ++i) {
      PlacementNode nd = node(static_cast<std::uint32_t>(i), rng.uniform(0.8e5, 1.2e5), rng.uniform(0, 7e4));
      nd.functions = rng.uniform() < 0.2 ? 1 : 0;
      nd.avoid = rng.uniform() < 0.15;
      p.nodes.push_back(nd);
    }
    PlacementChain chain{ChainId(0), 1, {}};
    const int vfs = static_cast<int>(1 + below(rng, 4));
    for (int j = 0; j < vfs; ++j) {
      PlacementFunction f{rng.uniform(5e3, 2e4), 64e6, 0, std::nullopt};
      if (rng.uniform() < 0.2)
        f.pinned = NodeId(static_cast<std::uint32_t>(below(rng, static_cast<std::size_t>(nodes))));
      chain.functions.push_back(f);
    }
    p.chains.push_back(chain);
    ASSERT_TRUE(exact::is_assignment(p));
    const auto bf = reference::brute_force_place(p);
    const PlacementResult r = ExactPlacer().place(p);
    const PlacementResult via_auto = AutoPlacer().place(p);
    SCOPED_TRACE(::testing::Message() << "instance " << n << ": " << r.reason);
    EXPECT_EQ(via_auto.placed.size(), r.placed.size());
    if (!bf.feasible) {
      ++infeasible;
      EXPECT_EQ(r.status, PlacementStatus::infeasible);
      continue;
    }
    ++feasible;
    ASSERT_EQ(r.status, PlacementStatus::optimal);
    EXPECT_TRUE(check_placement(p, r.placed).is_ok());
    EXPECT_NEAR(r.objective, bf.objective, 1e-9 * std::max(1.0, bf.objective));
  }
  EXPECT_GT(feasible, 100);
  EXPECT_GT(infeasible, 20);
}

}  // namespace
}  // namespace vfo
