#pragma once
#include <cstddef>

#include "vfo/placement/placer.hpp"

namespace vfo {

// Picks the exact MILP for instances small enough to close quickly and the heuristic for the rest:
// exact when (VFs to place) x (nodes not avoided) <= max_exact_variables, or when the problem is an
// assignment problem (one chain, at most one of its VFs per node, no QoS time, bandwidth or replication),
// which the exact placer solves in polynomial time at any size. If the exact solve runs out
// of time without a placement, the heuristic answers instead; its result says which solver answered.
class AutoPlacer final : public Placer {
 public:
  explicit AutoPlacer(std::size_t max_exact_variables = 5000) : max_exact_variables_(max_exact_variables) {}
  PlacementResult place(const PlacementProblem& problem, const SolveLimits& limits = {}) const override;
  std::string_view name() const override { return "auto"; }

  // True when `problem` is small enough for the exact solver.
  bool prefers_exact(const PlacementProblem& problem) const;

 private:
  std::size_t max_exact_variables_;
};

}  // namespace vfo
