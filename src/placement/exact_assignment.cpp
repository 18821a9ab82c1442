#include "placement/exact_assignment.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <limits>
#include <string>
#include <unordered_map>
#include <utility>

namespace vfo::exact {

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

}  // namespace

bool is_assignment(const PlacementProblem& problem) {
  const PlacementModel& m = problem.model;
  return problem.chains.size() == 1 && !m.qos_time && !m.bandwidth && !m.replication &&
         (m.spread_chain || m.max_functions_per_node == 1);
}

std::vector<int> min_cost_assignment(const std::vector<std::vector<double>>& cost) {
  const std::size_t rows = cost.size();
  if (rows == 0) return {};
  const std::size_t cols = cost.front().size();
  if (rows > cols) return {};
  // 1-based, column 0 is the virtual start of each augmenting path; row_of[c] is the row in column c.
  std::vector<double> row_potential(rows + 1, 0), col_potential(cols + 1, 0);
  std::vector<std::size_t> row_of(cols + 1, 0), came_from(cols + 1, 0);
  for (std::size_t r = 1; r <= rows; ++r) {
    row_of[0] = r;
    std::size_t col = 0;
    std::vector<double> reach(cols + 1, kInf);  // least reduced cost of a path to each column
    std::vector<bool> done(cols + 1, false);
    do {
      done[col] = true;
      const std::size_t row = row_of[col];
      double delta = kInf;
      std::size_t next = 0;
      for (std::size_t c = 1; c <= cols; ++c) {
        if (done[c]) continue;
        const double reduced = cost[row - 1][c - 1] - row_potential[row] - col_potential[c];
        if (reduced < reach[c]) {
          reach[c] = reduced;
          came_from[c] = col;
        }
        if (reach[c] < delta) {
          delta = reach[c];
          next = c;
        }
      }
      if (delta == kInf) return {};  // no column left that this row (or one it could displace) may take
      for (std::size_t c = 0; c <= cols; ++c) {
        if (done[c]) {
          row_potential[row_of[c]] += delta;
          col_potential[c] -= delta;
        } else {
          reach[c] -= delta;
        }
      }
      col = next;
    } while (row_of[col] != 0);
    do {  // flip the path
      const std::size_t prev = came_from[col];
      row_of[col] = row_of[prev];
      col = prev;
    } while (col != 0);
  }
  std::vector<int> column(rows, -1);
  for (std::size_t c = 1; c <= cols; ++c) {
    if (row_of[c] != 0) column[row_of[c] - 1] = static_cast<int>(c - 1);
  }
  return column;
}

PlacementResult solve_assignment(const PlacementProblem& problem) {
  const PlacementModel& model = problem.model;
  const PlacementChain& chain = problem.chains.front();
  PlacementResult result;
  result.status = PlacementStatus::infeasible;

  std::unordered_map<std::uint32_t, std::size_t> index;
  for (std::size_t i = 0; i < problem.nodes.size(); ++i) index[problem.nodes[i].id.value] = i;
  // What the chain's pinned VFs add to their nodes.
  std::vector<Resources> pinned_load(problem.nodes.size());
  std::vector<int> pinned_count(problem.nodes.size(), 0);
  std::vector<std::uint32_t> free_vfs;
  for (std::uint32_t j = 0; j < chain.functions.size(); ++j) {
    const PlacementFunction& f = chain.functions[j];
    result.placed.push_back({chain.id, j, 0, 1, f.pinned.value_or(NodeId{}), f.load_ipf});
    if (!f.pinned) {
      free_vfs.push_back(j);
      continue;
    }
    const std::size_t i = index.at(f.pinned->value);
    pinned_load[i] += Resources{f.load_ipf * chain.fps, f.ram_bytes};
    ++pinned_count[i];
  }
  if (model.spread_chain) {
    for (std::size_t i = 0; i < problem.nodes.size(); ++i) {
      if (pinned_count[i] < 2) continue;
      result.placed.clear();
      result.reason = fmt::format("spread_chain: chain {} has {} pinned VFs on node {}", chain.id.value,
                                  pinned_count[i], problem.nodes[i].id.value);
      return result;
    }
  }
  if (free_vfs.empty()) {
    result.status = PlacementStatus::optimal;
    return result;
  }

  // Which constraint rules each node out for every free VF, for the reason when too few nodes are left.
  std::vector<std::vector<double>> cost(free_vfs.size(), std::vector<double>(problem.nodes.size(), kInf));
  std::size_t usable = 0;  // nodes that may take at least one of the free VFs
  int avoided = 0, full = 0, taken_by_chain = 0, no_room = 0;
  for (std::size_t i = 0; i < problem.nodes.size(); ++i) {
    const PlacementNode& node = problem.nodes[i];
    if (node.avoid) {
      ++avoided;
      continue;
    }
    if (model.max_functions_per_node > 0 && node.functions + pinned_count[i] + 1 > model.max_functions_per_node) {
      ++full;
      continue;
    }
    if (model.spread_chain && pinned_count[i] > 0) {
      ++taken_by_chain;
      continue;
    }
    PlacementNode loaded = node;
    loaded.used += pinned_load[i];
    bool any = false;
    for (std::size_t r = 0; r < free_vfs.size(); ++r) {
      const PlacementFunction& f = chain.functions[free_vfs[r]];
      if (model.capacity && !Resources{f.load_ipf * chain.fps, f.ram_bytes}.fits_within(loaded.capacity - loaded.used))
        continue;
      cost[r][i] = copy_cost(model, loaded, f.load_ipf, chain.fps);
      any = true;
    }
    if (any) {
      ++usable;
    } else {
      ++no_room;
    }
  }
  const std::vector<int> column = usable >= free_vfs.size() ? min_cost_assignment(cost) : std::vector<int>{};
  if (column.empty()) {
    // Named after the constraint that ruled out the most nodes (capacity when the usable nodes are enough in
    // number but not in room for the VFs they would have to take).
    const char* family = "capacity";
    int most = no_room;
    for (const auto& [name, count] : {std::pair{"avoid", avoided}, std::pair{"max_functions_per_node", full},
                                      std::pair{"spread_chain", taken_by_chain}}) {
      if (count > most) {
        family = name;
        most = count;
      }
    }
    if (usable >= free_vfs.size()) family = "capacity";
    result.placed.clear();
    result.reason = fmt::format(
        "{}: chain {} has {} VFs to place; of the {} nodes, {} are avoided, {} have no VF slot left "
        "(max_functions_per_node), {} hold another VF of the chain (spread_chain) and {} have no room (capacity); "
        "the {} left cannot take one VF each",
        family, chain.id.value, free_vfs.size(), problem.nodes.size(), avoided, full, taken_by_chain, no_room, usable);
    return result;
  }
  for (std::size_t r = 0; r < free_vfs.size(); ++r) {
    result.placed[free_vfs[r]].node = problem.nodes[static_cast<std::size_t>(column[r])].id;
  }
  result.status = PlacementStatus::optimal;
  return result;
}

}  // namespace vfo::exact
