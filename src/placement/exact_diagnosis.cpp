#include "placement/exact_diagnosis.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <set>
#include <vector>

#include "placement/exact_model.hpp"
#include "placement/milp_solver.hpp"

namespace vfo::exact {

namespace {

// The family's name, as reasons blaming it start.
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

// What it means that `f` binds: the model is infeasible with it and feasible without it.
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

}  // namespace

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

}  // namespace vfo::exact
