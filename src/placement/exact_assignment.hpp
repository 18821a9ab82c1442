#pragma once
// The placement problems that are assignment problems, solved exactly in polynomial time (private to
// src/placement; ExactPlacer uses it before building a MILP). A problem is one when it has one chain, no QoS
// time, no bandwidth and no replication, and takes at most one of the chain's free VFs per node
// (spread_chain, or max_functions_per_node = 1). Then whether a free VF may go to a node (avoid, VF slots,
// capacity, spread next to the chain's pinned VFs) and what it costs there (copy_cost, the node's load
// including the chain's pinned VFs) depend on that pair alone, so the cheapest placement is a minimum-cost
// assignment of the free VFs to distinct nodes. The controller's problems are of this shape.
#include <vector>

#include "vfo/placement/placement_problem.hpp"
#include "vfo/placement/placement_result.hpp"

namespace vfo::exact {

// True when `problem` has the shape above.
bool is_assignment(const PlacementProblem& problem);

// Precondition: is_assignment(problem), and the problem passed ExactPlacer's input checks. Returns status
// optimal with every VF placed (pinned ones where they are) at the least total cost, or infeasible with the
// reason (which constraint left too few nodes). Fills status, placed and reason only.
PlacementResult solve_assignment(const PlacementProblem& problem);

// Minimum-cost assignment of each row to a distinct column (rows <= columns); cost[r][c] = +infinity forbids
// the pair. Returns the column of each row, or an empty vector when no assignment avoids every forbidden
// pair. Shortest augmenting paths with potentials (the Hungarian method): O(rows^2 x columns).
std::vector<int> min_cost_assignment(const std::vector<std::vector<double>>& cost);

}  // namespace vfo::exact
