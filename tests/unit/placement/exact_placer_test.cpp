#include "vfo/placement/exact_placer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "unit/placement/brute_force.hpp"
#include "vfo/placement/feasibility.hpp"
#include "vfo/util/random.hpp"

namespace vfo {
namespace {

using reference::brute_force_place;

// ---------------------------------------------------------------------------------------------------------------
// Helpers.

PlacementNode node(std::uint32_t id, double speed_ips) {
  PlacementNode n;
  n.id = NodeId(id);
  n.speed_ips = speed_ips;
  n.capacity = {speed_ips, 1e12};
  n.link_free_bps = 1e12;
  return n;
}

PlacementFunction vf(double load_ipf) {
  PlacementFunction f;
  f.load_ipf = load_ipf;
  return f;
}

PlacementChain chain(std::uint32_t id, double fps, std::vector<PlacementFunction> functions) {
  return {ChainId(id), fps, std::move(functions)};
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.rfind(prefix, 0) == 0;
}

// Copies per VF of a placement: [chain index in problem][function].
std::vector<std::vector<std::uint32_t>> replicas_of(const PlacementProblem& p, const PlacementResult& r) {
  std::vector<std::vector<std::uint32_t>> y;
  for (const auto& c : p.chains) y.emplace_back(c.functions.size(), 0u);
  for (const auto& placed : r.placed) {
    for (std::size_t c = 0; c < p.chains.size(); ++c) {
      if (p.chains[c].id == placed.chain) ++y[c][placed.function];
    }
  }
  return y;
}

// Every exact answer with a placement must pass the independent check.
void expect_valid(const PlacementProblem& p, const PlacementResult& r) {
  EXPECT_EQ(r.solver, "exact");
  if (!r.has_placement()) return;
  const Status s = check_placement(p, r.placed);
  EXPECT_TRUE(s.is_ok()) << s.message();
  EXPECT_NEAR(r.objective, total_cost(p, r.placed), 1e-9 * std::max(1.0, r.objective));
}

PlacementResult solve(const PlacementProblem& p) {
  const PlacementResult r = ExactPlacer().place(p);
  expect_valid(p, r);
  return r;
}

// ---------------------------------------------------------------------------------------------------------------
// Random instances, compared with the brute force.

enum class Kind { authors, general };

// The time per frame of `functions` at `speed`, with `transfer_s` per hop.
double reference_time(const std::vector<PlacementFunction>& functions, double speed, double transfer_s) {
  double t = 0;
  for (const auto& f : functions) t += f.load_ipf / speed;
  return t + 2 * transfer_s * static_cast<double>(functions.size() - 1);
}

int uniform_int(Rng& rng, int lo, int hi) {  // [lo, hi]
  return lo + static_cast<int>(rng.uniform() * (hi - lo + 1));
}

// Instances small enough for the brute force: 2-5 nodes, 1-2 chains of 1-4 VFs (at most 6 VFs), speeds ~1e5
// instructions/s, loads ~1e4 instructions/frame, 1/fps drawn around the chain's time at the mean speed so that
// qos_time sometimes binds; in the general model CPU and RAM capacities drawn around the VFs' mean demand, so that
// capacity sometimes binds, and links around 1e5-1e6 bytes/s for ~1.5e4 bytes/frame.
PlacementProblem random_problem(Rng& rng, Kind kind, bool replication) {
  PlacementProblem p;
  PlacementModel& m = p.model;
  m.replication = replication;
  m.max_replicas = uniform_int(rng, 2, 3);
  const bool general = kind == Kind::general;
  if (general) {
    m.capacity = rng.bernoulli(0.7);
    m.bandwidth = rng.bernoulli(0.4);
    m.spread_chain = m.bandwidth || rng.bernoulli(0.6);
    m.qos_time = rng.bernoulli(0.8);
    m.max_functions_per_node = uniform_int(rng, 0, 3);
  }
  const int n_nodes = replication ? uniform_int(rng, 3, 5) : uniform_int(rng, 2, 5);
  double speed_sum = 0;
  for (int i = 0; i < n_nodes; ++i) {
    PlacementNode n = node(static_cast<std::uint32_t>(10 + i), rng.uniform(0.5e5, 1.5e5));
    speed_sum += n.speed_ips;
    if (general) {
      if (m.max_functions_per_node > 1 && rng.bernoulli(0.3)) n.functions = 1;
      n.link_free_bps = std::exp(rng.uniform(std::log(3e4), std::log(1e6)));
      n.latency_s = rng.uniform(0, 0.01);
      n.avoid = rng.bernoulli(0.15);
    }
    p.nodes.push_back(n);
  }
  const double mean_speed = speed_sum / n_nodes;

  // Few enough copies for the brute force; in the authors' model about as many VFs as nodes (sometimes one more,
  // so that max_functions_per_node binds), fewer with replication so that there is room for copies.
  int max_vfs = general ? (m.spread_chain ? 6 : 5) : (rng.bernoulli(0.15) ? n_nodes + 1 : n_nodes);
  if (replication) max_vfs = std::max(1, std::min(max_vfs, n_nodes - 1));
  const int n_chains = uniform_int(rng, 1, 2);
  int vfs_left = max_vfs;
  double demand_sum = 0, ram_sum = 0;
  int vfs = 0;
  for (int c = 0; c < n_chains && vfs_left > 0; ++c) {
    const int n_functions = std::min(vfs_left, uniform_int(rng, 1, 4));
    vfs_left -= n_functions;
    std::vector<PlacementFunction> functions;
    for (int j = 0; j < n_functions; ++j) {
      PlacementFunction f = vf(rng.uniform(0.5e4, 1.5e4));
      if (general) {
        f.ram_bytes = rng.uniform(1e8, 4e8);
        f.output_bytes_per_frame = rng.uniform(1e3, 3e4);
        if (rng.bernoulli(0.15)) f.pinned = p.nodes[static_cast<std::size_t>(uniform_int(rng, 0, n_nodes - 1))].id;
      }
      functions.push_back(f);
    }
    const double transfer = m.bandwidth ? 1.5e4 / 3e5 + 0.005 : 0;
    // Replication needs a tighter budget to matter (the y = 1 model infeasible, a split one feasible).
    const double factor = replication ? rng.uniform(0.5, 1.1) : rng.uniform(0.7, 1.6);
    const double fps = 1.0 / (factor * reference_time(functions, mean_speed, transfer));
    for (const auto& f : functions) {
      demand_sum += f.load_ipf * fps;
      ram_sum += f.ram_bytes;
      ++vfs;
    }
    p.chains.push_back(chain(static_cast<std::uint32_t>(c + 1), fps, std::move(functions)));
  }
  if (general) {
    const double demand = demand_sum / vfs, ram = ram_sum / vfs;
    for (auto& n : p.nodes) {
      n.capacity = {demand * rng.uniform(0.8, 3), ram * rng.uniform(0.8, 3)};
      if (rng.bernoulli(0.3))
        n.used = {n.capacity.cpu_ips * rng.uniform(0, 0.5), n.capacity.ram_bytes * rng.uniform(0, 0.5)};
    }
  }
  return p;
}

struct Tally {
  int instances = 0, feasible = 0, infeasible = 0, replicated = 0;
};

// Solves `count` random instances of `kind` with both solvers and compares them.
Tally compare_with_brute_force(std::uint64_t seed, int count, Kind kind, bool replication) {
  Rng rng(seed);
  ExactPlacer exact;
  Tally tally;
  for (int n = 0; n < count; ++n) {
    const PlacementProblem p = random_problem(rng, kind, replication);
    const auto bf = brute_force_place(p);
    const PlacementResult r = exact.place(p);
    SCOPED_TRACE(::testing::Message() << "instance " << n << " of seed " << seed << ": " << r.reason);
    expect_valid(p, r);
    ++tally.instances;
    if (bf.feasible) {
      ++tally.feasible;
      EXPECT_EQ(r.status, PlacementStatus::optimal);
      EXPECT_NEAR(r.objective, bf.objective, 1e-6 * std::max(1.0, bf.objective));
      EXPECT_EQ(replicas_of(p, r), bf.replicas);
      EXPECT_LE(r.bound, r.objective + 1e-9);
      EXPECT_GE(r.gap, 0);
      EXPECT_LT(r.gap, 1e-3);
      const bool split = std::any_of(bf.replicas.begin(), bf.replicas.end(), [](const auto& row) {
        return std::any_of(row.begin(), row.end(), [](std::uint32_t y) { return y > 1; });
      });
      tally.replicated += split;
    } else {
      ++tally.infeasible;
      EXPECT_EQ(r.status, PlacementStatus::infeasible);
      EXPECT_FALSE(r.has_placement());
      const bool named = starts_with(r.reason, "qos_time") || starts_with(r.reason, "capacity") ||
                         starts_with(r.reason, "max_functions_per_node") || starts_with(r.reason, "spread_chain") ||
                         starts_with(r.reason, "bandwidth") || starts_with(r.reason, "avoid") ||
                         starts_with(r.reason, "combined");
      EXPECT_TRUE(named) << r.reason;
    }
  }
  return tally;
}

// Each comparison also checks that its instances cover both outcomes (and replication, where it is on).
TEST(ExactPlacer, MatchesBruteForceOnTheAuthorsModel) {
  const Tally t = compare_with_brute_force(20190601, 200, Kind::authors, false);
  EXPECT_GE(t.feasible, 80);
  EXPECT_GE(t.infeasible, 50);
}

TEST(ExactPlacer, MatchesBruteForceOnTheAuthorsModelWithReplication) {
  const Tally t = compare_with_brute_force(20190602, 200, Kind::authors, true);
  EXPECT_GE(t.replicated, 30);
  EXPECT_GE(t.infeasible, 60);
}

TEST(ExactPlacer, MatchesBruteForceOnTheGeneralisedModel) {
  const Tally t = compare_with_brute_force(20190603, 300, Kind::general, false);
  EXPECT_GE(t.feasible, 70);
  EXPECT_GE(t.infeasible, 130);
}

TEST(ExactPlacer, MatchesBruteForceOnTheGeneralisedModelWithReplication) {
  const Tally t = compare_with_brute_force(20190604, 300, Kind::general, true);
  EXPECT_GE(t.replicated, 12);
  EXPECT_GE(t.feasible, 75);
  EXPECT_GE(t.infeasible, 120);
}

// ---------------------------------------------------------------------------------------------------------------
// The brute force itself, on instances whose answer is known by hand.

TEST(BruteForce, FindsTheCheapestPlacement) {
  PlacementProblem p;
  p.nodes = {node(0, 1e5), node(1, 2e5), node(2, 4e5)};
  p.chains = {chain(1, 1, {vf(1e4), vf(2e4)})};
  const auto bf = brute_force_place(p);
  ASSERT_TRUE(bf.feasible);
  // The heavier VF on the fastest node: 4e8 / 4e5 + 1e8 / 2e5.
  EXPECT_DOUBLE_EQ(bf.objective, 1000 + 500);
}

TEST(BruteForce, ReplicatesTheHeaviestVfFirstOnTies) {
  PlacementProblem p;
  p.nodes = {node(0, 1e5), node(1, 1e5), node(2, 1e5), node(3, 1e5)};
  // 0.2 s and 0.19 s of work within 0.3 s: (2, 1) and (1, 2) copies both fit; the heavier VF gets the copies.
  p.chains = {chain(1, 1 / 0.3, {vf(1.9e4), vf(2e4)})};
  p.model.replication = true;
  const auto bf = brute_force_place(p);
  ASSERT_TRUE(bf.feasible);
  EXPECT_EQ(bf.replicas, (std::vector<std::vector<std::uint32_t>>{{1, 2}}));
}

// ---------------------------------------------------------------------------------------------------------------
// The authors' model and its edge cases.

TEST(ExactPlacer, EmptyProblemIsOptimalWithNothingPlaced) {
  PlacementProblem p;
  p.nodes = {node(0, 1e5)};
  const PlacementResult r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::optimal);
  EXPECT_FALSE(r.has_placement());
  EXPECT_EQ(r.objective, 0);
  EXPECT_EQ(r.gap, 0);
  EXPECT_EQ(r.solver, "exact");

