#pragma once
// The placement problem as the exact placer's MILPs see it, private to src/placement/exact_*.cpp: node ids resolved
// to indices, the constraint families that are on, each VF split into copies, and what a copy asks of a node (its
// demand, its time terms, the nodes it may use). Everything here is a pure function of its arguments (no state, no
// CBC) and counts as feasibility.cpp does (same tolerance, same transfer times), so that a model built from it never
// rejects what check_placement accepts.
//
// Stateless; an Instance only refers to its PlacementProblem, which must outlive it.
#include <algorithm>
#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "vfo/placement/placement_problem.hpp"

namespace vfo::exact {

using Clock = std::chrono::steady_clock;

// The wall-clock budget shared by every MILP of one ExactPlacer::place call.
class Deadline {
 public:
  static constexpr double kLongest = 1e9;  // seconds; longer limits (or infinity) are clamped to it

  Deadline(Clock::time_point start, double seconds)
      : end_(start + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(std::clamp(seconds, 0.0, kLongest)))) {}
  // Seconds left (negative once past): the time limit to hand to the next milp::solve.
  double remaining_s() const { return std::chrono::duration<double>(end_ - Clock::now()).count(); }

 private:
  Clock::time_point end_;
};

// Whether `value` breaks the upper `limit`: same tolerance as feasibility.cpp, so that a necessary condition never
// rejects what check_placement accepts.
inline bool exceeds(double value, double limit) {
  return value > limit + 1e-9 * std::max(1.0, limit);
}

// Constraint families, in the order in which an infeasibility is attributed to them (kFamilies).
enum class Family { qos_time, capacity, max_functions_per_node, spread_chain, bandwidth, avoid };
inline constexpr std::array kFamilies = {Family::qos_time,     Family::capacity,  Family::max_functions_per_node,
                                         Family::spread_chain, Family::bandwidth, Family::avoid};
using FamilySet = unsigned;  // one bit(f) per family f in the set
constexpr FamilySet bit(Family f) {
  return 1u << static_cast<unsigned>(f);
}

// Copies per VF: split[c][j] = y for VF j of chain c (index in problem.chains).
using Split = std::vector<std::vector<std::uint32_t>>;

// The problem with its node ids resolved to indices.
struct Instance {
  const PlacementProblem& problem;
  std::vector<std::vector<int>> pinned;  // [c][j]: node index of a pinned VF, or -1
  FamilySet on = 0;                      // constraint families that are on
};

// One copy of a VF: with y copies of VF j, each carries l_j / y of its load and 1/y of its traffic.
struct Copy {
  std::size_t chain = 0;
  std::uint32_t function = 0;
  std::uint32_t replica = 0;
  std::uint32_t replicas = 1;
  double load = 0;  // l_j / y_j
  int pinned = -1;  // node index, or -1
};

// What a copy adds to its node: CPU (instructions/s), RAM, and with model.bandwidth bytes/s sent and received.
struct Demand {
  int count = 0;
  double cpu = 0, ram = 0, out = 0, in = 0;
};

// The time terms of a copy on a node, in seconds: processing, sending its output, receiving its input.
using CopyTimes = std::array<double, 3>;

// "chain <id> VF <j>", for reasons.
std::string chain_vf(const Instance& in, std::size_t c, std::uint32_t j);

// The time to move `bytes` through the access link of `node`, as feasibility.cpp counts it: bytes / free
// bandwidth + latency, where 0/0 (nothing over a saturated link) counts as nothing.
double transfer_time(double bytes, const PlacementNode& node);

// The copies of `split`, by chain, function and replica; a pinned VF's copies keep its node.
std::vector<Copy> make_copies(const Instance& in, const Split& split);

// The nodes a copy may use, ascending: its pinned node, or (a free copy) every node not avoided (with avoid_on) nor
// closed (`closed` empty: none is).
std::vector<int> allowed_nodes(const Instance& in, const Copy& copy, bool avoid_on, const std::vector<bool>& closed);

Demand demand_of(const Instance& in, const Copy& copy);

// What the pinned copies among `copies` put on each node, [node index].
std::vector<Demand> pinned_demand(const Instance& in, const std::vector<Copy>& copies);

// Per-node limits (VF count, capacity, bandwidth) bind only on the nodes that receive a free copy
// (feasibility.cpp): a node that its `functions`, `used` and pinned copies (`base`, from pinned_demand) already put at
// (VF count) or over a limit of `families` is closed to free copies, and on every other node the limit holds whatever
// goes there. Returns closed[node index].
std::vector<bool> closed_nodes(const Instance& in, const std::vector<Demand>& base, FamilySet families);

// The time terms of `copy` on node `i`: processing l/cpu_i and, with `transfers` (model.bandwidth), the time to send
// its output to the next stage and to receive its input from the previous one, as feasibility.cpp counts them (a
// stage's time is the largest over its copies of each term). Terms that do not apply are 0.
CopyTimes copy_times(const Instance& in, const Copy& copy, int i, bool transfers);

// The sum of the three time terms.
double total_time(const CopyTimes& t);

// A lower bound on each stage's time, [c][j]: the fastest a copy of it can be on the nodes it may use
// (allowed_nodes with avoid_on and closed); milp::kInfinity for a stage with no such node.
std::vector<std::vector<double>> stage_floors(const Instance& in, const std::vector<Copy>& copies, bool avoid_on,
                                              const std::vector<bool>& closed, bool transfers);

}  // namespace vfo::exact
