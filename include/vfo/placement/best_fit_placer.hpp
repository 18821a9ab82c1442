#pragma once
#include "vfo/placement/placer.hpp"

namespace vfo {

// Capacity-aware best fit: VFs in decreasing order of CPU demand, each to the candidate that fits it
// (CPU and RAM) with the least CPU left over, ties broken by RAM left over, then by node id.
// O(functions x candidates). Either places every VF or none (status infeasible names the VF).
class BestFitPlacer final : public Placer {
 public:
  Placement place(const PlacementProblem& problem) const override;
  std::string_view name() const override { return "best-fit"; }
};

}  // namespace vfo
