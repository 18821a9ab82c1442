#pragma once
// A reference placer by exhaustive enumeration, for tiny instances in tests only (a few nodes, a handful of VF
// copies). It shares no code with ExactPlacer: it enumerates assignments of copies to nodes, lets check_placement
// decide which are feasible and keeps the cheapest by total_cost.
//
// The enumeration skips only assignments that check_placement would reject for an evident reason (a free copy on an
// avoided node, a pinned VF off its node, two copies of one chain on a node under spread_chain, a free copy on a
// node already full under max_functions_per_node) and, for copies of one VF (which are interchangeable), every order of
// them but one (node indices ascending). It stops extending a partial assignment whose cost already reaches the best
// found (costs are non-negative).
//
// Replication (model.replication, only when no unreplicated placement exists) follows the authors' model and the
// tie-break rule of ExactPlacer (exact_placer.cpp): enumerate y_f in 1..max_replicas for every free VF (pinned VFs
// have y = 1); keep the y with, for every chain (with qos_time), sum_j t(l_j) / y_j <= 1/fps, where
// t(l) = l / (mean speed of the nodes not avoided), and sum of all y <= number of nodes not avoided; among those of
// minimal sum y take the lexicographically largest y with the free VFs ordered by load descending, then chain order,
// then position in the chain. If that y is all ones, or none exists, the problem is infeasible; otherwise the split
// problem (copies of load l_j / y_j) is enumerated.
#include <algorithm>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "vfo/placement/feasibility.hpp"
#include "vfo/placement/placement_problem.hpp"
#include "vfo/placement/placement_result.hpp"

namespace vfo::reference {

struct BruteForceResult {
  bool feasible = false;
  double objective = 0;
  std::vector<PlacedFunction> placed;
  std::vector<std::vector<std::uint32_t>> replicas;  // [chain][function]: copies of the placement (1 without)
  std::uint64_t leaves = 0;                          // complete assignments given to check_placement
};

namespace brute_force_detail {

struct Search {
  const PlacementProblem& problem;
  std::vector<PlacedFunction> copies;  // node filled in by the search
  static constexpr int kFree = -1;     // in `pinned`; -2: pinned to a node not in the problem (no placement)
  std::vector<int> pinned;             // per copy: node index, kFree, or -2
  std::vector<int> node_of;            // per copy: chosen node index
  std::vector<int> count;              // per node: copies placed so far
  BruteForceResult best;

