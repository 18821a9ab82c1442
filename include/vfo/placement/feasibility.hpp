#pragma once
// An independent check of a placement against its problem: every solver's answer goes through it in
// tests, and the heuristic uses it as its last word. It shares no code with the solvers.
#include <vector>

#include "vfo/model/status.hpp"
#include "vfo/placement/placement_problem.hpp"
#include "vfo/placement/placement_result.hpp"

namespace vfo {

// ok, or infeasible naming the first violated constraint ("qos_time: chain 3 takes 0.13 s per frame,
// over 1/fps = 0.1 s"). Checks: every VF placed with 1..max_replicas copies (exactly 1 when
// replication is off, and for pinned VFs) of load l_j / copies; pinned VFs on their node; no free VF
// on an avoided node; and each constraint of problem.model that is on. Per-node limits (VF count,
// capacity, bandwidth) are checked on the nodes that receive a VF that is not pinned.
Status check_placement(const PlacementProblem& problem, const std::vector<PlacedFunction>& placed);

// Total cost of a placement under problem.model.cost: sum over copies of load^2 / speed of its node (speed), or
// sum over the nodes that receive copies of ((used + their CPU)^2 - used^2) / speed (load).
double total_cost(const PlacementProblem& problem, const std::vector<PlacedFunction>& placed);

}  // namespace vfo
