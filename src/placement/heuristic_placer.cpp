#include "vfo/placement/heuristic_placer.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <numeric>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "placement/heuristic/construction.hpp"
#include "placement/heuristic/local_search.hpp"
#include "placement/heuristic/placement_state.hpp"
#include "placement/heuristic/replication.hpp"
#include "vfo/placement/feasibility.hpp"
#include "vfo/util/random.hpp"

// How the heuristic works (the contract is in heuristic_placer.hpp):
//
// 1. Copies. Every VF becomes y_j copies ("items") of load l_j / y_j; y_j = 1 until replication is needed.
// 2. Construction. Items in decreasing load (chains that failed an earlier attempt first, see 4), each to
//    the cheapest node that takes it: not avoided, a free VF slot (max_functions_per_node), CPU/RAM room
//    (capacity), free link bandwidth, no other copy of its chain (spread_chain), and the chain's frame time
//    still within 1/fps when the copies not yet placed count at a lower bound of their time (load / the
//    fastest speed; transfers over the best link with the least latency). Cost l^2 / cpu_i falls with
//    speed, so the cheapest node is the fastest that takes the item: nodes are kept in speed order in a max
//    segment tree over their free CPU, and a construction costs O(items x log nodes) plus the nodes skipped
//    for RAM, bandwidth, spread or time. Without bandwidth, time falls with speed too, so the fastest node
//    with room is also the quickest. With bandwidth (fast CPUs may sit behind slow links), an item takes the
//    cheapest node whose time over its lower bound stays within an equal share of the chain's slack among
//    its stages still open, else the quickest node.
// 3. Transfers. With model.bandwidth, a copy's share of a hop's time depends only on its own node
//    (bytes / link_free + latency), so a chain's frame time is a sum over stages of per-copy maxima, and a
//    copy's out/in bandwidth is known before its neighbours are placed.
// 4. Repair. An item that no node takes within the QoS time goes to the quickest node that takes it; then
//    copies of late chains move or exchange nodes with copies of other chains while the total lateness
//    falls. A chain still late, or one that found no node at all, fails the attempt; it is raised one
//    priority level for the next (its items go first; from level 2 on, with bandwidth, to the quickest
//    node), and from the third attempt on the order is also shaken by seeded noise. Attempts stop at
//    success, after kMaxAttempts, or when a chain misses its QoS time even at its lower bound.
// 5. Replication (model.replication, when step 4 fails). The authors' model per chain: minimise sum_j y_j
//    s.t. sum_j t(l_j) / y_j <= 1/fps, y_j <= max_replicas (1 if pinned), sum_j y_j <= nodes not avoided,
//    t(l) = l / mean speed of the nodes not avoided.
//    t(l)/y is convex in y, so adding copies one at a time where the time falls most is exactly optimal;
//    ties go as in the exact placer. Then steps 2-4 on the split chains. Beyond the authors' model, a split
//    chain that misses its QoS time on the real nodes (at its bound, or after half the attempts) gets one
//    more copy at a time: replication only lowers the time and the cost.
// 6. Improvement on the total cost: relocate (a copy to a faster node that takes it) and swap (a heavier
//    copy on a slower node exchanges nodes with a lighter one on a faster node, the best partner per copy)
//    in passes until none improves; then iterated local search, a seeded number of rounds scaled to the
//    instance (kExploreWork): a kick (ruin-and-recreate of the copies on 1-2 nodes, or 2 random moves),
//    relocate/swap, keep if cheaper. With capacity, a second start in decreasing load / fps (the cost per
//    unit of CPU capacity) gets the same treatment and the cheaper placement wins.
// 7. check_placement has the last word.
//
// Every choice is deterministic: the random stream has a fixed seed and the number of rounds does not
// depend on time (the time limit only cuts the work short, which the benchmarks never reach).
//
// Where each part lives: the items and the incremental bookkeeping of a placement in
// heuristic/placement_state.hpp (with heuristic/max_tree.hpp); steps 2 and 4 in heuristic/construction.hpp
// and heuristic/repair.hpp; step 5's copy counts in heuristic/replication.hpp; step 6 in
// heuristic/local_search.hpp. This file runs the attempts and phases, and checks and reports the answer.

namespace vfo {
namespace {

using heuristic::Clock;
using heuristic::Failure;
using heuristic::PlacementState;

constexpr int kMaxAttempts = 12;          // constructions per phase (unsplit, replicated)
constexpr long kMaxExploreRounds = 1000;  // iterated local search rounds, at most
constexpr double kExploreWork = 5e6;      // ... and about this many swap evaluations in all
// Appended to the reason when the final check_placement rejects the heuristic's own placement.
constexpr std::string_view kCheckFailed = " (the heuristic's placement failed check_placement)";
constexpr std::uint64_t kSeed = 20190601;  // the heuristic's random stream: fixed, so answers are repeatable

PlacementResult infeasible(std::string reason, Clock::time_point start) {
  PlacementResult r;
  r.status = PlacementStatus::infeasible;
  r.reason = std::move(reason);
  r.gap = -1;
  r.solver = "heuristic";
  r.solve_s = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

}  // namespace

PlacementResult HeuristicPlacer::place(const PlacementProblem& problem, const SolveLimits& limits) const {
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limits.time_limit_s));
  const PlacementModel& model = problem.model;
  if (model.bandwidth && !model.spread_chain) {
    return infeasible("invalid model: model.bandwidth needs model.spread_chain (every hop crosses the network)", start);
  }
  PlacementState state(problem, deadline);
  for (const auto& chain : problem.chains) {
    for (std::size_t j = 0; j < chain.functions.size(); ++j) {
      const auto& pin = chain.functions[j].pinned;
      if (pin && state.node_index(*pin) < 0) {
        return infeasible(fmt::format("pinned: chain {} VF {} is pinned to node {}, which is not in the problem",
                                      chain.id.value, j, pin->value),
                          start);
      }
    }
  }

