#include "vfo/placement/best_fit_placer.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <numeric>

namespace vfo {

Placement BestFitPlacer::place(const PlacementProblem& problem) const {
  const auto& functions = problem.functions;
  std::vector<std::size_t> order(functions.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return functions[a].cpu_ips > functions[b].cpu_ips; });

  std::vector<Resources> free;
  free.reserve(problem.candidates.size());
  for (const auto& c : problem.candidates) free.push_back(c.free);
  std::vector<bool> taken(problem.candidates.size(), false);

  Placement result;
  result.nodes.assign(functions.size(), NodeId{});
  for (std::size_t j : order) {
    const Resources& need = functions[j];
    std::size_t best = problem.candidates.size();
    for (std::size_t c = 0; c < problem.candidates.size(); ++c) {
      if (taken[c] || !need.fits_within(free[c])) continue;
      if (best == problem.candidates.size()) {
        best = c;
        continue;
      }
      const auto key = [&](std::size_t i) {
        return std::make_tuple(free[i].cpu_ips - need.cpu_ips, free[i].ram_bytes - need.ram_bytes,
                               problem.candidates[i].node.value);
      };
      if (key(c) < key(best)) best = c;
    }
    if (best == problem.candidates.size()) {
      result.status = Status::infeasible(fmt::format(
          "VF {} needs {:.0f} instructions/s and {:.0f} bytes of RAM; none of the {} candidate nodes has that free", j,
          need.cpu_ips, need.ram_bytes, problem.candidates.size()));
      result.nodes.clear();
      return result;
    }
    taken[best] = true;
    free[best] -= need;
    result.nodes[j] = problem.candidates[best].node;
  }
  return result;
}

}  // namespace vfo
