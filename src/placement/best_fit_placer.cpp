#include "vfo/placement/best_fit_placer.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <numeric>
#include <set>
#include <tuple>
#include <unordered_map>

#include "vfo/placement/feasibility.hpp"

namespace vfo {

PlacementResult BestFitPlacer::place(const PlacementProblem& problem, const SolveLimits&) const {
  const auto start = std::chrono::steady_clock::now();
  const PlacementModel& model = problem.model;
  PlacementResult result;
  result.solver = "best-fit";
  result.gap = -1;

  // What each node has left, as VFs are placed.
  std::vector<Resources> free;
  std::vector<int> count;
  std::unordered_map<std::uint32_t, std::size_t> index;
  for (std::size_t i = 0; i < problem.nodes.size(); ++i) {
    const PlacementNode& n = problem.nodes[i];
    free.push_back(n.capacity - n.used);
    count.push_back(n.functions);
    index[n.id.value] = i;
  }
  const auto take = [&](std::size_t i, const Resources& need) {
    free[i] -= need;
    ++count[i];
  };

  std::vector<PlacedFunction> placed;
  const auto fail = [&](std::string reason) {
    result.status = PlacementStatus::infeasible;
    result.reason = std::move(reason);
    result.solve_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return result;
  };

  for (const PlacementChain& chain : problem.chains) {
    std::set<std::size_t> chain_nodes;
    std::vector<std::uint32_t> free_vfs;
    for (std::uint32_t j = 0; j < chain.functions.size(); ++j) {
      const PlacementFunction& f = chain.functions[j];
      if (!f.pinned) {
        free_vfs.push_back(j);
        continue;
      }
      const auto it = index.find(f.pinned->value);
      if (it == index.end()) return fail(fmt::format("pinned: node {} is not in the problem", f.pinned->value));
      take(it->second, Resources{f.load_ipf * chain.fps, f.ram_bytes});
      chain_nodes.insert(it->second);
      placed.push_back({chain.id, j, 0, 1, *f.pinned, f.load_ipf});
    }
    std::stable_sort(free_vfs.begin(), free_vfs.end(), [&](std::uint32_t a, std::uint32_t b) {
      return chain.functions[a].load_ipf > chain.functions[b].load_ipf;
    });
    for (std::uint32_t j : free_vfs) {
      const PlacementFunction& f = chain.functions[j];
      const Resources need{f.load_ipf * chain.fps, f.ram_bytes};
      std::size_t best = problem.nodes.size();
      const char* blocked = "avoid";  // the last constraint that ruled a node out, for the reason
      for (std::size_t i = 0; i < problem.nodes.size(); ++i) {
        if (problem.nodes[i].avoid) continue;
        if (model.max_functions_per_node > 0 && count[i] >= model.max_functions_per_node) {
          blocked = "max_functions_per_node";
          continue;
        }
        if (model.spread_chain && chain_nodes.contains(i)) {
          blocked = "spread_chain";
          continue;
        }
        if (model.capacity && !need.fits_within(free[i])) {
          blocked = "capacity";
          continue;
        }
        const auto key = [&](std::size_t n) {
          return std::make_tuple(free[n].cpu_ips - need.cpu_ips, free[n].ram_bytes - need.ram_bytes,
                                 problem.nodes[n].id.value);
        };
        if (best == problem.nodes.size() || key(i) < key(best)) best = i;
      }
      if (best == problem.nodes.size()) {
        return fail(fmt::format("{}: chain {} VF {} ({:.6g} instructions/s, {:.6g} bytes) fits on none of the {} nodes",
                                blocked, chain.id.value, j, need.cpu_ips, need.ram_bytes, problem.nodes.size()));
      }
      take(best, need);
      chain_nodes.insert(best);
      placed.push_back({chain.id, j, 0, 1, problem.nodes[best].id, f.load_ipf});
    }
  }

  std::sort(placed.begin(), placed.end(), [](const PlacedFunction& a, const PlacedFunction& b) {
    return std::tie(a.chain, a.function, a.replica) < std::tie(b.chain, b.function, b.replica);
  });
  const Status check = check_placement(problem, placed);
  if (!check.is_ok()) return fail(check.message());
  result.status = PlacementStatus::feasible;
  result.objective = total_cost(problem, placed);
  result.placed = std::move(placed);
  result.solve_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

}  // namespace vfo
