#include "vfo/placement/auto_placer.hpp"

#include "placement/exact_assignment.hpp"
#include "vfo/placement/exact_placer.hpp"
#include "vfo/placement/heuristic_placer.hpp"

namespace vfo {

bool AutoPlacer::prefers_exact(const PlacementProblem& problem) const {
  if (exact::is_assignment(problem)) return true;  // solved in polynomial time, whatever its size
  std::size_t free_functions = 0;
  for (const auto& chain : problem.chains) {
    for (const auto& f : chain.functions) free_functions += f.pinned ? 0 : 1;
  }
  std::size_t targets = 0;
  for (const auto& n : problem.nodes) targets += n.avoid ? 0 : 1;
  // Replication multiplies the copies: count the worst case.
  const std::size_t copies = problem.model.replication
                                 ? free_functions * static_cast<std::size_t>(problem.model.max_replicas)
                                 : free_functions;
  return copies * targets <= max_exact_variables_;
}

PlacementResult AutoPlacer::place(const PlacementProblem& problem, const SolveLimits& limits) const {
  if (prefers_exact(problem)) {
    PlacementResult exact = ExactPlacer().place(problem, limits);
    if (exact.status != PlacementStatus::time_limit || exact.has_placement()) return exact;
  }
  return HeuristicPlacer().place(problem, limits);
}

}  // namespace vfo
