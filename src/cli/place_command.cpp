// `vfo place FILE [--solver exact|heuristic|best-fit|auto] [--time-limit S] [--json]`: solves one placement
// problem (vfo/scenario/placement_file.hpp) and prints the answer. Exit codes: 0 a placement was printed
// (optimal, feasible, or the best found within the time limit); 3 no placement (infeasible, or none found
// within the time limit); 2 bad input; 1 the solver failed (its answer broke a constraint).
#include <fmt/core.h>
#include <fmt/format.h>

#include <cmath>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "cli/cli.hpp"
#include "vfo/placement/feasibility.hpp"
#include "vfo/placement/placer_factory.hpp"
#include "vfo/scenario/placement_file.hpp"

namespace vfo::cli {
namespace {

constexpr int kExitNoPlacement = 3;

struct PlaceOptions {
  std::string file;
  std::string solver = "auto";
  double time_limit_s = 10;
  bool json = false;
};

nlohmann::ordered_json result_json(const PlacementResult& r) {
  nlohmann::ordered_json j;
  j["status"] = to_string(r.status);
  j["reason"] = r.reason;
  j["solver"] = r.solver;
  j["objective"] = r.objective;
  j["bound"] = r.bound;
  j["gap"] = r.gap < 0 ? nlohmann::ordered_json() : nlohmann::ordered_json(r.gap);  // null: unknown
  j["solve_s"] = r.solve_s;
  nlohmann::ordered_json placed = nlohmann::ordered_json::array();
  for (const PlacedFunction& p : r.placed) {
    placed.push_back({{"chain", p.chain.value},
                      {"function", p.function},
                      {"replica", p.replica},
                      {"replicas", p.replicas},
                      {"node", p.node.value},
                      {"load_ipf", p.load_ipf}});
  }
  j["placed"] = std::move(placed);
  return j;
}

void print_text(const PlacementProblem& problem, const PlacementResult& r) {
  std::unordered_map<std::uint32_t, double> speed;
  for (const PlacementNode& n : problem.nodes) speed[n.id.value] = n.speed_ips;

  // One line per copy; replicas per VF, by chain, for the chains that have a replicated VF.
  std::map<std::uint32_t, std::vector<std::uint32_t>> replicas;
  bool replicated = false;
  for (const PlacedFunction& p : r.placed) {
    const std::string copy = p.replicas > 1 ? fmt::format(" copy {}/{}", p.replica + 1, p.replicas) : "";
    const auto it = speed.find(p.node.value);
    const double cost = it == speed.end() ? 0.0 : placement_cost(p.load_ipf, it->second);
    fmt::print("chain {} vf {}{} -> node {} (load {:.6g} instr/frame, cost {:.6g})\n", p.chain.value, p.function, copy,
               p.node.value, p.load_ipf, cost);
    auto& counts = replicas[p.chain.value];
    if (counts.size() <= p.function) counts.resize(p.function + 1, 1);
    counts[p.function] = p.replicas;
    replicated = replicated || p.replicas > 1;
  }
  if (replicated) {
    for (const auto& [chain, counts] : replicas) {
      bool any = false;
      for (const std::uint32_t y : counts) any = any || y > 1;
      if (any) fmt::print("replicas of chain {}: {}\n", chain, fmt::join(counts, " "));
    }
  }

  const std::string footer = fmt::format("solver {}, {:.3f} s", r.solver, r.solve_s);
  if (!r.has_placement()) {
    if (r.status == PlacementStatus::time_limit) {
      fmt::print("no placement found within the time limit{}\n", r.reason.empty() ? "" : ": " + r.reason);
    } else {
      fmt::print("infeasible: {}\n", r.reason.empty() ? "no reason given" : r.reason);
    }
    fmt::print("status {}, {}\n", to_string(r.status), footer);
    return;
  }
  if (!r.reason.empty()) fmt::print("note: {}\n", r.reason);
  const bool gap_known = r.gap >= 0 && r.status != PlacementStatus::optimal;
  fmt::print("objective {:.6g}, status {}{}, {}\n", r.objective, to_string(r.status),
             gap_known ? fmt::format(" (gap {:.3g}%)", 100 * r.gap) : "", footer);
}

void run_place(const PlaceOptions& o) {
  const PlacementProblem problem = load_placement_problem(o.file);
  const std::unique_ptr<Placer> placer = make_placer(o.solver);  // never null: --solver is checked
  PlacementResult result = placer->place(problem, SolveLimits{o.time_limit_s});
  if (result.solver.empty()) result.solver = std::string(placer->name());

  // Every placement a solver returns must hold; one that does not is the solver's failure, not an answer.
  if (result.has_placement()) {
    const Status check = check_placement(problem, result.placed);
    if (!check.is_ok()) {
      throw CommandFailed(
          fmt::format("solver {} returned a placement that breaks a constraint: {}", result.solver, check.message()));
    }
  }

  if (o.json) {
    fmt::print("{}\n", result_json(result).dump(2));
  } else {
    print_text(problem, result);
  }
  if (result.status == PlacementStatus::infeasible || !result.has_placement()) throw CommandExit(kExitNoPlacement);
}

}  // namespace

void add_place_command(CLI::App& app) {
  auto options = std::make_shared<PlaceOptions>();
  CLI::App* place = app.add_subcommand("place", "Solve one placement problem (YAML) and print where each VF goes");
  place->add_option("FILE", options->file, "placement problem YAML (format: docs/cli.md)")->required();
  place->add_option("--solver", options->solver, "exact (MILP), heuristic, best-fit, or auto (exact when small)")
      ->check(CLI::IsMember(placer_names()))
      ->capture_default_str();
  place->add_option("--time-limit", options->time_limit_s, "wall-time limit of the solve, in seconds")
      ->check(CLI::Validator(
          [](const std::string& text) -> std::string {
            double seconds = 0;
            std::size_t used = 0;
            try {
              seconds = std::stod(text, &used);
            } catch (const std::exception&) {
              used = 0;
            }
            if (used == text.size() && used > 0 && std::isfinite(seconds) && seconds > 0) return {};
            return "'" + text + "' is not a time (expected a number of seconds > 0)";
          },
          "SECONDS > 0"))
      ->capture_default_str();
  place->add_flag("--json", options->json, "print one JSON object instead of text");
  place->footer(
      "Exit codes:\n"
      "  0  a placement was printed (optimal, feasible, or the best found within the time limit)\n"
      "  3  no placement: infeasible (the reason names the constraint), or none found within the time limit\n"
      "  2  bad input: one line on stderr, FILE:LINE: what is wrong (what was expected)\n"
      "  1  the solver failed (its answer broke a constraint)");
  place->callback([options] { run_place(*options); });
}

}  // namespace vfo::cli
