#pragma once
#include <cstdint>

#include "placement/heuristic/placement_state.hpp"
#include "vfo/util/random.hpp"

// The heuristic's improvement of a complete feasible placement on the total cost (step 6 of the overview in
// heuristic_placer.cpp): relocate/swap local search and iterated local search on top of it. Every move keeps
// every constraint (so a feasible placement stays feasible) and pinned copies stay where they are. Private to
// src/placement/heuristic_*.cpp; not thread-safe (they change the PlacementState they are given).

namespace vfo::heuristic {

constexpr int kMaxLocalPasses = 100;  // relocate + swap passes per improve()

// One relocate pass: each free copy, heaviest first, to the fastest node faster than its own that takes it
// (every constraint kept); at most `budget` moves, fewer past the deadline. Returns the number made.
long relocate_pass(PlacementState& state, long budget);

// One swap pass: each free copy, heaviest first, exchanges nodes with the lighter copy on a faster node that
// lowers the cost most (every constraint kept), if any; at most `budget` exchanges, fewer past the deadline.
// Returns the number made.
long swap_pass(PlacementState& state, long budget);

// Local search: relocate_pass then swap_pass, again while a round moves something, for at most
// kMaxLocalPasses rounds and `move_budget` moves in all, or until the deadline. Returns the number of moves.
long improve(PlacementState& state, long move_budget);

// Iterated local search: `iterations` times (fewer past the deadline), a kick then improve(state,
// move_budget); the result is kept when it costs less (by kMinImprovement, relative), else the best placement is
// restored (so the state ends on the best placement seen). Kicks alternate between ruin-and-recreate (take out the
// copies on 1-2 random nodes and 1-4 random copies, put them back in decreasing load, each where it costs least) and
// two random feasible moves (relocations, exchanges). Draws from `rng`; does nothing with fewer than 2 free copies.
void explore(PlacementState& state, Rng& rng, long iterations, long move_budget);

}  // namespace vfo::heuristic
