#include "placement/exact_replication.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cassert>
#include <vector>

#include "placement/milp_solver.hpp"

namespace vfo::exact {

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

}  // namespace vfo::exact
