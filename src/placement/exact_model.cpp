#include "placement/exact_model.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>

namespace vfo::exact {

PlacementMilp build_placement_milp(const Instance& in, const Split& split, FamilySet families, bool with_cost,
                                   double margin) {
  const PlacementProblem& problem = in.problem;
  const PlacementModel& model = problem.model;
  const auto has = [&](Family f) { return (families & bit(f)) != 0; };
  const auto tight = [&](double rhs) { return rhs - margin * std::max(1.0, std::abs(rhs)); };
  const std::size_t n_nodes = problem.nodes.size();

  PlacementMilp pm;
  pm.copies = make_copies(in, split);
  pm.stage.resize(problem.chains.size());
  for (std::size_t c = 0; c < problem.chains.size(); ++c) pm.stage[c].resize(problem.chains[c].functions.size());
  for (std::size_t k = 0; k < pm.copies.size(); ++k) pm.stage[pm.copies[k].chain][pm.copies[k].function].push_back(k);

  milp::Model& m = pm.model;
  const std::vector<Demand> base = pinned_demand(in, pm.copies);
  const std::vector<bool> closed = closed_nodes(in, base, families);
  const bool transfers = has(Family::bandwidth);
  const auto floor = stage_floors(in, pm.copies, has(Family::avoid), closed, transfers);
  // A free copy gets no column on a node where it alone breaks a limit that is on: its demand next to what is
  // already there, or its time next to the fastest the other stages of its chain can be.
  const auto hopeless = [&](const Copy& copy, int i) {
    const PlacementNode& node = problem.nodes[static_cast<std::size_t>(i)];
    const Demand& b = base[static_cast<std::size_t>(i)];
    const Demand d = demand_of(in, copy);
    if (has(Family::capacity) && (exceeds(node.used.cpu_ips + b.cpu + d.cpu, node.capacity.cpu_ips) ||
                                  exceeds(node.used.ram_bytes + b.ram + d.ram, node.capacity.ram_bytes))) {
      return true;
    }
    if (has(Family::bandwidth) &&
        (exceeds(b.out + d.out, node.link_free_bps) || exceeds(b.in + d.in, node.link_free_bps))) {
      return true;
    }
    if (has(Family::qos_time)) {
      const PlacementChain& chain = problem.chains[copy.chain];
      double time = total_time(copy_times(in, copy, i, transfers));
      for (std::uint32_t j = 0; j < chain.functions.size(); ++j)
        time += j == copy.function ? 0.0 : floor[copy.chain][j];
      if (exceeds(time, 1.0 / chain.fps)) return true;
    }
    return false;
  };
  pm.columns.resize(pm.copies.size());
  for (std::size_t k = 0; k < pm.copies.size(); ++k) {
    const Copy& copy = pm.copies[k];
    const int assign = m.add_row(1, 1);
    for (int i : allowed_nodes(in, copy, has(Family::avoid), closed)) {
      if (copy.pinned < 0 && hopeless(copy, i)) continue;
      const PlacementNode& node = problem.nodes[static_cast<std::size_t>(i)];
      // With PlacementCost::load, each column costs its copy as if alone on the node (copy_cost): exact when a
      // node takes at most one copy, without the cross terms otherwise.
      const double fps = problem.chains[copy.chain].fps;
      const double cost = with_cost ? copy_cost(problem.model, node, copy.load, fps) : 0.0;
      const int col = m.add_column(copy.pinned >= 0 ? 1 : 0, 1, cost, true);
      m.add_entry(assign, col, 1);
      pm.columns[k].emplace_back(i, col);
    }
  }
  // Columns of every copy on node i (pinned ones included: constants in the per-node rows).
  std::vector<std::vector<std::pair<std::size_t, int>>> on_node(n_nodes);  // (copy, column)
  std::vector<bool> takes_free(n_nodes, false);
  for (std::size_t k = 0; k < pm.copies.size(); ++k) {
    for (const auto& [i, col] : pm.columns[k]) {
      on_node[static_cast<std::size_t>(i)].emplace_back(k, col);
      if (pm.copies[k].pinned < 0) takes_free[static_cast<std::size_t>(i)] = true;
    }
  }

  for (std::size_t i = 0; i < n_nodes; ++i) {
    const PlacementNode& node = problem.nodes[i];
    if (!takes_free[i]) continue;  // per-node limits bind only where a free copy may go
    if (has(Family::max_functions_per_node) && model.max_functions_per_node > 0) {
      const int row = m.add_row(-milp::kInfinity, model.max_functions_per_node - node.functions);
      for (const auto& [k, col] : on_node[i]) m.add_entry(row, col, 1);
    }
    if (has(Family::capacity)) {
      const double cpu_scale = std::max(1.0, std::abs(node.capacity.cpu_ips));
      const double ram_scale = std::max(1.0, std::abs(node.capacity.ram_bytes));
      const int cpu = m.add_row(-milp::kInfinity, tight((node.capacity.cpu_ips - node.used.cpu_ips) / cpu_scale));
      const int ram = m.add_row(-milp::kInfinity, tight((node.capacity.ram_bytes - node.used.ram_bytes) / ram_scale));
      for (const auto& [k, col] : on_node[i]) {
        const Demand d = demand_of(in, pm.copies[k]);
        m.add_entry(cpu, col, d.cpu / cpu_scale);
        m.add_entry(ram, col, d.ram / ram_scale);
      }
    }
    if (has(Family::bandwidth)) {
      const double scale = std::max(1.0, std::abs(node.link_free_bps));
      const int out = m.add_row(-milp::kInfinity, tight(node.link_free_bps / scale));
      const int in_row = m.add_row(-milp::kInfinity, tight(node.link_free_bps / scale));
      for (const auto& [k, col] : on_node[i]) {
        const Demand d = demand_of(in, pm.copies[k]);
        m.add_entry(out, col, d.out / scale);
        m.add_entry(in_row, col, d.in / scale);
      }
    }
  }

  if (has(Family::spread_chain)) {
    for (std::size_t c = 0; c < problem.chains.size(); ++c) {
      std::vector<std::vector<int>> cols(n_nodes);
      for (const auto& copies : pm.stage[c]) {
        for (std::size_t k : copies) {
          for (const auto& [i, col] : pm.columns[k]) cols[static_cast<std::size_t>(i)].push_back(col);
        }
      }
      for (const auto& node_cols : cols) {
        if (node_cols.size() < 2) continue;
        const int row = m.add_row(-milp::kInfinity, 1);
        for (int col : node_cols) m.add_entry(row, col, 1);
      }
    }
  }

  if (has(Family::qos_time)) {
    for (std::size_t c = 0; c < problem.chains.size(); ++c) {
      const PlacementChain& chain = problem.chains[c];
      const double fps = chain.fps;
      const int budget = m.add_row(-milp::kInfinity, tight(1.0));
      for (std::uint32_t j = 0; j < chain.functions.size(); ++j) {
        if (split[c][j] == 1) {  // the copy's own times, directly
          const std::size_t k = pm.stage[c][j].front();
          for (const auto& [i, col] : pm.columns[k]) {
            const double t = fps * total_time(copy_times(in, pm.copies[k], i, transfers));
            if (std::isfinite(t)) {
              m.add_entry(budget, col, t);
            } else {
              m.set_column_bounds(col, pm.copies[k].pinned >= 0 ? 1 : 0, 0);  // within no budget
            }
          }
          continue;
        }
        // Several copies: one variable per time term, at least that term of every copy.
        const bool has_term[3] = {true, transfers && j + 1 < chain.functions.size(), transfers && j > 0};
        for (std::size_t term = 0; term < 3; ++term) {
          if (!has_term[term]) continue;
          const int stage_time = m.add_column(0, milp::kInfinity, 0, false);
          m.add_entry(budget, stage_time, 1);
          for (std::size_t k : pm.stage[c][j]) {
            const int row = m.add_row(0, milp::kInfinity);
            m.add_entry(row, stage_time, 1);
            for (const auto& [i, col] : pm.columns[k])
              m.add_entry(row, col, -fps * copy_times(in, pm.copies[k], i, transfers)[term]);
          }
        }
      }
    }
  }
  return pm;
}

std::vector<PlacedFunction> extract_placement(const Instance& in, const PlacementMilp& pm,
                                              const std::vector<double>& values) {
  std::vector<PlacedFunction> placed;
  placed.reserve(pm.copies.size());
  for (std::size_t k = 0; k < pm.copies.size(); ++k) {
    const Copy& copy = pm.copies[k];
    int best_node = -1;
    double best_value = -1;
    for (const auto& [i, col] : pm.columns[k]) {
      if (values[static_cast<std::size_t>(col)] > best_value) {
        best_value = values[static_cast<std::size_t>(col)];
        best_node = i;
      }
    }
    assert(best_node >= 0 && best_value > 0.5);
    const PlacementChain& chain = in.problem.chains[copy.chain];
    placed.push_back({chain.id, copy.function, copy.replica, copy.replicas,
                      in.problem.nodes[static_cast<std::size_t>(best_node)].id, copy.load});
  }
  return placed;
}

}  // namespace vfo::exact
