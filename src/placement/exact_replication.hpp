#pragma once
// The authors' replication model: how many copies of each VF (private to src/placement/exact_*.cpp). The exact
// placer solves it only when the main model is infeasible and model.replication is on, then places the split chains
// with the main model.
//   z_fk in {0,1} for every free VF f and k = 1..max_replicas; y_f = sum_k k z_fk; pinned VFs have y = 1
//   sum_k z_fk = 1;  per chain (with qos_time): sum_f sum_k t(l_f) / k z_fk <= 1/fps (pinned VFs count t(l));
//   sum_f y_f <= number of nodes not avoided (pinned VFs count 1 each); t(l) = l / mean speed of the nodes not
//   avoided; minimise sum_f y_f.
//   Tie-break among the y of minimal sum: the lexicographically largest y with the free VFs ordered by load
//   descending (largest t(l) first), then chain order in the problem, then position in the chain. Solved exactly
//   by further small MILPs: fix sum y to its minimum, then maximise y of each VF in that order and fix it.
//
// Stateless; solve_replication runs CBC within the shared deadline.
#include <string>

#include "placement/exact_instance.hpp"
#include "vfo/placement/placement_result.hpp"

namespace vfo::exact {

struct Replication {
  PlacementStatus status = PlacementStatus::infeasible;  // optimal (split found), infeasible or time_limit
  Split split;         // with optimal: copies per VF (1 for pinned VFs); else all ones
  std::string reason;  // with infeasible or time_limit: why, for PlacementResult::reason
};

// Solves the replication model of `in` (with its tie-break) within `deadline`.
Replication solve_replication(const Instance& in, const Deadline& deadline);

// The VFs that `split` replicates, "chain 0 VF 2 x 3, chain 1 VF 0 x 2", in problem order; empty when none is.
std::string describe_split(const Instance& in, const Split& split);

}  // namespace vfo::exact