  PlacementProblem no_nodes;
  EXPECT_EQ(solve(no_nodes).status, PlacementStatus::optimal);
}

TEST(ExactPlacer, PutsTheHeaviestVfOnTheFastestNode) {
  PlacementProblem p;
  p.nodes = {node(0, 1e5), node(1, 2e5), node(2, 4e5)};
  p.chains = {chain(1, 1, {vf(1e4), vf(2e4)})};
  const PlacementResult r = solve(p);
  ASSERT_EQ(r.status, PlacementStatus::optimal);
  ASSERT_EQ(r.placed.size(), 2u);
  EXPECT_EQ(r.placed[0].node, NodeId(1));
  EXPECT_EQ(r.placed[1].node, NodeId(2));
  EXPECT_DOUBLE_EQ(r.objective, 1500);
  EXPECT_NEAR(r.bound, 1500, 1e-6);
  EXPECT_NEAR(r.gap, 0, 1e-9);
  EXPECT_GE(r.solve_s, 0);
}

TEST(ExactPlacer, QosTimeTradesCostForSpeed) {
  // The cheapest placement gives the fast node to the heavy VF of the loose chain (2000 + 1000); the tight chain
  // needs the fast node (0.05 s <= 0.06 s), which costs 500 + 4000.
  PlacementProblem p;
  p.nodes = {node(0, 1e5), node(1, 2e5)};
  p.chains = {chain(1, 1 / 0.06, {vf(1e4)}), chain(2, 1, {vf(2e4)})};
  PlacementResult r = solve(p);
  ASSERT_EQ(r.status, PlacementStatus::optimal);
  EXPECT_EQ(r.placed[0].node, NodeId(1));
  EXPECT_EQ(r.placed[1].node, NodeId(0));
  EXPECT_DOUBLE_EQ(r.objective, 4500);

  p.model.qos_time = false;
  r = solve(p);
  ASSERT_EQ(r.status, PlacementStatus::optimal);
  EXPECT_EQ(r.placed[0].node, NodeId(0));
  EXPECT_DOUBLE_EQ(r.objective, 3000);
}

TEST(ExactPlacer, ChainOfPinnedVfsOnly) {
  PlacementProblem p;
  p.nodes = {node(0, 1e5), node(1, 2e5)};
  PlacementFunction a = vf(1e4), b = vf(2e4);
  a.pinned = NodeId(1);
  b.pinned = NodeId(0);
  p.chains = {chain(1, 1, {a, b})};
  PlacementResult r = solve(p);
  ASSERT_EQ(r.status, PlacementStatus::optimal);
  ASSERT_EQ(r.placed.size(), 2u);
  EXPECT_EQ(r.placed[0].node, NodeId(1));
  EXPECT_EQ(r.placed[1].node, NodeId(0));
  EXPECT_DOUBLE_EQ(r.objective, 1e8 / 2e5 + 4e8 / 1e5);

  p.chains[0].fps = 4;  // 0.05 + 0.2 s > 0.25 s? equal: 0.25 s fits exactly
  EXPECT_EQ(solve(p).status, PlacementStatus::optimal);
  p.chains[0].fps = 5;
  r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "qos_time")) << r.reason;
}

