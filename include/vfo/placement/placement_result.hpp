#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "vfo/model/ids.hpp"

namespace vfo {

enum class PlacementStatus {
  optimal,     // proven optimal
  feasible,    // feasible; `bound` and `gap` say how far from optimal it may be (a heuristic: unknown)
  infeasible,  // no placement exists (exact) or none was found (heuristic); `reason` names the constraint
  time_limit,  // stopped by the time limit; `placed` holds the best found, if any
};

const char* to_string(PlacementStatus status);

// One copy of one VF on one node.
struct PlacedFunction {
  ChainId chain;
  std::uint32_t function = 0;  // index in the chain
  std::uint32_t replica = 0;   // 0 .. replicas-1
  std::uint32_t replicas = 1;  // copies of this VF
  NodeId node;
  double load_ipf = 0;  // per copy: l_j / replicas
};

struct PlacementResult {
  PlacementStatus status = PlacementStatus::infeasible;
  std::string reason;                  // why infeasible (the binding constraint), or other detail
  std::vector<PlacedFunction> placed;  // every copy of every VF (pinned ones included), by chain and function
  double objective = 0;                // total cost under model.cost (total_cost in feasibility.hpp)
  double bound = 0;                    // best lower bound on the objective, when known
  double gap = 0;                      // (objective - bound) / objective, when known; -1 if unknown
  double solve_s = 0;                  // wall time of the solve
  std::string solver;                  // which placer answered

  bool has_placement() const { return !placed.empty(); }
};

}  // namespace vfo
