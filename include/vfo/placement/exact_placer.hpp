#pragma once
#include "vfo/placement/placer.hpp"

namespace vfo {

// The exact model as a MILP on COIN-OR CBC (docs/model.md, Placement, generalised by PlacementModel): binary
// x_ij = copy j on node i; minimise total cost sum c_i(l_j) x_ij subject to the constraints that are
// on. When that is infeasible and model.replication is on, solves the replication model (y_j copies,
// linearised with binaries over 1..max_replicas) and then the main model on the split chains.
// Status optimal when CBC proves it, time_limit with the best found (or none) when it runs out of
// time; infeasible names the binding constraint (found by relaxing one constraint family at a time).
// A problem that is an assignment problem (one chain, at most one of its VFs per node, no QoS time,
// bandwidth or replication) is solved exactly without CBC, by the Hungarian method, in O(VFs^2 x nodes).
// With PlacementCost::load, each x_ij costs copy j as if alone on node i (the cross terms of two new
// copies on one node are left out; exact when each node takes at most one).
class ExactPlacer final : public Placer {
 public:
  PlacementResult place(const PlacementProblem& problem, const SolveLimits& limits = {}) const override;
  std::string_view name() const override { return "exact"; }
};

}  // namespace vfo