TEST(ExactPlacer, PinnedVfMayStayOnAnAvoidedNode) {
  PlacementProblem p;
  p.nodes = {node(0, 1e5), node(1, 1e5), node(2, 3e5)};
  p.nodes[0].avoid = true;
  p.nodes[2].avoid = true;
  PlacementFunction a = vf(1e4);
  a.pinned = NodeId(0);
  p.chains = {chain(1, 1, {a, vf(1e4)})};
  const PlacementResult r = solve(p);
  ASSERT_EQ(r.status, PlacementStatus::optimal);
  EXPECT_EQ(r.placed[0].node, NodeId(0));
  EXPECT_EQ(r.placed[1].node, NodeId(1));  // not the fast, avoided node 2
}

TEST(ExactPlacer, SeveralVfsPerNodeWithCapacity) {
  PlacementProblem p;
  p.model.max_functions_per_node = 0;
  p.model.spread_chain = false;
  p.model.capacity = true;
  p.model.qos_time = false;
  p.nodes = {node(0, 1e5), node(1, 4e5)};
  p.nodes[1].capacity.cpu_ips = 2.5e4;  // room for two of the three VFs (1e4 instructions/s each)
  p.chains = {chain(1, 1, {vf(1e4), vf(1e4), vf(1e4)})};
  const PlacementResult r = solve(p);
  ASSERT_EQ(r.status, PlacementStatus::optimal);
  int on_fast = 0;
  for (const auto& placed : r.placed) on_fast += placed.node == NodeId(1);
  EXPECT_EQ(on_fast, 2);
  EXPECT_DOUBLE_EQ(r.objective, 2 * 1e8 / 4e5 + 1e8 / 1e5);
}

