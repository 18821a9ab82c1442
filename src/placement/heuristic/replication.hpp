#pragma once
#include <vector>

#include "vfo/placement/placement_problem.hpp"

// How many copies the heuristic makes of each VF of a chain (step 5 of the overview in heuristic_placer.cpp):
// the authors' replication model, and the fallback beyond it. Pure functions of their arguments; private to
// src/placement/heuristic_*.cpp.

namespace vfo::heuristic {

// The authors' replication model for one chain: the fewest copies y_j in [1, max_replicas] (1 for pinned VFs,
// at most `nodes` in all) with sum_j t(l_j) / y_j <= 1/fps (with tolerance), t(l) = l / mean_speed; among
// those the lexicographically largest with the free VFs by decreasing load, then position (the exact placer's
// tie-break; skipped for chains of more than 64 VFs or 512 copies, which keep the greedy's y). When no y meets
// the time, the y where the greedy stopped. All ones when mean_speed <= 0 or without model.qos_time.
std::vector<int> authors_replicas(const PlacementChain& chain, const PlacementModel& model, double mean_speed,
                                  long nodes);

// One more copy for the VF of the chain whose time falls most (y_j < max_replicas, not pinned, at most
// `nodes` copies in all); false, `y` unchanged, when none may take one. The fallback beyond the authors'
// model.
bool add_copy(const PlacementChain& chain, const PlacementModel& model, long nodes, std::vector<int>& y);

}  // namespace vfo::heuristic
