#pragma once
#include "vfo/placement/placer.hpp"

namespace vfo {

// Capacity-aware best fit, the simulator's default: chain by chain, free VFs in decreasing order of
// CPU demand, each to the node that takes it (every per-node constraint that is on) with the least CPU
// left over, ties broken by RAM left over, then by node id. Ignores the cost; never replicates.
// O(VFs x nodes). The result is checked with check_placement (QoS time, bandwidth): status feasible
// (gap unknown) or infeasible naming the constraint.
class BestFitPlacer final : public Placer {
 public:
  PlacementResult place(const PlacementProblem& problem, const SolveLimits& limits = {}) const override;
  std::string_view name() const override { return "best-fit"; }
};

}  // namespace vfo