TEST(ExactPlacer, SolvesAMediumInstance) {
  // 60 nodes, 4 chains of 5 VFs, capacity and 2 VFs per node: beyond the brute force, checked for validity only.
  // With 1200 columns the model goes through CBC's standard driver (CbcMain1), not straight to CbcModel.
  Rng rng(11);
  PlacementProblem p;
  p.model.capacity = true;
  p.model.max_functions_per_node = 2;
  for (std::uint32_t i = 0; i < 60; ++i) {
    PlacementNode n = node(i, rng.uniform(0.5e5, 1.5e5));
    n.capacity = {rng.uniform(2e4, 6e4), 1e9};
    p.nodes.push_back(n);
  }
  for (std::uint32_t c = 1; c <= 4; ++c) {
    std::vector<PlacementFunction> functions;
    for (int j = 0; j < 5; ++j) functions.push_back(vf(rng.uniform(0.5e4, 1.5e4)));
    p.chains.push_back(chain(c, 2, std::move(functions)));
  }
  const PlacementResult r = solve(p);
  ASSERT_EQ(r.status, PlacementStatus::optimal) << r.reason;
  EXPECT_EQ(r.placed.size(), 20u);
  EXPECT_NEAR(r.gap, 0, 1e-6);
}

TEST(ExactPlacer, IsDeterministic) {
  Rng rng(7);
  for (int n = 0; n < 20; ++n) {
    const PlacementProblem p = random_problem(rng, Kind::general, true);
    const PlacementResult a = ExactPlacer().place(p), b = ExactPlacer().place(p);
    EXPECT_EQ(a.status, b.status);
    EXPECT_EQ(a.reason, b.reason);
    ASSERT_EQ(a.placed.size(), b.placed.size());
    for (std::size_t k = 0; k < a.placed.size(); ++k) {
      EXPECT_EQ(a.placed[k].node, b.placed[k].node);
      EXPECT_EQ(a.placed[k].replica, b.placed[k].replica);
    }
  }
}

