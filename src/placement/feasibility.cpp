#include "vfo/placement/feasibility.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

namespace vfo {

namespace {

constexpr double kRelativeTolerance = 1e-9;

bool exceeds(double value, double limit) {
  return value > limit + kRelativeTolerance * std::max(1.0, limit);
}

}  // namespace

double total_cost(const PlacementProblem& problem, const std::vector<PlacedFunction>& placed) {
  std::unordered_map<std::uint32_t, const PlacementNode*> nodes;
  for (const auto& n : problem.nodes) nodes[n.id.value] = &n;
  if (problem.model.cost == PlacementCost::speed) {
    double cost = 0;
    for (const auto& p : placed) cost += placement_cost(p.load_ipf, nodes.at(p.node.value)->speed_ips);
    return cost;
  }
  std::map<ChainId, double> fps;
  for (const auto& c : problem.chains) fps[c.id] = c.fps;
  std::map<std::uint32_t, double> added;  // CPU the placement puts on each node, by node id
  for (const auto& p : placed) added[p.node.value] += p.load_ipf * fps.at(p.chain);
  double cost = 0;
  for (const auto& [id, cpu] : added) {
    const PlacementNode& n = *nodes.at(id);
    cost += load_cost(cpu, n.used.cpu_ips, n.speed_ips);
  }
  return cost;
}

Status check_placement(const PlacementProblem& problem, const std::vector<PlacedFunction>& placed) {
  const PlacementModel& model = problem.model;
  if (model.bandwidth && !model.spread_chain) {
    return Status::invalid_argument("model.bandwidth needs model.spread_chain (every hop crosses the network)");
  }
  std::unordered_map<std::uint32_t, const PlacementNode*> nodes;
  for (const auto& n : problem.nodes) nodes[n.id.value] = &n;
  std::map<ChainId, const PlacementChain*> chains;
  for (const auto& c : problem.chains) chains[c.id] = &c;

  // Copies of each VF, by (chain, function).
  std::map<std::pair<ChainId, std::uint32_t>, std::vector<const PlacedFunction*>> copies;
  for (const auto& p : placed) {
    if (!chains.contains(p.chain))
      return Status::infeasible(fmt::format("chain {} is not in the problem", p.chain.value));
    if (!nodes.contains(p.node.value))
      return Status::infeasible(fmt::format("node {} is not in the problem", p.node.value));
    if (p.function >= chains.at(p.chain)->functions.size()) {
      return Status::infeasible(fmt::format("chain {} has no VF {}", p.chain.value, p.function));
    }
    copies[{p.chain, p.function}].push_back(&p);
  }

  std::unordered_map<std::uint32_t, int> count;       // VFs per node
  std::unordered_map<std::uint32_t, Resources> load;  // demand per node
  std::unordered_map<std::uint32_t, double> out_bps, in_bps;
  std::set<std::uint32_t> targets;  // nodes that receive a VF that is not pinned
  for (const auto& chain : problem.chains) {
    std::set<std::uint32_t> chain_nodes;
    double frame_time = 0;
    for (std::uint32_t j = 0; j < chain.functions.size(); ++j) {
      const PlacementFunction& f = chain.functions[j];
      const auto it = copies.find({chain.id, j});
      if (it == copies.end()) return Status::infeasible(fmt::format("chain {} VF {} is not placed", chain.id.value, j));
      const auto& vf_copies = it->second;
      const auto y = static_cast<std::uint32_t>(vf_copies.size());
      const std::uint32_t max_copies =
          (model.replication && !f.pinned) ? static_cast<std::uint32_t>(std::max(1, model.max_replicas)) : 1u;
      if (y > max_copies) {
        return Status::infeasible(
            fmt::format("replication: chain {} VF {} has {} copies (at most {})", chain.id.value, j, y, max_copies));
      }
      std::set<std::uint32_t> replica_ids;
      double stage_time = 0;
      for (const PlacedFunction* p : vf_copies) {
        if (p->replicas != y || p->replica >= y) {
          return Status::infeasible(fmt::format("chain {} VF {}: copy {} of {} but {} placed", chain.id.value, j,
                                                p->replica, p->replicas, y));
        }
        replica_ids.insert(p->replica);
        if (exceeds(std::abs(p->load_ipf - f.load_ipf / y), 0.0)) {
          return Status::infeasible(fmt::format("chain {} VF {}: a copy carries {} instructions/frame, not l/{} = {}",
                                                chain.id.value, j, p->load_ipf, y, f.load_ipf / y));
        }
        const PlacementNode& node = *nodes.at(p->node.value);
        if (f.pinned && *f.pinned != p->node) {
          return Status::infeasible(fmt::format("pinned: chain {} VF {} must stay on node {}, is on node {}",
                                                chain.id.value, j, f.pinned->value, p->node.value));
        }
        if (!f.pinned && node.avoid) {
          return Status::infeasible(fmt::format("avoid: chain {} VF {} is on node {}, which is to be avoided",
                                                chain.id.value, j, node.id.value));
        }
        if (model.spread_chain && !chain_nodes.insert(node.id.value).second) {
          return Status::infeasible(
              fmt::format("spread_chain: chain {} has two VFs on node {}", chain.id.value, node.id.value));
        }
        ++count[node.id.value];
        load[node.id.value] += Resources{p->load_ipf * chain.fps, f.ram_bytes};
        if (!f.pinned) targets.insert(node.id.value);
        stage_time = std::max(stage_time, p->load_ipf / node.speed_ips);
      }
      if (replica_ids.size() != y) {
        return Status::infeasible(
            fmt::format("chain {} VF {}: copies are not numbered 0..{}", chain.id.value, j, y - 1));
      }
      frame_time += stage_time;
      if (model.bandwidth && j + 1 < chain.functions.size()) {
        const auto next = copies.find({chain.id, j + 1});
        if (next == copies.end()) continue;  // reported as unplaced at j + 1
        const double bytes = f.output_bytes_per_frame;
        const auto y_next = static_cast<double>(next->second.size());
        double send = 0, receive = 0;
        for (const PlacedFunction* p : vf_copies) {
          const PlacementNode& u = *nodes.at(p->node.value);
          out_bps[u.id.value] += bytes / y * chain.fps;
          send = std::max(send, bytes / y / u.link_free_bps + u.latency_s);
        }
        for (const PlacedFunction* p : next->second) {
          const PlacementNode& v = *nodes.at(p->node.value);
          in_bps[v.id.value] += bytes / y_next * chain.fps;
          receive = std::max(receive, bytes / y_next / v.link_free_bps + v.latency_s);
        }
        frame_time += send + receive;
      }
    }
    if (model.qos_time && exceeds(frame_time, 1.0 / chain.fps)) {
      return Status::infeasible(fmt::format("qos_time: chain {} takes {:.6g} s per frame, over 1/fps = {:.6g} s",
                                            chain.id.value, frame_time, 1.0 / chain.fps));
    }
  }
  // Per-node limits bind only where this placement puts a VF: a node already over a limit because of
  // load the problem does not place (or a pinned VF that stays) is not this placement's doing.
  for (const auto& n : problem.nodes) {
    const std::uint32_t id = n.id.value;
    if (!targets.contains(id)) continue;
    if (model.max_functions_per_node > 0 && count[id] + n.functions > model.max_functions_per_node) {
      return Status::infeasible(fmt::format("max_functions_per_node: node {} holds {} VFs (at most {})", id,
                                            count[id] + n.functions, model.max_functions_per_node));
    }
    if (model.capacity) {
      const Resources total = load[id] + n.used;
      if (exceeds(total.cpu_ips, n.capacity.cpu_ips)) {
        return Status::infeasible(fmt::format("capacity: node {} needs {:.6g} instructions/s (capacity {:.6g})", id,
                                              total.cpu_ips, n.capacity.cpu_ips));
      }
      if (exceeds(total.ram_bytes, n.capacity.ram_bytes)) {
        return Status::infeasible(fmt::format("capacity: node {} needs {:.6g} bytes of RAM (capacity {:.6g})", id,
                                              total.ram_bytes, n.capacity.ram_bytes));
      }
    }
    if (model.bandwidth && (exceeds(out_bps[id], n.link_free_bps) || exceeds(in_bps[id], n.link_free_bps))) {
      return Status::infeasible(fmt::format("bandwidth: node {} sends {:.6g} and receives {:.6g} bytes/s (free {:.6g})",
                                            id, out_bps[id], in_bps[id], n.link_free_bps));
    }
  }
  return Status::ok();
}

const char* to_string(PlacementStatus status) {
  switch (status) {
    case PlacementStatus::optimal:
      return "optimal";
    case PlacementStatus::feasible:
      return "feasible";
    case PlacementStatus::infeasible:
      return "infeasible";
    case PlacementStatus::time_limit:
      return "time_limit";
  }
  return "?";
}

}  // namespace vfo
