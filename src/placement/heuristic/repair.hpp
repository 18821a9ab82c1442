#pragma once
#include "placement/heuristic/placement_state.hpp"

// The heuristic's repair of chains over their QoS time (step 4 of the overview in heuristic_placer.cpp).
// Private to src/placement/heuristic_*.cpp; not thread-safe (it changes the PlacementState it is given).

namespace vfo::heuristic {

constexpr double kRepairTieWeight = 1e-3;  // repair: weight of a copy's own time against the violation

// Lowers the total QoS violation (sum over chains of the frame time over 1/fps) of a complete placement
// that breaks no other constraint. In sweeps over the copies of late chains: each moves to the node, or
// exchanges nodes with the copy of another chain, that lowers the total most; until no chain is late, a
// sweep changes nothing, the move budget (20 moves per item, plus 100) is spent or the deadline passes.
// Keeps every other constraint; pinned copies stay where they are.
void repair(PlacementState& state);

}  // namespace vfo::heuristic
