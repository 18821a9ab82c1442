#pragma once
// The exact placer's main MILP, built from an Instance and a Split (private to src/placement/exact_*.cpp). One model
// per split of the chains into copies; without replication every VF is one copy:
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
// `used` and pinned copies already put at or over a limit (of a family that is on) is closed to free copies
// (closed_nodes). Capacity, bandwidth and qos rows are scaled to O(1) coefficients (by the capacity, the free
// bandwidth and fps).
//
// Stateless; building does not solve (the caller hands `model` to milp::solve).
#include <utility>
#include <vector>

#include "placement/exact_instance.hpp"
#include "placement/milp_solver.hpp"
#include "vfo/placement/placement_result.hpp"

namespace vfo::exact {

// The main model and how its columns map back to copies and nodes.
struct PlacementMilp {
  milp::Model model;
  std::vector<Copy> copies;                                  // by chain, function, replica (make_copies)
  std::vector<std::vector<std::pair<int, int>>> columns;     // [copy]: (node index, column of x), nodes ascending
  std::vector<std::vector<std::vector<std::size_t>>> stage;  // [c][j]: indices in `copies`
};

// Builds the main model for `split` with the families in `families` on (the others dropped, as the diagnosis does).
// Without `with_cost` the objective is 0 (a feasibility question). `margin` tightens the scaled capacity, bandwidth
// and qos rows by margin x max(1, |rhs|) (0: the rows as stated above).
PlacementMilp build_placement_milp(const Instance& in, const Split& split, FamilySet families, bool with_cost,
                                   double margin);

// The placement that a solution `values` of `pm.model` (one per column, every copy assigned) stands for: one
// PlacedFunction per copy, in the order of pm.copies, on the node whose x has the largest value.
std::vector<PlacedFunction> extract_placement(const Instance& in, const PlacementMilp& pm,
                                              const std::vector<double>& values);

}  // namespace vfo::exact