  void run(std::size_t k, double cost) {
    if (best.feasible && cost >= best.objective) return;
    if (k == copies.size()) {
      ++best.leaves;
      if (!check_placement(problem, copies).is_ok()) return;
      const double total = total_cost(problem, copies);
      if (!best.feasible || total < best.objective) {
        best.feasible = true;
        best.objective = total;
        best.placed = copies;
      }
      return;
    }
    const PlacementModel& model = problem.model;
    for (int i = 0; i < static_cast<int>(problem.nodes.size()); ++i) {
      const PlacementNode& node = problem.nodes[static_cast<std::size_t>(i)];
      if (pinned[k] != kFree ? i != pinned[k] : node.avoid) continue;
      // A node that receives a free copy must hold at most max_functions_per_node VFs in the end.
      if (pinned[k] == kFree && model.max_functions_per_node > 0 &&
          count[static_cast<std::size_t>(i)] + node.functions >= model.max_functions_per_node) {
        continue;
      }
      bool skip = false;
      for (std::size_t q = 0; q < k && !skip; ++q) {
        if (copies[q].chain != copies[k].chain || node_of[q] != i) continue;
        skip = model.spread_chain;
      }
      if (skip) continue;
      if (copies[k].replica > 0) {  // copies of one VF on ascending nodes
        const int previous = node_of[k - 1];
        if (model.spread_chain ? i <= previous : i < previous) continue;
      }
      node_of[k] = i;
      copies[k].node = node.id;
      ++count[static_cast<std::size_t>(i)];
      run(k + 1, cost + placement_cost(copies[k].load_ipf, node.speed_ips));
      --count[static_cast<std::size_t>(i)];
    }
  }
};

inline BruteForceResult enumerate(const PlacementProblem& problem, const std::vector<std::vector<std::uint32_t>>& y) {
  Search search{problem, {}, {}, {}, std::vector<int>(problem.nodes.size(), 0), {}};
  for (std::size_t c = 0; c < problem.chains.size(); ++c) {
    const PlacementChain& chain = problem.chains[c];
    for (std::uint32_t j = 0; j < chain.functions.size(); ++j) {
      const PlacementFunction& f = chain.functions[j];
      int pinned = f.pinned ? -2 : Search::kFree;
      for (std::size_t i = 0; i < problem.nodes.size(); ++i) {
        if (f.pinned && problem.nodes[i].id == *f.pinned) pinned = static_cast<int>(i);
      }
      for (std::uint32_t r = 0; r < y[c][j]; ++r) {
        search.copies.push_back({chain.id, j, r, y[c][j], NodeId(), f.load_ipf / y[c][j]});
        search.pinned.push_back(pinned);
      }
    }
  }
  search.node_of.assign(search.copies.size(), -1);
  search.run(0, 0);
  search.best.replicas = y;
  return search.best;
}

}  // namespace brute_force_detail

inline BruteForceResult brute_force_place(const PlacementProblem& problem) {
  using Y = std::vector<std::vector<std::uint32_t>>;
  Y ones;
  for (const auto& chain : problem.chains) ones.emplace_back(chain.functions.size(), 1u);
  BruteForceResult plain = brute_force_detail::enumerate(problem, ones);
  if (plain.feasible || !problem.model.replication) return plain;

  // The replication model, by enumeration of y.
  int available = 0;
  double speed_sum = 0;
  for (const auto& node : problem.nodes) {
    if (!node.avoid) {
      ++available;
      speed_sum += node.speed_ips;
    }
  }
  if (available == 0) return plain;
  const double mean_speed = speed_sum / available;
  struct Vf {
    std::size_t chain;
    std::uint32_t function;
    double load;
    bool pinned;
  };
  std::vector<Vf> vfs;
  for (std::size_t c = 0; c < problem.chains.size(); ++c) {
    for (std::uint32_t j = 0; j < problem.chains[c].functions.size(); ++j) {
      const auto& f = problem.chains[c].functions[j];
      vfs.push_back({c, j, f.load_ipf, f.pinned.has_value()});
    }
  }
  // Tie-break order of the free VFs.
  std::vector<std::size_t> order;
  for (std::size_t v = 0; v < vfs.size(); ++v) {
    if (!vfs[v].pinned) order.push_back(v);
  }
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return vfs[a].load > vfs[b].load; });

  const std::uint32_t max_replicas = static_cast<std::uint32_t>(std::max(1, problem.model.max_replicas));
  std::vector<std::uint32_t> y(vfs.size(), 1);
  std::vector<std::uint32_t> best_y;
  std::uint32_t best_sum = std::numeric_limits<std::uint32_t>::max();
  const auto satisfies = [&] {
    const std::uint32_t sum = std::accumulate(y.begin(), y.end(), 0u);
    if (sum > static_cast<std::uint32_t>(available)) return false;
    if (!problem.model.qos_time) return true;
    for (std::size_t c = 0; c < problem.chains.size(); ++c) {
      double time = 0;
      for (std::size_t v = 0; v < vfs.size(); ++v) {
        if (vfs[v].chain == c) time += vfs[v].load / mean_speed / y[v];
      }
      if (time > (1.0 / problem.chains[c].fps) * (1 + 1e-9)) return false;
    }
    return true;
  };
  const auto lex_greater = [&](const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
    for (std::size_t v : order) {
      if (a[v] != b[v]) return a[v] > b[v];
    }
    return false;
  };
  // Every y over the free VFs (an odometer over `order`).
  while (true) {
    if (satisfies()) {
      const std::uint32_t sum = std::accumulate(y.begin(), y.end(), 0u);
      if (sum < best_sum || (sum == best_sum && lex_greater(y, best_y))) {
        best_sum = sum;
        best_y = y;
      }
    }
    std::size_t p = 0;
    while (p < order.size() && y[order[p]] == max_replicas) y[order[p++]] = 1;
    if (p == order.size()) break;
    ++y[order[p]];
  }
  if (best_y.empty() || std::all_of(best_y.begin(), best_y.end(), [](std::uint32_t v) { return v == 1; })) {
    return plain;
  }
  Y split = ones;
  for (std::size_t v = 0; v < vfs.size(); ++v) split[vfs[v].chain][vfs[v].function] = best_y[v];
  BruteForceResult replicated = brute_force_detail::enumerate(problem, split);
  replicated.leaves += plain.leaves;
  return replicated;
}

}  // namespace vfo::reference
