#pragma once
#include "vfo/placement/placer.hpp"

namespace vfo {

// A placer for large instances: a greedy construction followed by relocate/swap local search on the
// total cost, replicating VFs when the QoS time cannot be met (as the exact model does). Never calls a
// placement feasible that breaks a constraint: every answer passes check_placement, else infeasible.
// Status feasible (gap unknown, -1) or infeasible with the constraint that stopped the construction.
class HeuristicPlacer final : public Placer {
 public:
  PlacementResult place(const PlacementProblem& problem, const SolveLimits& limits = {}) const override;
  std::string_view name() const override { return "heuristic"; }
};

}  // namespace vfo
