#include "placement/heuristic/construction.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "placement/heuristic/repair.hpp"

namespace vfo::heuristic {
namespace {

// The node with the least stage time that takes item i, regardless of the chain's QoS time; -1 if none.
int least_time_node(const PlacementState& state, std::uint32_t i) {
  const PlacementModel& model = state.model();
  const Item& it = state.items()[i];
  const MaxTree& tree = state.free_cpu_tree();
  const double need = model.capacity ? it.cpu : 0;
  int best = -1;
  double best_time = kInf;
  for (std::size_t r = tree.first_at_least(0, need); r != MaxTree::npos; r = tree.first_at_least(r + 1, need)) {
    const int u = state.node_at_rank(r);
    if (!state.fits(it, u) || (model.spread_chain && state.chain_on(it.chain, u))) continue;
    if (!model.bandwidth) return u;  // the fastest
    const double st = state.stage_time_with(it.stage, {static_cast<int>(i), u, -1, -1});
    if (st < best_time) best_time = st, best = u;
  }
  return best;
}

// Places pinned item i on its node; a failure when that breaks a constraint.
std::optional<Failure> place_pinned(PlacementState& state, std::uint32_t i) {
  const PlacementModel& model = state.model();
  const Item& it = state.items()[i];
  const int u = it.pinned;
  const auto chain_id = state.problem().chains[it.chain].id.value;
  const auto node_id = state.problem().nodes[u].id.value;
  auto fail = [&](const char* family, std::string what) {
    return Failure{
        it.chain, family,
        fmt::format("{}: chain {} VF {} is pinned to node {}, {}", family, chain_id, it.function, node_id, what)};
  };
  if (state.slots_left(u) <= 0) {
    return fail("max_functions_per_node",
                fmt::format("which holds {} VFs already (at most {})",
                            model.max_functions_per_node - state.slots_left(u), model.max_functions_per_node));
  }
  if (model.spread_chain && state.chain_on(it.chain, u)) return fail("spread_chain", "which holds another VF of it");
  if (it.cpu > state.cpu_left(u) || it.ram > state.ram_left(u)) return fail("capacity", "which has no room for it");
  if (it.out_bps > state.out_left(u) || it.in_bps > state.in_left(u)) {
    return fail("bandwidth", "whose link has not the bandwidth for it");
  }
  state.assign(i, u);
  return std::nullopt;
}

// Why no node takes free item i: the constraint family that rules out the last candidates, checking
// the families in the order avoid, max_functions_per_node, spread_chain, capacity, bandwidth, qos_time.
Failure diagnose(const PlacementState& state, std::uint32_t i) {
  const PlacementProblem& problem = state.problem();
  const PlacementModel& model = state.model();
  const Item& it = state.items()[i];
  const std::uint32_t c = it.chain;
  int furthest = -1;
  for (int u = 0; u < static_cast<int>(problem.nodes.size()); ++u) {
    const PlacementNode& node = problem.nodes[u];
    int stage = 0;
    if (!node.avoid && node.speed_ips > 0) {
      stage = 1;
      if (state.slots_left(u) > 0) {
        stage = 2;
        if (!model.spread_chain || !state.chain_on(c, u)) {
          stage = 3;
          if (it.cpu <= state.cpu_left(u) && it.ram <= state.ram_left(u)) {
            stage = 4;
            if (it.out_bps <= state.out_left(u) && it.in_bps <= state.in_left(u)) stage = 5;
          }
        }
      }
    }
    furthest = std::max(furthest, stage);
  }
  const auto chain_id = problem.chains[c].id.value;
  Failure f{c, "", ""};
  switch (furthest) {
    case -1:
      f.family = "capacity";
      f.reason = fmt::format("capacity: there are no nodes for chain {}", chain_id);
      break;
    case 0:
      f.family = "avoid";
      f.reason = fmt::format("avoid: every node is to be avoided (or has no speed); chain {} VF {} has nowhere to go",
                             chain_id, it.function);
      break;
    case 1:
      f.family = "max_functions_per_node";
      f.reason = fmt::format("max_functions_per_node: every usable node holds {} VFs; no room for chain {} VF {}",
                             model.max_functions_per_node, chain_id, it.function);
      break;
    case 2:
      f.family = "spread_chain";
      f.reason = fmt::format("spread_chain: every node with room holds a VF of chain {} already; none left for VF {}",
                             chain_id, it.function);
      break;
    case 3:
      f.family = "capacity";
      f.reason = fmt::format("capacity: no node has {:.6g} instructions/s and {:.6g} bytes free for chain {} VF {}",
                             it.cpu, it.ram, chain_id, it.function);
      break;
    case 4:
      f.family = "bandwidth";
      f.reason = fmt::format(
          "bandwidth: no node has {:.6g} bytes/s out and {:.6g} bytes/s in free on its link for chain {} VF {}",
          it.out_bps, it.in_bps, chain_id, it.function);
      break;
    default:
      f.family = "qos_time";
      f.reason = fmt::format("qos_time: chain {} cannot meet 1/fps = {:.6g} s (no node left fast enough for VF {})",
                             chain_id, 1.0 / problem.chains[c].fps, it.function);
      break;
  }
  return f;
}

}  // namespace

std::vector<Failure> construct(PlacementState& state, const std::vector<int>& level, bool by_density, double noise,
                               Rng& rng, bool& fatal) {
  const PlacementProblem& problem = state.problem();
  const PlacementModel& model = state.model();
  const std::vector<Item>& items = state.items();
  const std::vector<ChainInfo>& chains = state.chains();
  state.reset();
  fatal = false;
  std::vector<Failure> failures;
  for (std::uint32_t i = 0; i < items.size(); ++i) {
    if (items[i].pinned < 0) continue;
    if (auto failure = place_pinned(state, i)) {
      fatal = true;
      return {std::move(*failure)};
    }
  }
  std::vector<std::uint32_t> free_items;
  for (std::uint32_t i = 0; i < items.size(); ++i) {
    if (items[i].pinned < 0) free_items.push_back(i);
  }
  std::vector<double> weight(items.size());
  for (std::uint32_t i = 0; i < items.size(); ++i) {
    const double key = by_density ? items[i].load / problem.chains[items[i].chain].fps : items[i].load;
    weight[i] = key * (noise > 0 ? 1 + noise * (rng.uniform() - 0.5) : 1.0);
  }
  std::stable_sort(free_items.begin(), free_items.end(), [&](std::uint32_t a, std::uint32_t b) {
    const int la = level[items[a].chain], lb = level[items[b].chain];
    if (la != lb) return la > lb;
    return weight[a] > weight[b];
  });
  std::vector<char> failed(chains.size(), 0);
  for (const std::uint32_t i : free_items) {
    const std::uint32_t c = items[i].chain;
    if (failed[c]) continue;
    int u = choose_node(state, i, model.bandwidth && level[c] >= kMinTimeLevel);
    if (u < 0) u = least_time_node(state, i);  // over the QoS time: placed anyway, for repair() to fix
    if (u >= 0) {
      state.assign(i, u);
      continue;
    }
    failed[c] = 1;
    failures.push_back(diagnose(state, i));
    for (std::uint32_t k = chains[c].item_begin; k < chains[c].item_end; ++k) {
      if (state.node_of(k) >= 0 && items[k].pinned < 0) state.unassign(k);
    }
  }
  if (failures.empty()) repair(state);
  for (std::uint32_t c = 0; c < chains.size(); ++c) {
    if (failed[c] || state.chain_time(c) <= chains[c].budget) continue;
    failures.push_back({c, "qos_time",
                        fmt::format("qos_time: chain {} takes {:.6g} s per frame at best, over 1/fps = {:.6g} s",
                                    problem.chains[c].id.value, state.chain_time(c), 1.0 / problem.chains[c].fps),
                        state.chain_time(c) * problem.chains[c].fps - 1});
  }
  return failures;
}

int choose_node(const PlacementState& state, std::uint32_t i, bool least_time, Rng* blink) {
  const PlacementModel& model = state.model();
  const Item& it = state.items()[i];
  const ChainInfo& chain = state.chains()[it.chain];
  const MaxTree& tree = state.free_cpu_tree();
  const std::uint32_t c = it.chain;
  const double need = model.capacity ? it.cpu : 0;
  const double others = state.chain_time(c) - state.stage_time(it.stage);
  const double share = (chain.budget - state.chain_time(c)) / std::max(1, state.open_stages(c));
  int best = -1, skipped = -1;
  double best_time = kInf;
  for (std::size_t r = tree.first_at_least(0, need); r != MaxTree::npos; r = tree.first_at_least(r + 1, need)) {
    const int u = state.node_at_rank(r);
    if (!state.fits(it, u) || (model.spread_chain && state.chain_on(c, u))) continue;
    const double st = state.stage_time_with(it.stage, {static_cast<int>(i), u, -1, -1});
    if (others + st > chain.budget) {
      if (!model.bandwidth) break;  // slower nodes take longer still
      continue;
    }
    if (!model.bandwidth || (!least_time && st - state.stage_time(it.stage) <= share)) {
      if (blink == nullptr || !blink->bernoulli(kBlinkRate)) return u;
      if (skipped < 0) skipped = u;  // blinked: passed over this once
      continue;
    }
    if (st < best_time) best_time = st, best = u;
  }
  return skipped >= 0 ? skipped : best;
}

}  // namespace vfo::heuristic