TEST(ExactPlacer, ZeroTimeLimitStopsWithoutAPlacement) {
  PlacementProblem p;
  p.nodes = {node(0, 1e5), node(1, 1e5)};
  p.chains = {chain(1, 1, {vf(1e4)})};
  const PlacementResult r = ExactPlacer().place(p, SolveLimits{0});
  EXPECT_EQ(r.status, PlacementStatus::time_limit);
  EXPECT_FALSE(r.has_placement());
  EXPECT_EQ(r.gap, -1);
}

TEST(ExactPlacer, TimeLimitOnALargeInstance) {
  // 100 nodes, 20 chains of 5 VFs: CBC usually does not close this within 0.5 s. Whatever it has by then
  // is valid. How far it gets depends on the machine's speed and load, so the status may be either.
  Rng rng(12);
  PlacementProblem p;
  p.model.capacity = true;
  p.model.max_functions_per_node = 2;
  for (std::uint32_t i = 0; i < 100; ++i) {
    PlacementNode n = node(i, rng.uniform(0.5e5, 1.5e5));
    n.capacity = {rng.uniform(2e4, 6e4), 1e9};
    p.nodes.push_back(n);
  }
  for (std::uint32_t c = 1; c <= 20; ++c) {
    std::vector<PlacementFunction> functions;
    for (int j = 0; j < 5; ++j) functions.push_back(vf(rng.uniform(0.5e4, 1.5e4)));
    p.chains.push_back(chain(c, 2, std::move(functions)));
  }
  const PlacementResult r = ExactPlacer().place(p, SolveLimits{0.5});
  expect_valid(p, r);
  ASSERT_TRUE(r.status == PlacementStatus::time_limit || r.status == PlacementStatus::optimal)
      << to_string(r.status) << ": " << r.reason;
  if (r.has_placement()) {
    EXPECT_EQ(r.placed.size(), 100u);
    EXPECT_GE(r.gap, 0);
    EXPECT_LE(r.bound, r.objective);
  } else {
    EXPECT_EQ(r.gap, -1);
  }
}