  const auto chain_count = static_cast<std::uint32_t>(problem.chains.size());
  std::vector<std::vector<int>> y(chain_count);
  for (std::uint32_t c = 0; c < chain_count; ++c) y[c].assign(problem.chains[c].functions.size(), 1);
  std::vector<int> level(chain_count, 0);
  const long usable_nodes = std::count_if(problem.nodes.begin(), problem.nodes.end(),
                                          [](const PlacementNode& n) { return !n.avoid && n.speed_ips > 0; });
  std::string reason;
  bool placed = false;
  bool out_of_time = false;

  // One phase of attempts (steps 2-4, and with `split` the fallback copies of step 5).
  bool fatal = false;
  std::vector<std::uint32_t> last_failing;
  Rng rng(kSeed, "heuristic-placer");
  auto run_phase = [&](bool split) {
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
      if (attempt > 0 && state.past_deadline()) {
        out_of_time = true;
        return;
      }
      // A chain over its QoS time even at the lower bound cannot be helped by priority; split, it gets
      // copies until it is not (or no more are allowed).
      for (bool again = true; again;) {
        state.build(y);
        again = false;
        for (std::uint32_t c = 0; c < chain_count && !again; ++c) {
          if (!state.chain_hopeless(c)) continue;
          if (split && heuristic::add_copy(problem.chains[c], model, usable_nodes, y[c])) {
            again = true;
            continue;
          }
          reason = fmt::format("qos_time: chain {} cannot meet 1/fps = {:.6g} s even on the fastest nodes{}",
                               problem.chains[c].id.value, 1.0 / problem.chains[c].fps,
                               split ? " with as many copies as allowed" : "");
          return;
        }
      }
      // From the third attempt on, the order is shaken a little more each time (seeded: deterministic).
      const double noise = attempt >= 2 ? 0.05 * (attempt - 1) : 0.0;
      const std::vector<Failure> failures = heuristic::construct(state, level, false, noise, rng, fatal);
      if (failures.empty()) {
        placed = true;
        return;
      }
      reason = failures.front().reason;
      if (fatal) return;
      // Raise the chains that failed; when the same chains failed as last time, raising them all would
      // change nothing between them: raise the worst only.
      std::vector<std::uint32_t> failing;
      for (const Failure& f : failures) failing.push_back(f.chain);
      std::sort(failing.begin(), failing.end());
      const bool same = failing == last_failing;
      last_failing = failing;
      const Failure* worst = &failures.front();
      for (const Failure& f : failures) {
        if (f.severity > worst->severity) worst = &f;
      }
      for (const Failure& f : failures) {
        if (same && &f != worst) continue;
        // Split, once half the attempts failed with the authors' copies, a late chain gets one more copy
        // (beyond the authors' model).
        if (split && f.family == "qos_time" && attempt >= kMaxAttempts / 2) {
          heuristic::add_copy(problem.chains[f.chain], model, usable_nodes, y[f.chain]);
        }
        ++level[f.chain];
      }
    }
  };

  run_phase(false);
  if (!placed && !out_of_time && !fatal && model.replication && chain_count > 0) {
    for (std::uint32_t c = 0; c < chain_count; ++c) {
      y[c] = heuristic::authors_replicas(problem.chains[c], model, state.mean_speed(), usable_nodes);
    }
    run_phase(true);
  }
  if (!placed) {
    if (out_of_time) {
      PlacementResult r = infeasible(fmt::format("time limit of {} s reached before a placement was found{}{}",
                                                 limits.time_limit_s, reason.empty() ? "" : "; last: ", reason),
                                     start);
      r.status = PlacementStatus::time_limit;
      return r;
    }
    return infeasible(reason, start);
  }

  long items = 0;
  for (const auto& row : y) items += std::accumulate(row.begin(), row.end(), 0L);
  // Local search, then iterated local search for as many rounds as keep its work near kExploreWork swap
  // evaluations.
  const long move_budget = std::max(1000L, 50 * items);
  const long rounds =
      std::min(kMaxExploreRounds, static_cast<long>(kExploreWork / (1.0 + static_cast<double>(items) * items)));
  heuristic::improve(state, move_budget);
  heuristic::explore(state, rng, rounds, move_budget);
  if (model.capacity) {
    // A second start, in the order that suits packing CPU capacity; the cheaper result is kept.
    const std::vector<int> first = state.assignment();
    const double first_cost = state.cost();
    bool second_fatal = false;
    const bool second = heuristic::construct(state, level, true, 0, rng, second_fatal).empty();
    if (second) {
      heuristic::improve(state, move_budget);
      heuristic::explore(state, rng, rounds, move_budget);
    }
    if (!second || state.cost() >= first_cost) state.restore(first);
  }

  PlacementResult result;
  result.placed = state.placement();
  if (const Status check = check_placement(problem, result.placed); !check.is_ok()) {
    return infeasible(check.message() + std::string(kCheckFailed), start);  // a bug: never in tests
  }
  result.status = PlacementStatus::feasible;
  // Detail, as the exact placer gives it: which VFs were split.
  for (std::uint32_t c = 0; c < chain_count; ++c) {
    for (std::size_t j = 0; j < y[c].size(); ++j) {
      if (y[c][j] <= 1) continue;
      result.reason += fmt::format("{}chain {} VF {} x {}", result.reason.empty() ? "replicated " : ", ",
                                   problem.chains[c].id.value, j, y[c][j]);
    }
  }
  result.objective = total_cost(problem, result.placed);
  result.bound = 0;
  result.gap = -1;
  result.solver = "heuristic";
  result.solve_s = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace vfo
