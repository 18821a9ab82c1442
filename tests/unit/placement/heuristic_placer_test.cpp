#include "vfo/placement/heuristic_placer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "vfo/placement/exact_placer.hpp"
#include "vfo/placement/feasibility.hpp"
#include "vfo/util/random.hpp"

namespace vfo {
namespace {

const std::vector<std::string> kFamilies = {"capacity",     "qos_time",  "max_functions_per_node",
                                            "spread_chain", "bandwidth", "avoid"};

bool starts_with_family(const std::string& reason) {
  return std::any_of(kFamilies.begin(), kFamilies.end(),
                     [&](const std::string& f) { return reason.rfind(f + ":", 0) == 0; });
}

PlacementNode node(std::uint32_t id, double speed) {
  PlacementNode n;
  n.id = NodeId(id);
  n.speed_ips = speed;
  n.capacity = {speed, 1e9};
  n.link_free_bps = 1e6;
  return n;
}

PlacementChain chain(std::uint32_t id, double fps, const std::vector<double>& loads) {
  PlacementChain c;
  c.id = ChainId(id);
  c.fps = fps;
  for (const double l : loads) c.functions.push_back({l, 1e6, 1e3, std::nullopt});
  return c;
}

const PlacedFunction& find(const PlacementResult& r, std::uint32_t chain, std::uint32_t function,
                           std::uint32_t replica = 0) {
  for (const auto& p : r.placed) {
    if (p.chain == ChainId(chain) && p.function == function && p.replica == replica) return p;
  }
  throw std::runtime_error("not placed");
}

// Checks what every answer must satisfy; returns true when it has a placement.
bool expect_sound(const PlacementProblem& problem, const PlacementResult& r) {
  EXPECT_EQ(r.solver, "heuristic");
  EXPECT_GE(r.solve_s, 0);
  if (r.status == PlacementStatus::feasible) {
    const Status check = check_placement(problem, r.placed);
    EXPECT_TRUE(check.is_ok()) << check.message();
    EXPECT_DOUBLE_EQ(r.objective, total_cost(problem, r.placed));
    EXPECT_EQ(r.gap, -1);
    EXPECT_EQ(r.bound, 0);
    return true;
  }
  EXPECT_EQ(r.status, PlacementStatus::infeasible) << r.reason;
  EXPECT_TRUE(r.placed.empty());
  EXPECT_TRUE(starts_with_family(r.reason)) << r.reason;
  // The final check_placement never has to reject the heuristic's own placement.
  EXPECT_EQ(r.reason.find("failed check_placement"), std::string::npos) << r.reason;
  return false;
}

// A random instance of a random model: the paper's speeds and loads (Tables 2 and 3) scaled down so that
// every constraint family binds in some of them.
PlacementProblem random_problem(Rng& rng, int max_nodes = 41, int max_chains = 4) {
  PlacementProblem p;
  PlacementModel& m = p.model;
  m.qos_time = rng.bernoulli(0.8);
  m.capacity = rng.bernoulli(0.5);
  m.spread_chain = rng.bernoulli(0.7);
  m.bandwidth = m.spread_chain && rng.bernoulli(0.4);
  m.replication = rng.bernoulli(0.5);
  m.max_replicas = 1 + static_cast<int>(rng.next_u64() % 6);
  const double kind = rng.uniform();
  m.max_functions_per_node = kind < 0.4 ? 1 : kind < 0.7 ? 0 : 2 + static_cast<int>(rng.next_u64() % 3);
  const int nodes = 2 + static_cast<int>(rng.next_u64() % static_cast<std::uint64_t>(max_nodes - 1));
  const double spread = rng.bernoulli(0.5) ? 1e3 : 3e4;  // Table 2, or very unequal nodes
  for (int i = 0; i < nodes; ++i) {
    PlacementNode n;
    n.id = NodeId(static_cast<std::uint32_t>(100 + 3 * i));
    n.speed_ips = std::max(1e4, rng.normal(1e5, spread));
    n.capacity = {n.speed_ips * rng.uniform(0.5, 1.0), rng.uniform(1e9, 4e9)};
    if (rng.bernoulli(0.3)) n.used = {n.capacity.cpu_ips * rng.uniform(0, 0.5), rng.uniform(0, 1e9)};
    if (rng.bernoulli(0.2)) n.functions = static_cast<int>(rng.next_u64() % 2);
    n.link_free_bps = rng.uniform(1e6, 1e8);
    n.latency_s = rng.uniform(0, 0.005);
    n.avoid = rng.bernoulli(0.1);
    p.nodes.push_back(n);
  }
  const int chains = 1 + static_cast<int>(rng.next_u64() % static_cast<std::uint64_t>(max_chains));
  for (int c = 0; c < chains; ++c) {
    PlacementChain ch;
    ch.id = ChainId(static_cast<std::uint32_t>(7 + c));
    const int length = 1 + static_cast<int>(rng.next_u64() % 8);
    double total = 0;
    for (int j = 0; j < length; ++j) {
      PlacementFunction f;
      f.load_ipf = std::max(1e3, rng.normal(1e4, 1e3));
      f.ram_bytes = rng.uniform(1e8, 1e9);
      f.output_bytes_per_frame = rng.uniform(1e3, 1e5);
      if (rng.bernoulli(0.05)) f.pinned = p.nodes[rng.next_u64() % p.nodes.size()].id;
      total += f.load_ipf;
      ch.functions.push_back(f);
    }
    // 1/fps around the chain's time on average nodes: QoS binds in some instances, not in others.
    ch.fps = 1e5 / total * rng.uniform(0.5, 1.6);
    p.chains.push_back(ch);
  }
  return p;
}

TEST(HeuristicPlacer, EveryAnswerOnRandomInstancesPassesTheCheck) {
  Rng rng(20190601, "heuristic-random");
  HeuristicPlacer placer;
  int feasible = 0, replicated = 0;
  std::map<std::string, int> reasons;
  for (int k = 0; k < 400; ++k) {
    const PlacementProblem problem = random_problem(rng);
    const PlacementResult r = placer.place(problem);
    SCOPED_TRACE(k);
    if (expect_sound(problem, r)) {
      ++feasible;
      replicated += std::any_of(r.placed.begin(), r.placed.end(), [](const auto& p) { return p.replicas > 1; });
    } else {
      ++reasons[r.reason.substr(0, r.reason.find(':'))];
    }
  }
  // The instances are not trivially infeasible, and replication is exercised.
  EXPECT_GT(feasible, 150);
  EXPECT_GT(replicated, 10);
  EXPECT_GE(reasons.size(), 3u);
}

TEST(HeuristicPlacer, IsDeterministic) {
  Rng rng(5, "heuristic-determinism");
  HeuristicPlacer placer;
  for (int k = 0; k < 30; ++k) {
    const PlacementProblem problem = random_problem(rng);
    const PlacementResult a = placer.place(problem), b = placer.place(problem);
    ASSERT_EQ(a.placed.size(), b.placed.size());
    for (std::size_t i = 0; i < a.placed.size(); ++i) EXPECT_EQ(a.placed[i].node, b.placed[i].node);
    EXPECT_EQ(a.reason, b.reason);
  }
}

// In the authors' model without a binding QoS time, the optimum pairs the heaviest VF with the fastest
// node (rearrangement inequality); the heuristic must find exactly that cost.
TEST(HeuristicPlacer, MatchesTheSortedOptimumOfTheAuthorsModel) {
  Rng rng(11, "heuristic-sorted");
  HeuristicPlacer placer;
  for (int k = 0; k < 50; ++k) {
    PlacementProblem p;
    const int nodes = 10 + static_cast<int>(rng.next_u64() % 50);
    std::vector<double> speeds, loads;
    for (int i = 0; i < nodes; ++i) {
      p.nodes.push_back(node(static_cast<std::uint32_t>(i), rng.normal(1e5, 1e4)));
      speeds.push_back(p.nodes.back().speed_ips);
    }
    const int chains = 1 + static_cast<int>(rng.next_u64() % 4);
    for (int c = 0; c < chains; ++c) {
      std::vector<double> l;
      for (int j = 0; j < 1 + static_cast<int>(rng.next_u64() % (nodes / chains)); ++j) {
        l.push_back(rng.normal(1e4, 1e3));
        loads.push_back(l.back());
      }
      p.chains.push_back(chain(static_cast<std::uint32_t>(c), 0.01, l));
    }
    std::sort(speeds.rbegin(), speeds.rend());
    std::sort(loads.rbegin(), loads.rend());
    double optimum = 0;
    for (std::size_t j = 0; j < loads.size(); ++j) optimum += placement_cost(loads[j], speeds[j]);
    const PlacementResult r = placer.place(p);
    ASSERT_TRUE(expect_sound(p, r)) << r.reason;
    EXPECT_NEAR(r.objective, optimum, 1e-9 * optimum);
  }
}

// Against CBC on small instances of every model: never below the optimum, rarely far above it, and a
// placement found on nearly every instance that has one. Without replication, so both solve one model.
TEST(HeuristicPlacer, StaysCloseToTheExactOptimum) {
  Rng rng(17, "heuristic-vs-exact");
  HeuristicPlacer heuristic;
  ExactPlacer exact;
  int solved = 0, found = 0;
  double gap_sum = 0;
  for (int k = 0; k < 80; ++k) {
    PlacementProblem problem = random_problem(rng, 14, 3);
    problem.model.replication = false;
    for (auto& c : problem.chains) c.fps *= 0.8;  // fewer instances without a placement
    const PlacementResult opt = exact.place(problem, {20});
    const PlacementResult h = heuristic.place(problem);
    SCOPED_TRACE(k);
    const bool has = expect_sound(problem, h);
    if (opt.status != PlacementStatus::optimal) continue;
    ++solved;
    if (!has) continue;
    ++found;
    EXPECT_GE(h.objective, opt.objective * (1 - 1e-4));
    gap_sum += (h.objective - opt.objective) / opt.objective;
  }
  ASSERT_GT(solved, 25);
  EXPECT_GE(found, solved * 9 / 10);
  EXPECT_LT(gap_sum / std::max(found, 1), 0.01);
}

TEST(HeuristicPlacer, HeaviestVfGoesToTheFastestNode) {
  PlacementProblem p;
  p.nodes = {node(1, 5e4), node(2, 2e5), node(3, 1e5), node(4, 8e4)};
  p.chains = {chain(0, 1, {1e3, 9e3, 4e3})};
  const PlacementResult r = HeuristicPlacer().place(p);
  ASSERT_TRUE(expect_sound(p, r)) << r.reason;
  EXPECT_EQ(find(r, 0, 1).node, NodeId(2));
  EXPECT_EQ(find(r, 0, 2).node, NodeId(3));
  EXPECT_EQ(find(r, 0, 0).node, NodeId(4));
  EXPECT_DOUBLE_EQ(r.objective, 1e6 / 8e4 + 81e6 / 2e5 + 16e6 / 1e5);
}

TEST(HeuristicPlacer, PinnedVfsStayEvenOnAvoidedNodes) {
  PlacementProblem p;
  p.nodes = {node(1, 5e4), node(2, 2e5), node(3, 1e5), node(4, 8e4)};
  p.nodes[0].avoid = true;
  p.chains = {chain(0, 1, {1e3, 9e3, 4e3})};
  p.chains[0].functions[1].pinned = NodeId(1);  // the heaviest, on the slowest node
  const PlacementResult r = HeuristicPlacer().place(p);
  ASSERT_TRUE(expect_sound(p, r)) << r.reason;
  EXPECT_EQ(find(r, 0, 1).node, NodeId(1));
  EXPECT_EQ(find(r, 0, 2).node, NodeId(2));
  EXPECT_EQ(find(r, 0, 0).node, NodeId(3));
}

TEST(HeuristicPlacer, AvoidedNodesTakeNoFreeVf) {
  PlacementProblem p;
  p.nodes = {node(1, 9e5), node(2, 2e5), node(3, 1e5), node(4, 8e5)};
  p.nodes[0].avoid = true;
  p.nodes[3].avoid = true;
  p.model.max_functions_per_node = 0;
  p.model.spread_chain = false;
  p.chains = {chain(0, 1, {1e3, 9e3, 4e3}), chain(1, 1, {2e3})};
  const PlacementResult r = HeuristicPlacer().place(p);
  ASSERT_TRUE(expect_sound(p, r)) << r.reason;
  for (const auto& f : r.placed) EXPECT_EQ(f.node, NodeId(2));  // the fastest that may be used, for all
}

TEST(HeuristicPlacer, ReplicatesWhenTheQosTimeCannotBeMetOtherwise) {
  PlacementProblem p;
  for (std::uint32_t i = 0; i < 8; ++i) p.nodes.push_back(node(i, 1e5));
  // 4e4 instructions at 1e5/s take 0.4 s; at 5 fps the budget is 0.2 s.
  p.chains = {chain(0, 5, {1e4, 2e4, 1e4})};
  const PlacementResult unsplit = HeuristicPlacer().place(p);
  EXPECT_FALSE(expect_sound(p, unsplit));
  EXPECT_EQ(unsplit.reason.rfind("qos_time:", 0), 0u) << unsplit.reason;

  p.model.replication = true;
  const PlacementResult r = HeuristicPlacer().place(p);
  ASSERT_TRUE(expect_sound(p, r)) << r.reason;
  // The authors' model: minimise copies with 0.1/y0 + 0.2/y1 + 0.1/y2 <= 0.2: y = (2, 2, 2) or (1, 4, 2)...
  // the fewest copies is 6 (e.g. 2, 2, 2: 0.05 + 0.1 + 0.05), 5 cannot do (best 0.1/1 + 0.2/3 + 0.1/1).
  EXPECT_EQ(r.placed.size(), 6u);
  std::set<NodeId> nodes;
  for (const auto& f : r.placed) nodes.insert(f.node);
  EXPECT_EQ(nodes.size(), 6u);
}

TEST(HeuristicPlacer, ReplicationRespectsMaxReplicas) {
  PlacementProblem p;
  for (std::uint32_t i = 0; i < 20; ++i) p.nodes.push_back(node(i, 1e5));
  p.chains = {chain(0, 5, {1e5})};  // 1 s of work within 0.2 s: 5 copies
  p.model.replication = true;
  p.model.max_replicas = 4;
  const PlacementResult capped = HeuristicPlacer().place(p);
  EXPECT_FALSE(expect_sound(p, capped));
  EXPECT_EQ(capped.reason.rfind("qos_time:", 0), 0u) << capped.reason;
  p.model.max_replicas = 5;
  const PlacementResult r = HeuristicPlacer().place(p);
  ASSERT_TRUE(expect_sound(p, r)) << r.reason;
  EXPECT_EQ(r.placed.size(), 5u);
  for (const auto& f : r.placed) EXPECT_DOUBLE_EQ(f.load_ipf, 2e4);
  EXPECT_EQ(r.reason, "replicated chain 0 VF 0 x 5");
}

TEST(HeuristicPlacer, NeverReplicatesPinnedVfs) {
  PlacementProblem p;
  for (std::uint32_t i = 0; i < 10; ++i) p.nodes.push_back(node(i, 1e5));
  p.chains = {chain(0, 4, {1e4, 2e4, 1e4})};  // 0.4 s of work within 0.25 s
  p.chains[0].functions[1].pinned = NodeId(3);
  p.model.replication = true;
  const PlacementResult r = HeuristicPlacer().place(p);
  ASSERT_TRUE(expect_sound(p, r)) << r.reason;
  EXPECT_EQ(find(r, 0, 1).replicas, 1u);
  EXPECT_EQ(find(r, 0, 1).node, NodeId(3));
  EXPECT_GT(find(r, 0, 0).replicas + find(r, 0, 2).replicas, 2u);
}

TEST(HeuristicPlacer, AnswersSoundlyWithoutTime) {
  Rng rng(23, "heuristic-no-time");
  for (int k = 0; k < 20; ++k) {
    const PlacementProblem problem = random_problem(rng);
    const PlacementResult r = HeuristicPlacer().place(problem, {0});
    if (r.status == PlacementStatus::time_limit) {
      EXPECT_TRUE(r.placed.empty());
      continue;
    }
    expect_sound(problem, r);
  }
}

// Greedy by load gives the fast nodes to the heavy loose chain and the tight light chain misses its
// time; the heuristic must find the placement that serves both.
TEST(HeuristicPlacer, GivesFastNodesToTheChainThatNeedsThem) {
  PlacementProblem p;
  p.nodes = {node(1, 2e5), node(2, 2e5), node(3, 1e5), node(4, 1e5)};
  p.chains = {chain(0, 1, {3e4, 3e4}), chain(1, 5, {1.5e4, 1.5e4})};  // chain 1 needs both fast nodes
  const PlacementResult r = HeuristicPlacer().place(p);
  ASSERT_TRUE(expect_sound(p, r)) << r.reason;
  EXPECT_EQ(find(r, 1, 0).node.value + find(r, 1, 1).node.value, 3u);
}

TEST(HeuristicPlacer, WithBandwidthAvoidsSlowLinks) {
  PlacementProblem p;
  p.model.bandwidth = true;
  p.nodes = {node(1, 4e5), node(2, 1e5), node(3, 1e5), node(4, 1e5)};
  p.nodes[0].link_free_bps = 1e4;  // fastest CPU, but 1e4 bytes take 1 s over its link
  p.chains = {chain(0, 2, {1e4, 1e4})};
  for (auto& f : p.chains[0].functions) f.output_bytes_per_frame = 1e4;
  const PlacementResult r = HeuristicPlacer().place(p);
  ASSERT_TRUE(expect_sound(p, r)) << r.reason;
  for (const auto& f : r.placed) EXPECT_NE(f.node, NodeId(1));
}

TEST(HeuristicPlacer, InfeasibleNamesTheConstraintFamily) {
  const auto reason = [](const PlacementProblem& p) {
    const PlacementResult r = HeuristicPlacer().place(p);
    EXPECT_FALSE(expect_sound(p, r));
    return r.reason.substr(0, r.reason.find(':'));
  };
  PlacementProblem base;
  base.nodes = {node(1, 1e5), node(2, 1e5), node(3, 1e5)};
  base.chains = {chain(0, 1, {1e4, 1e4})};
  {
    PlacementProblem p = base;
    p.chains[0].fps = 10;  // 0.2 s of work in 0.1 s
    EXPECT_EQ(reason(p), "qos_time");
  }
  {
    PlacementProblem p = base;
    p.model.spread_chain = false;
    p.nodes.pop_back();
    p.nodes.pop_back();
    EXPECT_EQ(reason(p), "max_functions_per_node");
  }
  {
    PlacementProblem p = base;
    p.model.max_functions_per_node = 0;
    p.nodes.pop_back();
    p.nodes.pop_back();
    EXPECT_EQ(reason(p), "spread_chain");
  }
  {
    PlacementProblem p = base;
    p.model.capacity = true;
    p.nodes[1].used = {p.nodes[1].capacity.cpu_ips, 0};
    p.nodes[2].capacity.ram_bytes = 1e3;
    EXPECT_EQ(reason(p), "capacity");
  }
  {
    PlacementProblem p = base;
    p.model.bandwidth = true;
    p.model.qos_time = false;                      // else the transfer time alone breaks it first
    for (auto& n : p.nodes) n.link_free_bps = 10;  // 1e3 bytes/frame at 1 fps
    EXPECT_EQ(reason(p), "bandwidth");
  }
  {
    PlacementProblem p = base;
    for (auto& n : p.nodes) n.avoid = true;
    EXPECT_EQ(reason(p), "avoid");
  }
  {
    PlacementProblem p = base;
    p.nodes[0].functions = 1;  // a pinned VF on a full node
    p.chains[0].functions[0].pinned = NodeId(1);
    EXPECT_EQ(reason(p), "max_functions_per_node");
  }
}

TEST(HeuristicPlacer, EmptyProblemIsFeasible) {
  PlacementProblem p;
  p.nodes = {node(1, 1e5)};
  const PlacementResult r = HeuristicPlacer().place(p);
  EXPECT_EQ(r.status, PlacementStatus::feasible);
  EXPECT_TRUE(r.placed.empty());
}

TEST(HeuristicPlacer, PlacesAThousandNodesQuickly) {
  // Not a timing test (see bench/placement_bench.cpp): a size check that the large path works.
  Rng rng(3, "heuristic-large");
  PlacementProblem p;
  for (std::uint32_t i = 0; i < 1000; ++i) p.nodes.push_back(node(i, rng.normal(1e5, 1e3)));
  for (std::uint32_t c = 0; c < 50; ++c) {
    std::vector<double> loads;
    double total = 0;
    for (int j = 0; j < 8; ++j) total += loads.emplace_back(rng.normal(1e4, 1e3));
    p.chains.push_back(chain(c, 1.0 / (total / 1e5 * rng.uniform(0.99, 1.2)), loads));
  }
  const PlacementResult r = HeuristicPlacer().place(p);
  ASSERT_TRUE(expect_sound(p, r)) << r.reason;
  EXPECT_EQ(r.placed.size(), 400u);
}

}  // namespace
}  // namespace vfo