TEST(ExactPlacer, InvalidModelIsReported) {
  PlacementProblem p;
  p.model.bandwidth = true;
  p.model.spread_chain = false;
  p.nodes = {node(0, 1e5)};
  p.chains = {chain(1, 1, {vf(1e4)})};
  const PlacementResult r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "invalid_argument")) << r.reason;
}

// ---------------------------------------------------------------------------------------------------------------
// Replication.

TEST(ExactPlacer, ReplicatesTheSlowStage) {
  PlacementProblem p;
  p.model.replication = true;
  p.nodes = {node(0, 1e5), node(1, 1e5), node(2, 1e5), node(3, 1e5)};
  // 0.3 + 0.1 s of work, 1/fps = 0.3 s: two copies of the first VF (0.15 + 0.1 s) are the fewest that fit.
  p.chains = {chain(1, 1 / 0.3, {vf(3e4), vf(1e4)})};
  const PlacementResult r = solve(p);
  ASSERT_EQ(r.status, PlacementStatus::optimal) << r.reason;
  ASSERT_EQ(r.placed.size(), 3u);
  EXPECT_EQ(replicas_of(p, r), (std::vector<std::vector<std::uint32_t>>{{2, 1}}));
  for (const auto& placed : r.placed) {
    if (placed.function == 0) {
      EXPECT_EQ(placed.replicas, 2u);
      EXPECT_DOUBLE_EQ(placed.load_ipf, 1.5e4);
    }
  }
  EXPECT_DOUBLE_EQ(r.objective, 2 * 2.25e8 / 1e5 + 1e8 / 1e5);
  EXPECT_NE(r.reason.find("replicated"), std::string::npos) << r.reason;
}

TEST(ExactPlacer, ReplicationTieBreakPrefersTheHeaviestVf) {
  PlacementProblem p;
  p.model.replication = true;
  p.nodes = {node(0, 1e5), node(1, 1e5), node(2, 1e5), node(3, 1e5)};
  p.chains = {chain(1, 1 / 0.3, {vf(2e4), vf(1.9e4)})};
  EXPECT_EQ(replicas_of(p, solve(p)), (std::vector<std::vector<std::uint32_t>>{{2, 1}}));
  p.chains = {chain(1, 1 / 0.3, {vf(1.9e4), vf(2e4)})};
  EXPECT_EQ(replicas_of(p, solve(p)), (std::vector<std::vector<std::uint32_t>>{{1, 2}}));
  // Equal loads: chain order, then position in the chain.
  p.chains = {chain(1, 1 / 0.3, {vf(2e4), vf(2e4)})};
  EXPECT_EQ(replicas_of(p, solve(p)), (std::vector<std::vector<std::uint32_t>>{{2, 1}}));
}

TEST(ExactPlacer, ReplicationThatCannotHelpIsInfeasible) {
  PlacementProblem p;
  p.model.replication = true;
  p.model.max_replicas = 1;
  p.nodes = {node(0, 1e5), node(1, 1e5), node(2, 1e5)};
  p.chains = {chain(1, 1 / 0.3, {vf(3e4), vf(1e4)})};
  PlacementResult r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "qos_time")) << r.reason;
  EXPECT_NE(r.reason.find("replication"), std::string::npos) << r.reason;

  // The replication model (at the mean speed 1e5) asks for 2 copies of the heavy VF: 0.15 + 0.1 s. On the real
  // speeds no split placement fits: a copy of 1.5e4 or the light VF lands on a slow node (0.3 s or 0.2 s).
  p.model.max_replicas = 2;
  p.nodes = {node(0, 2e5), node(1, 0.5e5), node(2, 0.5e5)};
  r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "qos_time")) << r.reason;
  EXPECT_NE(r.reason.find("replication: with chain 1 VF 0 x 2 copies: qos_time"), std::string::npos) << r.reason;
}

