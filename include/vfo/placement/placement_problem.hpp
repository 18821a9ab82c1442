#pragma once
// What a placer is asked: put the VFs of one or more chains on nodes. The model is the authors' exact
// model (docs/model.md, Placement) by default, and each generalisation can be switched on (PlacementModel).
#include <cstdint>
#include <optional>
#include <vector>

#include "vfo/model/ids.hpp"
#include "vfo/model/resources.hpp"

namespace vfo {

// A node as placement sees it.
struct PlacementNode {
  NodeId id;
  double speed_ips = 0;      // cpu_i, instructions per second: processing time t_i(l) = l / cpu_i
  Resources capacity;        // what placements may fill (already net of any utilisation cap)
  Resources used;            // load already there that this problem does not place (other chains, jobs)
  int functions = 0;         // VFs already there that this problem does not place
  double link_free_bps = 0;  // bytes/s its access link has left (with model.bandwidth)
  double latency_s = 0;      // one-way latency of its access link (with model.bandwidth)
  bool avoid = false;        // never a target for a free VF (failed, at risk); pinned VFs may stay
};

// One VF to place. Its CPU demand is load_ipf x fps of its chain.
struct PlacementFunction {
  double load_ipf = 0;  // l_j, instructions per frame
  double ram_bytes = 0;
  double output_bytes_per_frame = 0;  // sent to the next VF of the chain (with model.bandwidth)
  std::optional<NodeId> pinned;       // stays on this node (a migration moves only the others)
};

struct PlacementChain {
  ChainId id;
  double fps = 1;
  std::vector<PlacementFunction> functions;  // in chain order
};

// What a placement minimises.
enum class PlacementCost {
  // The authors' MILP objective: sum over copies of l^2 / cpu_i, blind to what a node already runs.
  speed,
  // Convex in each node's whole load (the paper's Table 2 cost c_k(l) taken over everything node k runs):
  // sum over nodes of ((U_i + D_i)^2 - U_i^2) / cpu_i, with U_i the node's `used` CPU and D_i the CPU
  // (load x fps) of the copies placed on it, both in instructions/s. A copy alone on an empty node at
  // 1 fps costs l^2 / cpu_i, as in `speed`; a loaded node costs more, so load spreads.
  load,
};

// Which constraints are on. The defaults are the authors' model.
struct PlacementModel {
  // At most this many VFs per node, counting PlacementNode::functions; 0 = no limit.
  int max_functions_per_node = 1;
  // A frame's time through the chain is within 1/fps: the sum over stages of the processing time
  // (of one copy, for a replicated VF), plus with `bandwidth` the transfer time between stages on
  // different nodes (output / the slower link's free bandwidth + both latencies).
  bool qos_time = true;
  // CPU (load x fps) and RAM of the VFs on a node, plus `used`, within `capacity`.
  bool capacity = false;
  // Consecutive VFs on different nodes need output x fps of free bandwidth on both access links.
  bool bandwidth = false;
  // VFs of one chain go to distinct nodes (copies of one VF too).
  bool spread_chain = true;
  // When the chains cannot be placed as they are, replicate VFs (the authors' replication model:
  // integer y_j in [1, max_replicas] copies of load l_j / y_j, sum_j t(l_j) / y_j <= 1/fps,
  // sum_j y_j <= nodes, minimise sum_j y_j, with t(l) = l / the mean speed of the nodes not avoided),
  // then place the split chains. Pinned VFs are never replicated.
  bool replication = false;
  int max_replicas = 8;
  PlacementCost cost = PlacementCost::speed;
};

struct PlacementProblem {
  std::vector<PlacementNode> nodes;
  std::vector<PlacementChain> chains;
  PlacementModel model;
};

// Placement cost of `load_ipf` instructions/frame on a node of `speed_ips` (docs/model.md, Placement):
// c_i(l) = l^2 / cpu_i.
inline double placement_cost(double load_ipf, double speed_ips) {
  return load_ipf * load_ipf / speed_ips;
}

// What `added_ips` more CPU costs on a node of `speed_ips` that already carries `used_ips`, under
// PlacementCost::load: ((used + added)^2 - used^2) / speed.
inline double load_cost(double added_ips, double used_ips, double speed_ips) {
  return added_ips * (2 * used_ips + added_ips) / speed_ips;
}

// The cost of one copy of `load_ipf` instructions/frame at `fps` on `node` under `model.cost`, when it is
// the only copy that the placement adds there (PlacementCost::load: exact then; with several copies on one
// node the sum of these leaves out their cross terms).
inline double copy_cost(const PlacementModel& model, const PlacementNode& node, double load_ipf, double fps) {
  if (model.cost == PlacementCost::load) return load_cost(load_ipf * fps, node.used.cpu_ips, node.speed_ips);
  return placement_cost(load_ipf, node.speed_ips);
}

}  // namespace vfo
