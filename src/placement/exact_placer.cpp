// ExactPlacer: the placement problem as a MILP on CBC (through milp_solver.hpp).
//
// Main model (one per split of the chains into copies; without replication every VF is one copy):
//   x_ki in {0,1}   copy k on node i, for the nodes k may use: its pinned node (fixed to 1) or, for a free copy,
//                   every node not avoided, not closed (below), and where the copy alone breaks no limit that is on
//                   (its demand next to what is there, its time next to the fastest the rest of its chain can be)
//   P_s, S_s, R_s >= 0 (continuous, only for a stage s with y_s > 1 copies): its processing time, send time and
//                   receive time, each the maximum over its copies, in units of the chain's 1/fps
//   min sum_ki c_i(l_k) x_ki  with c_i(l) = l^2 / cpu_i and l_k = l_j / y_j
//   assign:                 sum_i x_ki = 1                                                     for every copy k
//   max_functions_per_node: sum_k x_ki <= M - functions_i                                      for every node i
//   spread_chain:           sum_{k in chain} x_ki <= 1                                          for every chain, node
//   capacity:               sum_k l_k fps x_ki <= cpu capacity_i - used_i, same for RAM       for every node i
//   bandwidth:              sum_{k of stage j < last} out_j / y_j fps x_ki <= link_free_i (sent)   for every node i
//                           sum_{k of stage j > 0} out_{j-1} / y_j fps x_ki <= link_free_i (received)
//   qos_time:               sum over the chain's stages of fps * stage time <= 1                for every chain
//     where a single-copy stage contributes sum_i fps (l/cpu_i + send_i + receive_i) x_ki directly, and a stage
//     with several copies contributes P_s + S_s + R_s with P_s >= sum_i fps l_k/cpu_i x_ki for each copy k (and
//     likewise S_s, R_s with the transfer times send_i = (out_j/y_j)/link_free_i + latency_i and
//     receive_i = (out_{j-1}/y_j)/link_free_i + latency_i, counted only with model.bandwidth).
// Per-node rows count pinned copies as constants and exist only for nodes a free copy may use: as in
// feasibility.cpp, per-node limits bind only on nodes that receive a free copy, so a node that its `functions`,
// `used` and pinned copies already put at or over a limit (of a family that is on) is closed to free copies.
// Capacity, bandwidth and qos rows are scaled to O(1) coefficients (by the capacity, the free bandwidth and fps).
//
// Replication model (the authors', solved only when the main model is infeasible and model.replication is on):
//   z_fk in {0,1} for every free VF f and k = 1..max_replicas; y_f = sum_k k z_fk; pinned VFs have y = 1
//   sum_k z_fk = 1;  per chain (with qos_time): sum_f sum_k t(l_f) / k z_fk <= 1/fps (pinned VFs count t(l));
//   sum_f y_f <= number of nodes not avoided (pinned VFs count 1 each); t(l) = l / mean speed of the nodes not
//   avoided; minimise sum_f y_f.
//   Tie-break among the y of minimal sum: the lexicographically largest y with the free VFs ordered by load
//   descending (largest t(l) first), then chain order in the problem, then position in the chain. Solved exactly
//   by further small MILPs: fix sum y to its minimum, then maximise y of each VF in that order and fix it.
//
// Infeasibility is explained by cheap necessary conditions first, then by dropping one constraint family at a
// time (qos_time, capacity, max_functions_per_node, spread_chain, bandwidth, avoid, in that order): the families
// whose removal makes the model feasible bind, the first one named first ("capacity (also: qos_time): ...").
#include "vfo/placement/exact_placer.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <chrono>
#include <cmath>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "placement/milp_solver.hpp"
#include "vfo/placement/feasibility.hpp"

namespace vfo {

namespace {

using Clock = std::chrono::steady_clock;

// The wall-clock budget shared by every MILP of one call.
class Deadline {
 public:
  static constexpr double kLongest = 1e9;  // seconds; longer limits (or infinity) are clamped to it

  Deadline(Clock::time_point start, double seconds)
      : end_(start + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(std::clamp(seconds, 0.0, kLongest)))) {}
  double remaining_s() const { return std::chrono::duration<double>(end_ - Clock::now()).count(); }