TEST(ExactPlacer, PinnedVfsAreNotReplicated) {
  PlacementProblem p;
  p.model.replication = true;
  p.nodes = {node(0, 1e5), node(1, 1e5), node(2, 1e5), node(3, 1e5)};
  PlacementFunction heavy = vf(3e4);
  heavy.pinned = NodeId(0);
  p.chains = {chain(1, 1 / 0.3, {heavy, vf(1e4)})};
  PlacementResult r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);  // only the light VF could be split: 0.3 + 0.05 > 0.3
  p.chains = {chain(1, 1 / 0.36, {heavy, vf(1e4)})};
  r = solve(p);
  ASSERT_EQ(r.status, PlacementStatus::optimal) << r.reason;
  EXPECT_EQ(replicas_of(p, r), (std::vector<std::vector<std::uint32_t>>{{1, 2}}));
}

// ---------------------------------------------------------------------------------------------------------------
// Infeasibility names the binding constraint family: by a necessary condition or by relaxation.

TEST(ExactPlacerInfeasible, QosTime) {
  PlacementProblem p;
  p.nodes = {node(0, 1e5), node(1, 1e5)};
  p.chains = {chain(1, 6, {vf(1e4), vf(1e4)})};  // 0.2 s of work, 1/fps = 0.167 s
  PlacementResult r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "qos_time")) << r.reason;

  // Fast enough on the fast node alone, but one VF must go to the slow node (relaxation).
  p.nodes = {node(0, 2e5), node(1, 0.5e5)};
  p.chains = {chain(1, 5, {vf(1e4), vf(1e4)})};
  r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_EQ(r.reason.rfind("qos_time: ", 0), 0u) << r.reason;  // and nothing else binds

  // Without spread_chain, dropping max_functions_per_node also helps (both VFs on the fast node).
  p.model.spread_chain = false;
  r = solve(p);
  EXPECT_TRUE(starts_with(r.reason, "qos_time (also: max_functions_per_node)")) << r.reason;
}

TEST(ExactPlacerInfeasible, Capacity) {
  PlacementProblem p;
  p.model.capacity = true;
  p.model.qos_time = false;
  p.nodes = {node(0, 1e5), node(1, 1e5)};
  p.nodes[0].capacity.cpu_ips = 5e3;
  p.nodes[1].capacity.cpu_ips = 5e3;
  p.chains = {chain(1, 1, {vf(1e4)})};
  PlacementResult r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "capacity")) << r.reason;

  // Each VF fits alone on node 0, not both (relaxation); node 1 has too little RAM.
  p.model.max_functions_per_node = 0;
  p.model.spread_chain = false;
  p.nodes[0].capacity = {1.5e4, 1e9};
  p.nodes[1].capacity = {1e5, 1e6};
  PlacementFunction f = vf(1e4);
  f.ram_bytes = 1e8;
  p.chains = {chain(1, 1, {f, f})};
  r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_EQ(r.reason.rfind("capacity: ", 0), 0u) << r.reason;

  // A node already over its capacity (load of others, pinned VFs) takes no free VF, but is no obstacle otherwise.
  p.nodes[0].capacity = {1e5, 1e9};
  p.nodes[1].capacity = {1e5, 1e9};
  p.nodes[1].used = {2e5, 0};
  PlacementFunction stays = vf(1e4);
  stays.pinned = NodeId(1);
  p.chains = {chain(1, 1, {stays, vf(1e4)})};
  r = solve(p);
  ASSERT_EQ(r.status, PlacementStatus::optimal) << r.reason;
  EXPECT_EQ(r.placed[1].node, NodeId(0));
  p.nodes[0].used = {0.95e5, 0};
  r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "capacity")) << r.reason;
}

TEST(ExactPlacerInfeasible, MaxFunctionsPerNode) {
  PlacementProblem p;
  p.model.qos_time = false;
  p.nodes = {node(0, 1e5), node(1, 1e5)};
  p.chains = {chain(1, 1, {vf(1e4)}), chain(2, 1, {vf(1e4), vf(1e4)})};  // 3 VFs, 2 nodes
  PlacementResult r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "max_functions_per_node")) << r.reason;

  // Room for 3 in all, but one slot is on an avoided node (relaxation).
  p.model.spread_chain = false;
  p.nodes.push_back(node(2, 1e5));
  p.nodes[2].avoid = true;
  r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "max_functions_per_node (also: avoid)")) << r.reason;
}

