#include "placement/exact_instance.hpp"

#include <fmt/core.h>

#include <cmath>

#include "placement/milp_solver.hpp"

namespace vfo::exact {

std::string chain_vf(const Instance& in, std::size_t c, std::uint32_t j) {
  return fmt::format("chain {} VF {}", in.problem.chains[c].id.value, j);
}

double transfer_time(double bytes, const PlacementNode& node) {
  const double t = bytes / node.link_free_bps + node.latency_s;
  return std::isnan(t) ? 0.0 : t;
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

CopyTimes copy_times(const Instance& in, const Copy& copy, int i, bool transfers) {
  const PlacementNode& node = in.problem.nodes[static_cast<std::size_t>(i)];
  const auto& functions = in.problem.chains[copy.chain].functions;
  const std::uint32_t j = copy.function;
  CopyTimes t{copy.load / node.speed_ips, 0.0, 0.0};
  if (transfers && j + 1 < functions.size())
    t[1] = transfer_time(functions[j].output_bytes_per_frame / copy.replicas, node);
  if (transfers && j > 0) t[2] = transfer_time(functions[j - 1].output_bytes_per_frame / copy.replicas, node);
  return t;
}

double total_time(const CopyTimes& t) {
  return t[0] + t[1] + t[2];
}

std::vector<std::vector<double>> stage_floors(const Instance& in, const std::vector<Copy>& copies, bool avoid_on,
                                              const std::vector<bool>& closed, bool transfers) {
  std::vector<std::vector<double>> floor;
  for (const auto& chain : in.problem.chains) floor.emplace_back(chain.functions.size(), milp::kInfinity);
  for (const Copy& copy : copies) {
    if (copy.replica > 0) continue;  // copies of a stage are alike
    for (int i : allowed_nodes(in, copy, avoid_on, closed)) {
      floor[copy.chain][copy.function] =
          std::min(floor[copy.chain][copy.function], total_time(copy_times(in, copy, i, transfers)));
    }
  }
  return floor;
}

}  // namespace vfo::exact