 private:
  Clock::time_point end_;
};

// Same tolerance as feasibility.cpp, so that a necessary condition never rejects what check_placement accepts.
bool exceeds(double value, double limit) {
  return value > limit + 1e-9 * std::max(1.0, limit);
}

// Constraint families, in the order in which an infeasibility is attributed to them.
enum class Family { qos_time, capacity, max_functions_per_node, spread_chain, bandwidth, avoid };
constexpr std::array kFamilies = {Family::qos_time,     Family::capacity,  Family::max_functions_per_node,
                                  Family::spread_chain, Family::bandwidth, Family::avoid};
using FamilySet = unsigned;
constexpr FamilySet bit(Family f) {
  return 1u << static_cast<unsigned>(f);
}

const char* family_name(Family f) {
  switch (f) {
    case Family::qos_time:
      return "qos_time";
    case Family::capacity:
      return "capacity";
    case Family::max_functions_per_node:
      return "max_functions_per_node";
    case Family::spread_chain:
      return "spread_chain";
    case Family::bandwidth:
      return "bandwidth";
    case Family::avoid:
      return "avoid";
  }
  return "?";
}

const char* family_meaning(Family f) {
  switch (f) {
    case Family::qos_time:
      return "no placement keeps every chain's frame time within 1/fps";
    case Family::capacity:
      return "no placement fits within the nodes' CPU and RAM capacity";
    case Family::max_functions_per_node:
      return "no placement respects the number of VFs allowed per node";
    case Family::spread_chain:
      return "no placement puts the VFs of each chain on distinct nodes";
    case Family::bandwidth:
      return "no placement fits within the free bandwidth of the nodes' links";
    case Family::avoid:
      return "no placement keeps the free VFs off the nodes to be avoided";
  }
  return "?";
}

// Copies per VF: split[c][j] = y for VF j of chain c (index in problem.chains).
using Split = std::vector<std::vector<std::uint32_t>>;

// The problem with its node ids resolved to indices.
struct Instance {
  const PlacementProblem& problem;
  std::vector<std::vector<int>> pinned;  // [c][j]: node index of a pinned VF, or -1
  FamilySet on = 0;                      // constraint families that are on
};

// The time to move `bytes` through the access link of `node`, as feasibility.cpp counts it: bytes / free
// bandwidth + latency, where 0/0 (nothing over a saturated link) counts as nothing.
double transfer_time(double bytes, const PlacementNode& node) {
  const double t = bytes / node.link_free_bps + node.latency_s;
  return std::isnan(t) ? 0.0 : t;
}

// ---------------------------------------------------------------------------------------------------------------
// The main model.

struct Copy {
  std::size_t chain = 0;
  std::uint32_t function = 0;
  std::uint32_t replica = 0;
  std::uint32_t replicas = 1;
  double load = 0;  // l_j / y_j
  int pinned = -1;  // node index, or -1
};

struct PlacementMilp {
  milp::Model model;
  std::vector<Copy> copies;                                  // by chain, function, replica
  std::vector<std::vector<std::pair<int, int>>> columns;     // [copy]: (node index, column of x)
  std::vector<std::vector<std::vector<std::size_t>>> stage;  // [c][j]: indices in `copies`
};

// The nodes a copy may use: its pinned node, or (a free copy) every node not avoided (with avoid_on) nor closed.
std::vector<int> allowed_nodes(const Instance& in, const Copy& copy, bool avoid_on, const std::vector<bool>& closed) {
  if (copy.pinned >= 0) return {copy.pinned};
  std::vector<int> nodes;
  for (std::size_t i = 0; i < in.problem.nodes.size(); ++i) {
    if ((!avoid_on || !in.problem.nodes[i].avoid) && (closed.empty() || !closed[i])) {
      nodes.push_back(static_cast<int>(i));
    }
  }
  return nodes;
}

// What a copy adds to its node: CPU (instructions/s), RAM, and with model.bandwidth bytes/s sent and received.
struct Demand {
  int count = 0;
  double cpu = 0, ram = 0, out = 0, in = 0;
};

Demand demand_of(const Instance& in, const Copy& copy) {
  const PlacementChain& chain = in.problem.chains[copy.chain];
  const std::uint32_t j = copy.function;
  Demand d{1, copy.load * chain.fps, chain.functions[j].ram_bytes, 0, 0};
  if (in.problem.model.bandwidth) {
    if (j + 1 < chain.functions.size()) d.out = chain.functions[j].output_bytes_per_frame / copy.replicas * chain.fps;
    if (j > 0) d.in = chain.functions[j - 1].output_bytes_per_frame / copy.replicas * chain.fps;
  }
  return d;
}

// What the pinned copies put on each node.
std::vector<Demand> pinned_demand(const Instance& in, const std::vector<Copy>& copies) {
  std::vector<Demand> base(in.problem.nodes.size());
  for (const Copy& copy : copies) {
    if (copy.pinned < 0) continue;
    const Demand d = demand_of(in, copy);
    Demand& b = base[static_cast<std::size_t>(copy.pinned)];
    b.count += d.count;
    b.cpu += d.cpu;
    b.ram += d.ram;
    b.out += d.out;
    b.in += d.in;
  }
  return base;
}

// Per-node limits (VF count, capacity, bandwidth) bind only on the nodes that receive a free copy
// (feasibility.cpp): a node that its `functions`, `used` and pinned copies already put at (VF count) or over a limit
// of `families` is closed to free copies, and on every other node the limit holds whatever goes there.
std::vector<bool> closed_nodes(const Instance& in, const std::vector<Demand>& base, FamilySet families) {
  const PlacementProblem& problem = in.problem;
  const int most = problem.model.max_functions_per_node;
  std::vector<bool> closed(problem.nodes.size(), false);
  for (std::size_t i = 0; i < problem.nodes.size(); ++i) {
    const PlacementNode& node = problem.nodes[i];
    const Demand& b = base[i];
    closed[i] =
        ((families & bit(Family::max_functions_per_node)) != 0 && most > 0 && node.functions + b.count + 1 > most) ||
        ((families & bit(Family::capacity)) != 0 && (exceeds(node.used.cpu_ips + b.cpu, node.capacity.cpu_ips) ||
                                                     exceeds(node.used.ram_bytes + b.ram, node.capacity.ram_bytes))) ||
        ((families & bit(Family::bandwidth)) != 0 &&
         (exceeds(b.out, node.link_free_bps) || exceeds(b.in, node.link_free_bps)));
  }
  return closed;
}

std::vector<Copy> make_copies(const Instance& in, const Split& split) {
  std::vector<Copy> copies;
  for (std::size_t c = 0; c < in.problem.chains.size(); ++c) {
    const auto& functions = in.problem.chains[c].functions;
    for (std::uint32_t j = 0; j < functions.size(); ++j) {
      const std::uint32_t y = split[c][j];
      for (std::uint32_t r = 0; r < y; ++r) {
        copies.push_back({c, j, r, y, functions[j].load_ipf / y, in.pinned[c][j]});
      }
    }
  }
  return copies;
}

// The time terms of `copy` on node `i`, in seconds: processing l/cpu_i and, with `transfers` (model.bandwidth), the
// time to send its output to the next stage and to receive its input from the previous one, as feasibility.cpp
// counts them (a stage's time is the largest over its copies of each term).
std::array<double, 3> copy_times(const Instance& in, const Copy& copy, int i, bool transfers) {
  const PlacementNode& node = in.problem.nodes[static_cast<std::size_t>(i)];
  const auto& functions = in.problem.chains[copy.chain].functions;
  const std::uint32_t j = copy.function;
  std::array<double, 3> t{copy.load / node.speed_ips, 0.0, 0.0};
  if (transfers && j + 1 < functions.size())
    t[1] = transfer_time(functions[j].output_bytes_per_frame / copy.replicas, node);
  if (transfers && j > 0) t[2] = transfer_time(functions[j - 1].output_bytes_per_frame / copy.replicas, node);
  return t;
}

double sum(const std::array<double, 3>& t) {
  return t[0] + t[1] + t[2];
}

// A lower bound on each stage's time, [c][j]: the fastest a copy of it can be on the nodes it may use.
std::vector<std::vector<double>> stage_floors(const Instance& in, const std::vector<Copy>& copies, bool avoid_on,
                                              const std::vector<bool>& closed, bool transfers) {
  std::vector<std::vector<double>> floor;
  for (const auto& chain : in.problem.chains) floor.emplace_back(chain.functions.size(), milp::kInfinity);
  for (const Copy& copy : copies) {
    if (copy.replica > 0) continue;  // copies of a stage are alike
    for (int i : allowed_nodes(in, copy, avoid_on, closed)) {
      floor[copy.chain][copy.function] =
          std::min(floor[copy.chain][copy.function], sum(copy_times(in, copy, i, transfers)));
    }
  }
  return floor;
}

// Builds the main model with the families in `families` on. Without `with_cost` the objective is 0 (a
// feasibility question). `margin` tightens the scaled capacity, bandwidth and qos rows by margin x max(1, |rhs|).
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
      double time = sum(copy_times(in, copy, i, transfers));
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
      const double cost = with_cost ? placement_cost(copy.load, node.speed_ips) : 0.0;
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
            const double t = fps * sum(copy_times(in, pm.copies[k], i, transfers));
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

// ---------------------------------------------------------------------------------------------------------------
// Explaining infeasibility.

std::string chain_vf(const Instance& in, std::size_t c, std::uint32_t j) {
  return fmt::format("chain {} VF {}", in.problem.chains[c].id.value, j);
}

// Necessary conditions of the main model for `split`, each a relaxation of one family: the first violated one,
// prefixed by its family, or nothing.
std::optional<std::string> necessary_conditions(const Instance& in, const Split& split) {
  const PlacementProblem& problem = in.problem;
  const PlacementModel& model = problem.model;
  const std::vector<Copy> copies = make_copies(in, split);
  const std::vector<Demand> base = pinned_demand(in, copies);
  const std::vector<bool> open;  // closed nodes are judged per family below

  for (const Copy& copy : copies) {
    if (allowed_nodes(in, copy, true, open).empty()) {
      return fmt::format("avoid: {} has no node that is not to be avoided", chain_vf(in, copy.chain, copy.function));
    }
  }

  if (model.qos_time) {
    const auto floor = stage_floors(in, copies, true, open, model.bandwidth);
    for (std::size_t c = 0; c < problem.chains.size(); ++c) {
      const PlacementChain& chain = problem.chains[c];
      double fastest = 0;  // a lower bound on the chain's frame time
      for (double t : floor[c]) fastest += t;
      if (exceeds(fastest, 1.0 / chain.fps)) {
        return fmt::format(
            "qos_time: chain {} needs at least {:.6g} s per frame on its fastest allowed nodes, over "
            "1/fps = {:.6g} s",
            chain.id.value, fastest, 1.0 / chain.fps);
      }
    }
  }

  // A free copy needs a node with room for it next to what is there (used, functions, pinned copies).
  if (model.capacity) {
    for (const Copy& copy : copies) {
      if (copy.pinned >= 0) continue;
      const Demand d = demand_of(in, copy);
      bool fits = false;
      for (int i : allowed_nodes(in, copy, true, open)) {
        const PlacementNode& node = problem.nodes[static_cast<std::size_t>(i)];
        const Demand& b = base[static_cast<std::size_t>(i)];
        fits = fits || (!exceeds(node.used.cpu_ips + b.cpu + d.cpu, node.capacity.cpu_ips) &&
                        !exceeds(node.used.ram_bytes + b.ram + d.ram, node.capacity.ram_bytes));
      }
      if (!fits) {
        return fmt::format("capacity: {} ({:.6g} instructions/s, {:.6g} bytes of RAM per copy) fits on no allowed node",
                           chain_vf(in, copy.chain, copy.function), d.cpu, d.ram);
      }
    }
  }

  if (model.max_functions_per_node > 0) {
    const auto free_copies = std::count_if(copies.begin(), copies.end(), [](const Copy& c) { return c.pinned < 0; });
    long slots = 0;
    for (std::size_t i = 0; i < problem.nodes.size(); ++i) {
      slots += std::max(0, model.max_functions_per_node - problem.nodes[i].functions - base[i].count);
    }
    if (free_copies > slots) {
      return fmt::format(
          "max_functions_per_node: {} VF copies to place but the nodes have room for {} (at most {} "
          "per node)",
          free_copies, slots, model.max_functions_per_node);
    }
  }

  if (model.spread_chain) {
    for (std::size_t c = 0; c < problem.chains.size(); ++c) {
      std::set<int> pinned_nodes;
      std::size_t free_copies = 0;
      for (std::uint32_t j = 0; j < problem.chains[c].functions.size(); ++j) {
        if (in.pinned[c][j] < 0) {
          free_copies += split[c][j];
        } else if (!pinned_nodes.insert(in.pinned[c][j]).second) {
          return fmt::format("spread_chain: chain {} has two VFs pinned to node {}", problem.chains[c].id.value,
                             problem.nodes[static_cast<std::size_t>(in.pinned[c][j])].id.value);
        }
      }
      std::size_t available = 0;
      for (std::size_t i = 0; i < problem.nodes.size(); ++i) {
        if (!problem.nodes[i].avoid && !pinned_nodes.contains(static_cast<int>(i))) ++available;
      }
      if (free_copies > available) {
        return fmt::format("spread_chain: chain {} has {} free VF copies for {} distinct allowed nodes",
                           problem.chains[c].id.value, free_copies, available);
      }
    }
  }

  if (model.bandwidth) {
    for (const Copy& copy : copies) {
      if (copy.pinned >= 0) continue;
      const Demand d = demand_of(in, copy);
      bool fits = false;
      for (int i : allowed_nodes(in, copy, true, open)) {
        const PlacementNode& node = problem.nodes[static_cast<std::size_t>(i)];
        const Demand& b = base[static_cast<std::size_t>(i)];
        fits = fits || (!exceeds(b.out + d.out, node.link_free_bps) && !exceeds(b.in + d.in, node.link_free_bps));
      }
      if (!fits) {
        return fmt::format(
            "bandwidth: {} sends {:.6g} and receives {:.6g} bytes/s, more than any allowed node's link "
            "has free",
            chain_vf(in, copy.chain, copy.function), d.out, d.in);
      }
    }
  }
  return std::nullopt;
}

// Names the binding families of the (infeasible) main model for `split` by dropping one at a time.
std::string binding_families(const Instance& in, const Split& split, const Deadline& deadline) {
  std::vector<Family> binding;
  bool undecided = false;
  for (Family f : kFamilies) {
    if ((in.on & bit(f)) == 0) continue;
    const PlacementMilp pm = build_placement_milp(in, split, in.on & ~bit(f), false, 0);
    const milp::Solution s = milp::solve(pm.model, deadline.remaining_s());
    if (s.outcome == milp::Outcome::optimal || !s.values.empty()) {
      binding.push_back(f);
    } else if (s.outcome == milp::Outcome::stopped) {
      undecided = true;
    }
  }
  if (binding.empty()) {
    if (undecided) return "unknown: infeasible, but the time limit ran out before the binding constraint was found";
    std::string on;
    for (Family f : kFamilies) {
      if ((in.on & bit(f)) != 0) on += fmt::format("{}{}", on.empty() ? "" : ", ", family_name(f));
    }
    return fmt::format(
        "combined: no single constraint family binds alone; the constraints on ({}) are infeasible "
        "together",
        on);
  }
  std::string reason = family_name(binding.front());
  if (binding.size() > 1) {
    reason += " (also: ";
    for (std::size_t b = 1; b < binding.size(); ++b)
      reason += fmt::format("{}{}", b > 1 ? ", " : "", family_name(binding[b]));
    reason += ")";
  }
  return reason + ": " + family_meaning(binding.front()) + " (the problem is feasible without it)";
}

// ---------------------------------------------------------------------------------------------------------------
// Solving the main model.

struct Attempt {
  PlacementStatus status = PlacementStatus::infeasible;
  std::vector<PlacedFunction> placed;
  double bound = 0;
  std::string reason;
};

Attempt place_split(const Instance& in, const Split& split, const Deadline& deadline) {
  Attempt attempt;
  if (auto why = necessary_conditions(in, split)) {
    attempt.reason = std::move(*why);
    return attempt;
  }
  // CBC accepts rows violated by up to its tolerance (1e-7 of the scaled row) and check_placement only by 1e-9;
  // should a solution land in between, the rows are tightened and the model solved again.
  for (double margin : {0.0, 1e-7, 1e-5}) {
    const PlacementMilp pm = build_placement_milp(in, split, in.on, true, margin);
    const milp::Solution s = milp::solve(pm.model, deadline.remaining_s());
    if (s.outcome == milp::Outcome::infeasible) {
      if (margin > 0) break;  // feasible only within CBC's tolerance
      attempt.status = PlacementStatus::infeasible;
      attempt.reason = binding_families(in, split, deadline);
      return attempt;
    }
    attempt.bound = s.bound;
    if (s.values.empty()) {
      attempt.status = PlacementStatus::time_limit;
      attempt.reason = "time limit reached before a placement was found";
      return attempt;
    }
    std::vector<PlacedFunction> placed = extract_placement(in, pm, s.values);
    if (check_placement(in.problem, placed).is_ok()) {
      attempt.status = s.outcome == milp::Outcome::optimal ? PlacementStatus::optimal : PlacementStatus::time_limit;
      attempt.placed = std::move(placed);
      if (attempt.status == PlacementStatus::time_limit) attempt.reason = "time limit reached; best placement found";
      return attempt;
    }
  }
  attempt.status = PlacementStatus::infeasible;
  attempt.reason = "numerics: the model is feasible only within CBC's tolerance, not within check_placement's";
  return attempt;
}

// ---------------------------------------------------------------------------------------------------------------
// The replication model.

struct Replication {
  PlacementStatus status = PlacementStatus::infeasible;  // optimal (split found), infeasible or time_limit
  Split split;
  std::string reason;
};

Replication solve_replication(const Instance& in, const Deadline& deadline) {
  const PlacementProblem& problem = in.problem;
  const PlacementModel& model = problem.model;
  Replication result;
  result.split.resize(problem.chains.size());
  for (std::size_t c = 0; c < problem.chains.size(); ++c) result.split[c].assign(problem.chains[c].functions.size(), 1);

  int available = 0;
  double speed_sum = 0;
  for (const PlacementNode& node : problem.nodes) {
    if (node.avoid) continue;
    ++available;
    speed_sum += node.speed_ips;
  }
  if (available == 0) {
    result.reason = "every node is to be avoided";
    return result;
  }
  const double mean_speed = speed_sum / available;
  const int max_replicas = std::max(1, model.max_replicas);

  // Free VFs in tie-break order: load descending, then chain order, then position in the chain.
  struct Free {
    std::size_t chain;
    std::uint32_t function;
    double load;
  };
  std::vector<Free> free;
  int pinned = 0;
  for (std::size_t c = 0; c < problem.chains.size(); ++c) {
    for (std::uint32_t j = 0; j < problem.chains[c].functions.size(); ++j) {
      if (in.pinned[c][j] >= 0) {
        ++pinned;
      } else {
        free.push_back({c, j, problem.chains[c].functions[j].load_ipf});
      }
    }
  }
  if (free.empty()) {
    result.reason = "every VF is pinned, and pinned VFs are not replicated";
    return result;
  }
  std::stable_sort(free.begin(), free.end(), [](const Free& a, const Free& b) { return a.load > b.load; });

  milp::Model m;
  std::vector<std::vector<int>> z(free.size());  // z[f][k-1]
  for (std::size_t f = 0; f < free.size(); ++f) {
    const int one = m.add_row(1, 1);
    for (int k = 1; k <= max_replicas; ++k) {
      z[f].push_back(m.add_column(0, 1, k, true));
      m.add_entry(one, z[f].back(), 1);
    }
  }
  if (model.qos_time) {
    for (std::size_t c = 0; c < problem.chains.size(); ++c) {
      const PlacementChain& chain = problem.chains[c];
      double pinned_time = 0;
      for (std::uint32_t j = 0; j < chain.functions.size(); ++j) {
        if (in.pinned[c][j] >= 0) pinned_time += chain.functions[j].load_ipf / mean_speed;
      }
      const int row = m.add_row(-milp::kInfinity, 1.0 - chain.fps * pinned_time);
      for (std::size_t f = 0; f < free.size(); ++f) {
        if (free[f].chain != c) continue;
        for (int k = 1; k <= max_replicas; ++k)
          m.add_entry(row, z[f][k - 1], chain.fps * (free[f].load / mean_speed) / k);
      }
    }
  }
  const int copies_row = m.add_row(-milp::kInfinity, available - pinned);
  for (std::size_t f = 0; f < free.size(); ++f) {
    for (int k = 1; k <= max_replicas; ++k) m.add_entry(copies_row, z[f][k - 1], k);
  }

  const auto y_of = [&](const std::vector<double>& values, std::size_t f) {
    for (int k = 1; k <= max_replicas; ++k) {
      if (values[static_cast<std::size_t>(z[f][k - 1])] > 0.5) return k;
    }
    assert(false);
    return 1;
  };
  milp::Solution s = milp::solve(m, deadline.remaining_s());
  if (s.outcome == milp::Outcome::infeasible) {
    result.reason = fmt::format(
        "no choice of 1..{} copies per free VF brings every chain within 1/fps (at the mean "
        "speed {:.6g} instructions/s) with at most {} copies in all (nodes not avoided)",
        max_replicas, mean_speed, available);
    return result;
  }
  if (s.outcome != milp::Outcome::optimal) {
    result.status = PlacementStatus::time_limit;
    result.reason = "time limit reached in the replication model";
    return result;
  }

  // Tie-break: fix sum y at its minimum, then make each y as large as possible in order.
  std::vector<int> y(free.size());
  int total = 0;
  for (std::size_t f = 0; f < free.size(); ++f) total += (y[f] = y_of(s.values, f));
  m.set_row_bounds(copies_row, total, total);
  int fixed_sum = 0;
  for (std::size_t f = 0; f < free.size(); ++f) {
    const int unfixed_after = static_cast<int>(free.size() - f - 1);
    const int most = std::min(max_replicas, total - fixed_sum - unfixed_after);
    if (y[f] != most) {  // the incumbent does not already reach the largest possible y_f
      for (std::size_t g = 0; g < free.size(); ++g) {
        for (int k = 1; k <= max_replicas; ++k) m.set_cost(z[g][k - 1], g == f ? -k : 0);
      }
      s = milp::solve(m, deadline.remaining_s());
      if (s.outcome != milp::Outcome::optimal) {
        result.status = PlacementStatus::time_limit;
        result.reason = "time limit reached in the replication model";
        return result;
      }
      for (std::size_t g = f; g < free.size(); ++g) y[g] = y_of(s.values, g);
    }
    for (int k = 1; k <= max_replicas; ++k) {
      const double fixed = k == y[f] ? 1 : 0;
      m.set_column_bounds(z[f][k - 1], fixed, fixed);
    }
    fixed_sum += y[f];
  }
  for (std::size_t f = 0; f < free.size(); ++f) {
    result.split[free[f].chain][free[f].function] = static_cast<std::uint32_t>(y[f]);
  }
  result.status = PlacementStatus::optimal;
  return result;
}

std::string describe_split(const Instance& in, const Split& split) {
  std::string text;
  for (std::size_t c = 0; c < split.size(); ++c) {
    for (std::uint32_t j = 0; j < split[c].size(); ++j) {
      if (split[c][j] > 1) text += fmt::format("{}{} x {}", text.empty() ? "" : ", ", chain_vf(in, c, j), split[c][j]);
    }
  }
  return text;
}

// ---------------------------------------------------------------------------------------------------------------

// What is wrong with the input, or nothing.
std::optional<std::string> invalid_input(const PlacementProblem& problem) {
  const PlacementModel& model = problem.model;
  if (model.bandwidth && !model.spread_chain) {
    return "invalid_argument: model.bandwidth needs model.spread_chain (every hop crosses the network)";
  }
  std::set<std::uint32_t> node_ids;
  for (const PlacementNode& node : problem.nodes) {
    if (!node_ids.insert(node.id.value).second)
      return fmt::format("invalid_argument: node {} appears twice", node.id.value);
    if (!(node.speed_ips > 0) || !std::isfinite(node.speed_ips)) {
      return fmt::format("invalid_argument: node {} has speed {} (must be positive and finite)", node.id.value,
                         node.speed_ips);
    }
  }
  std::set<ChainId> chain_ids;
  for (const PlacementChain& chain : problem.chains) {
    if (!chain_ids.insert(chain.id).second)
      return fmt::format("invalid_argument: chain {} appears twice", chain.id.value);
    if (!(chain.fps > 0) || !std::isfinite(chain.fps)) {
      return fmt::format("invalid_argument: chain {} has fps {} (must be positive and finite)", chain.id.value,
                         chain.fps);
    }
    for (std::uint32_t j = 0; j < chain.functions.size(); ++j) {
      const PlacementFunction& f = chain.functions[j];
      if (!(f.load_ipf >= 0) || !std::isfinite(f.load_ipf)) {
        return fmt::format("invalid_argument: chain {} VF {} has load {}", chain.id.value, j, f.load_ipf);
      }
      if (f.pinned && !node_ids.contains(f.pinned->value)) {
        return fmt::format("invalid_argument: chain {} VF {} is pinned to node {}, which is not in the problem",
                           chain.id.value, j, f.pinned->value);
      }
    }
  }
  return std::nullopt;
}

PlacementResult solve(const PlacementProblem& problem, const Deadline& deadline) {
  PlacementResult result;
  result.status = PlacementStatus::infeasible;
  if (auto why = invalid_input(problem)) {
    result.reason = std::move(*why);
    return result;
  }

  std::unordered_map<std::uint32_t, int> index;
  for (std::size_t i = 0; i < problem.nodes.size(); ++i) index[problem.nodes[i].id.value] = static_cast<int>(i);
  Instance in{problem, {}, 0};
  std::size_t vfs = 0;
  bool any_free = false;
  for (const PlacementChain& chain : problem.chains) {
    auto& pinned = in.pinned.emplace_back();
    for (const PlacementFunction& f : chain.functions) {
      pinned.push_back(f.pinned ? index.at(f.pinned->value) : -1);
      any_free = any_free || !f.pinned;
      ++vfs;
    }
  }
  if (vfs == 0) {
    result.status = PlacementStatus::optimal;
    return result;
  }
  const PlacementModel& model = problem.model;
  const bool any_avoided =
      std::any_of(problem.nodes.begin(), problem.nodes.end(), [](const auto& n) { return n.avoid; });
  in.on = (model.qos_time ? bit(Family::qos_time) : 0) | (model.capacity ? bit(Family::capacity) : 0) |
          (model.max_functions_per_node > 0 ? bit(Family::max_functions_per_node) : 0) |
          (model.spread_chain ? bit(Family::spread_chain) : 0) | (model.bandwidth ? bit(Family::bandwidth) : 0) |
          (any_avoided && any_free ? bit(Family::avoid) : 0);

  Split ones(problem.chains.size());
  for (std::size_t c = 0; c < problem.chains.size(); ++c) ones[c].assign(problem.chains[c].functions.size(), 1);
  Attempt plain = place_split(in, ones, deadline);
  if (plain.status != PlacementStatus::infeasible || !model.replication) {
    result.status = plain.status;
    result.placed = std::move(plain.placed);
    result.bound = plain.bound;
    result.reason = std::move(plain.reason);
    return result;
  }

  const Replication replication = solve_replication(in, deadline);
  if (replication.status == PlacementStatus::time_limit) {
    result.status = PlacementStatus::time_limit;
    result.reason = plain.reason + "; replication: " + replication.reason;
    return result;
  }
  if (replication.status == PlacementStatus::infeasible) {
    result.reason = plain.reason + "; replication: " + replication.reason;
    return result;
  }
  if (replication.split == ones) {
    result.reason = plain.reason + "; replication: the replication model needs no second copy of any VF";
    return result;
  }
  Attempt split = place_split(in, replication.split, deadline);
  result.status = split.status;
  result.placed = std::move(split.placed);
  result.bound = split.bound;
  if (split.status == PlacementStatus::infeasible) {
    result.reason = fmt::format("{}; replication: with {} copies: {}", plain.reason,
                                describe_split(in, replication.split), split.reason);
  } else {
    result.reason = fmt::format("replicated {} (without replication: {}){}", describe_split(in, replication.split),
                                plain.reason, split.reason.empty() ? "" : "; " + split.reason);
  }
  return result;
}

}  // namespace

PlacementResult ExactPlacer::place(const PlacementProblem& problem, const SolveLimits& limits) const {
  const auto start = Clock::now();
  PlacementResult result = solve(problem, Deadline(start, limits.time_limit_s));
  result.solver = "exact";
  if (result.has_placement()) {
    assert(check_placement(problem, result.placed).is_ok());
    result.objective = total_cost(problem, result.placed);
    result.bound = std::min(result.bound, result.objective);
    result.gap = result.objective > 0 ? (result.objective - result.bound) / result.objective : 0;
  } else {
    result.objective = 0;
    if (result.status != PlacementStatus::time_limit) result.bound = 0;  // else CBC's bound, if any
    result.gap = result.status == PlacementStatus::optimal ? 0 : -1;
  }
  result.solve_s = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace vfo
