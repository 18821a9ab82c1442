#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "placement/heuristic/placement_state.hpp"
#include "vfo/util/random.hpp"

// The heuristic's greedy construction (steps 2 and 4 of the overview in heuristic_placer.cpp): every item
// to the cheapest node that takes it, found by walking the state's MaxTree of nodes in speed order, then
// repair() of the chains over their QoS time. Private to src/placement/heuristic_*.cpp; not thread-safe
// (it changes the PlacementState it is given).

namespace vfo::heuristic {

constexpr int kMinTimeLevel = 2;     // priority level from which a chain picks least-time nodes
constexpr double kBlinkRate = 0.15;  // ruin-and-recreate passes over a best node this often

// Why a chain could not be completed in one attempt.
struct Failure {
  std::uint32_t chain = 0;
  std::string family;  // "qos_time", "capacity", ...
  std::string reason;
  double severity = kInf;  // frame time / (1/fps) - 1 for qos_time; infinite for the others
};

// One construction on `state` (built; reset here). `level[c]` is chain c's priority: higher levels go first
// and, with bandwidth, from kMinTimeLevel on to the quickest node. Returns the chains that could not be
// completed, in the order they failed; empty means every item is placed within every constraint. `fatal` is
// set when a pinned VF breaks a constraint where it stands: no attempt can fix that. Items go in decreasing
// load or, `by_density`, in decreasing load / fps (the cost per CPU capacity it takes, l^2 / (l fps): the
// better order when CPU capacity binds). `noise` > 0 perturbs the order: each key is scaled by a factor drawn
// from `rng` in [1 - noise/2, 1 + noise/2) (no draw when noise is 0).
std::vector<Failure> construct(PlacementState& state, const std::vector<int>& level, bool by_density, double noise,
                               Rng& rng, bool& fatal);

// The cheapest node that takes unplaced item i within its chain's QoS time, or -1; with `blink`, each such
// node is passed over with probability kBlinkRate (the first one passed over is the fallback), to diversify
// ruin-and-recreate. Without bandwidth that is the fastest node with room, which also has the least time.
// With bandwidth, where fast CPUs may sit behind slow links, the cheapest node whose time over the item's
// lower bound is within an equal share of the chain's slack among the stages still open (so that later
// stages keep theirs), else the node with the least time; with `least_time`, always the node with the least
// time.
int choose_node(const PlacementState& state, std::uint32_t i, bool least_time, Rng* blink = nullptr);

}  // namespace vfo::heuristic