TEST(ExactPlacerInfeasible, SpreadChain) {
  PlacementProblem p;
  p.model.qos_time = false;
  p.model.max_functions_per_node = 0;
  p.nodes = {node(0, 1e5), node(1, 1e5)};
  p.chains = {chain(1, 1, {vf(1e4), vf(1e4), vf(1e4)})};
  PlacementResult r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "spread_chain")) << r.reason;

  // Two VFs of one chain pinned to one node.
  PlacementFunction a = vf(1e4);
  a.pinned = NodeId(0);
  p.chains = {chain(1, 1, {a, a})};
  r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "spread_chain")) << r.reason;

  // By relaxation: only node 0 has the capacity, so both binding families are named.
  p.model.capacity = true;
  p.nodes[1].capacity.cpu_ips = 1;
  p.chains = {chain(1, 1, {vf(1e4), vf(1e4)})};
  r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "capacity (also: spread_chain)")) << r.reason;
}

TEST(ExactPlacerInfeasible, Bandwidth) {
  PlacementProblem p;
  p.model.bandwidth = true;
  p.model.qos_time = false;
  p.nodes = {node(0, 1e5), node(1, 1e5)};
  for (auto& n : p.nodes) n.link_free_bps = 1e4;
  PlacementFunction sender = vf(1e4);
  sender.output_bytes_per_frame = 2e4;  // 2e4 bytes/s at 1 fps, over every link
  p.chains = {chain(1, 1, {sender, vf(1e4)})};
  PlacementResult r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "bandwidth")) << r.reason;

  // Three chains of two VFs on two nodes whose links carry 1.5 streams each way: some node sends two (relaxation).
  p.model.max_functions_per_node = 3;
  for (auto& n : p.nodes) n.link_free_bps = 3e4;
  p.chains = {chain(1, 1, {sender, vf(1e4)}), chain(2, 1, {sender, vf(1e4)}), chain(3, 1, {sender, vf(1e4)})};
  r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_EQ(r.reason.rfind("bandwidth: ", 0), 0u) << r.reason;

  // With two chains it fits, each node sending one stream and receiving the other.
  p.chains.pop_back();
  r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::optimal) << r.reason;
}

TEST(ExactPlacerInfeasible, BandwidthTransferTimeCountsInQos) {
  PlacementProblem p;
  p.model.bandwidth = true;
  p.nodes = {node(0, 1e5), node(1, 1e5)};
  for (auto& n : p.nodes) {
    n.link_free_bps = 1e5;
    n.latency_s = 0.01;
  }
  PlacementFunction sender = vf(1e4);
  sender.output_bytes_per_frame = 1e4;                 // 0.1 s + 0.01 s to send, as much to receive
  p.chains = {chain(1, 1 / 0.43, {sender, vf(1e4)})};  // 0.1 + 0.11 + 0.11 + 0.1 = 0.42 s
  PlacementResult r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::optimal) << r.reason;
  p.chains[0].fps = 1 / 0.41;
  r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "qos_time")) << r.reason;
}

TEST(ExactPlacerInfeasible, Combined) {
  // Every node fails two families: dropping any one family leaves none usable.
  PlacementProblem p;
  p.model.capacity = true;
  p.nodes = {node(0, 0.5e5), node(1, 2e5), node(2, 2e5)};
  p.nodes[0].capacity.cpu_ips = 1e6;  // big but slow (0.2 s) and full
  p.nodes[0].functions = 1;
  p.nodes[1].capacity.cpu_ips = 1;  // fast but small and full
  p.nodes[1].functions = 1;
  p.nodes[2].capacity.cpu_ips = 1;  // fast, small, to be avoided
  p.nodes[2].avoid = true;
  p.chains = {chain(1, 10, {vf(1e4)})};
  const PlacementResult r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "combined")) << r.reason;
}

TEST(ExactPlacerInfeasible, Avoid) {
  PlacementProblem p;
  p.nodes = {node(0, 1e5), node(1, 1e5)};
  for (auto& n : p.nodes) n.avoid = true;
  p.chains = {chain(1, 1, {vf(1e4)})};
  const PlacementResult r = solve(p);
  EXPECT_EQ(r.status, PlacementStatus::infeasible);
  EXPECT_TRUE(starts_with(r.reason, "avoid")) << r.reason;
}

}  // namespace
}  // namespace vfo
