// ExactPlacer: the placement problem as a MILP on CBC (through milp_solver.hpp). This file orchestrates; each model
// and its contract lives in its own private header:
//   exact_instance.hpp     the problem resolved to node indices, VF copies, their demands and times, the deadline
//   exact_model.hpp        the main MILP (one per split of the chains into copies) and reading a placement back
//   exact_replication.hpp  the authors' replication model (how many copies of each VF) and its tie-break
//   exact_diagnosis.hpp    why the main model is infeasible: cheap necessary conditions, then one family dropped
//                          at a time
// place(): the input is validated; a problem that is an assignment problem (exact_assignment.hpp) is solved as one,
// without CBC; otherwise the main model is solved with every VF one copy; when that is infeasible and
// model.replication is on, the replication model chooses a split and the main model is solved on the split chains.
// Every placement returned passes check_placement.
#include "vfo/placement/exact_placer.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cassert>
#include <chrono>
#include <cmath>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "placement/exact_assignment.hpp"
#include "placement/exact_diagnosis.hpp"
#include "placement/exact_instance.hpp"
#include "placement/exact_model.hpp"
#include "placement/exact_replication.hpp"
#include "placement/milp_solver.hpp"
#include "vfo/placement/feasibility.hpp"

namespace vfo {

namespace exact {
namespace {

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

// The outcome of placing one split with the main model.
struct Attempt {
  PlacementStatus status = PlacementStatus::infeasible;
  std::vector<PlacedFunction> placed;
  double bound = 0;
  std::string reason;
};

// Places `split` with the main model: optimal, time_limit (with the best placement found, if any) or infeasible with
// the reason (a necessary condition, the binding families, or numerics). Any placement passes check_placement.
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

// The result of ExactPlacer::place but for solver, objective, gap and solve_s (bound: CBC's, when known). An
// assignment problem is solved as one; when it has no placement, the reason is a cheap necessary condition, else
// (with `diagnose`) the MILP's binding families, else the assignment's own count of the nodes left.
PlacementResult solve(const PlacementProblem& problem, const Deadline& deadline, bool diagnose) {
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
  if (is_assignment(problem)) {
    PlacementResult assigned = solve_assignment(problem);
    if (assigned.status == PlacementStatus::optimal) {
      assigned.bound = total_cost(problem, assigned.placed);
      return assigned;
    }
    if (auto why = necessary_conditions(in, ones)) {
      assigned.reason = std::move(*why);
      return assigned;
    }
    if (!diagnose) return assigned;
    // Otherwise the MILP below proves it infeasible again and names the families that bind.
  }
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
}  // namespace exact

PlacementResult ExactPlacer::place(const PlacementProblem& problem, const SolveLimits& limits) const {
  const auto start = exact::Clock::now();
  PlacementResult result = exact::solve(problem, exact::Deadline(start, limits.time_limit_s), limits.diagnose);
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
  result.solve_s = std::chrono::duration<double>(exact::Clock::now() - start).count();
  return result;
}

}  // namespace vfo
