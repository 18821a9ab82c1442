#include "placement/heuristic/local_search.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "placement/heuristic/construction.hpp"

namespace vfo::heuristic {
namespace {

double inv_speed(const std::vector<PlacementNode>& nodes, int u) {
  return 1.0 / nodes[u].speed_ips;
}

// The items not pinned, in item order.
std::vector<std::uint32_t> free_items_of(const PlacementState& state) {
  const std::vector<Item>& items = state.items();
  std::vector<std::uint32_t> free_items;
  for (std::uint32_t i = 0; i < items.size(); ++i) {
    if (items[i].pinned < 0) free_items.push_back(i);
  }
  return free_items;
}

// Takes out the copies on 1-2 random nodes and 1-4 random copies, then puts them back in decreasing
// load (shaken by +-10 %), each on its cheapest feasible node. False when one found no node (the
// placement is then incomplete: restore it).
bool ruin_and_recreate(PlacementState& state, Rng& rng, const std::vector<std::uint32_t>& free_items) {
  const std::vector<Item>& items = state.items();
  std::vector<std::uint32_t> out;
  const int seeds = 1 + static_cast<int>(rng.next_u64() % 2);
  for (int s = 0; s < seeds; ++s) {
    const int u = state.node_of(free_items[rng.next_u64() % free_items.size()]);
    for (const std::uint32_t i : free_items) {
      if (state.node_of(i) == u) out.push_back(i);
    }
  }
  const int extra = 1 + static_cast<int>(rng.next_u64() % 4);
  for (int e = 0; e < extra; ++e) out.push_back(free_items[rng.next_u64() % free_items.size()]);
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  std::vector<double> weight(items.size());
  for (const std::uint32_t i : out) {
    weight[i] = items[i].load * (0.9 + 0.2 * rng.uniform());
    state.unassign(i);
  }
  std::stable_sort(out.begin(), out.end(), [&](std::uint32_t a, std::uint32_t b) { return weight[a] > weight[b]; });
  for (const std::uint32_t i : out) {
    const int u = choose_node(state, i, false, &rng);
    if (u < 0) return false;
    state.assign(i, u);
  }
  return true;
}

// One random move that keeps every constraint (a few tries; none when they all fail). Always true.
bool perturb(PlacementState& state, Rng& rng, const std::vector<std::uint32_t>& free_items) {
  const PlacementModel& model = state.model();
  const auto n = state.problem().nodes.size();
  for (int tries = 0; tries < 32; ++tries) {
    const std::uint32_t i = free_items[rng.next_u64() % free_items.size()];
    const Item& it = state.items()[i];
    const int a = state.node_of(i);
    if (rng.bernoulli(0.5)) {
      const std::uint32_t j = free_items[rng.next_u64() % free_items.size()];
      const int b = state.node_of(j);
      if (b == a || !state.swap_ok(i, j)) continue;
      state.unassign(i);
      state.unassign(j);
      state.assign(i, b);
      state.assign(j, a);
      return true;
    }
    const int u = static_cast<int>(rng.next_u64() % n);
    if (u == a || !state.usable(u) || !state.fits(it, u) || (model.spread_chain && state.chain_on(it.chain, u))) {
      continue;
    }
    if (state.chain_time_with(it.chain, {static_cast<int>(i), u, -1, -1}) > state.chains()[it.chain].budget) continue;
    state.unassign(i);
    state.assign(i, u);
    return true;
  }
  return true;
}

}  // namespace

long relocate_pass(PlacementState& state, long budget) {
  const PlacementProblem& problem = state.problem();
  const PlacementModel& model = state.model();
  const std::vector<Item>& items = state.items();
  const MaxTree& tree = state.free_cpu_tree();
  std::vector<std::uint32_t> by_load = free_items_of(state);
  std::stable_sort(by_load.begin(), by_load.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return items[a].load > items[b].load; });
  long moves = 0;
  std::size_t seen = 0;
  for (const std::uint32_t i : by_load) {
    if (moves >= budget || ((++seen & 255) == 0 && state.past_deadline())) break;
    const Item& it = items[i];
    const int from = state.node_of(i);
    const double speed_from = problem.nodes[from].speed_ips;
    const double need = model.capacity ? it.cpu : 0;
    for (std::size_t r = tree.first_at_least(0, need); r != MaxTree::npos && static_cast<int>(r) < state.rank_of(from);
         r = tree.first_at_least(r + 1, need)) {
      const int u = state.node_at_rank(r);
      if (problem.nodes[u].speed_ips <= speed_from) break;
      if (!state.fits(it, u) || (model.spread_chain && state.chain_on(it.chain, u))) continue;
      if (state.chain_time_with(it.chain, {static_cast<int>(i), u, -1, -1}) > state.chains()[it.chain].budget) continue;
      state.unassign(i);
      state.assign(i, u);
      ++moves;
      break;
    }
  }
  return moves;
}

long swap_pass(PlacementState& state, long budget) {
  const std::vector<PlacementNode>& nodes = state.problem().nodes;
  const std::vector<Item>& items = state.items();
  std::vector<std::uint32_t> free_items = free_items_of(state);
  // Heaviest first: they gain the most from a faster node.
  std::stable_sort(free_items.begin(), free_items.end(),
                   [&](std::uint32_t a, std::uint32_t b) { return items[a].load > items[b].load; });
  std::vector<double> square(free_items.size());
  for (std::size_t k = 0; k < free_items.size(); ++k) square[k] = items[free_items[k]].load * items[free_items[k]].load;
  long moves = 0;
  for (std::size_t p = 0; p < free_items.size() && moves < budget; ++p) {
    if ((p & 31) == 31 && state.past_deadline()) break;
    const std::uint32_t i = free_items[p];
    const int a = state.node_of(i);
    const double inv_a = inv_speed(nodes, a);
    double best_delta = 0;
    std::uint32_t best = 0;
    bool found = false;
    // Partners are lighter (later in the list); the swap gains when their node is faster.
    for (std::size_t q = p + 1; q < free_items.size(); ++q) {
      const std::uint32_t j = free_items[q];
      const int b = state.node_of(j);
      if (b == a) continue;
      const double delta = (square[p] - square[q]) * (inv_speed(nodes, b) - inv_a);
      // Nearly every partner fails this test: [[likely]] keeps the loop's values in registers across the
      // rare full check below.
      if (delta >= best_delta - kMinImprovement * square[p] * inv_a) [[likely]] {
        continue;
      }
      if (!state.swap_ok(i, j)) continue;
      best_delta = delta;
      best = j;
      found = true;
    }
    if (!found) continue;
    const int b = state.node_of(best);
    state.unassign(i);
    state.unassign(best);
    state.assign(i, b);
    state.assign(best, a);
    ++moves;
  }
  return moves;
}

long improve(PlacementState& state, long move_budget) {
  long moves = 0;
  for (int pass = 0; pass < kMaxLocalPasses && moves < move_budget; ++pass) {
    long pass_moves = relocate_pass(state, move_budget - moves);
    moves += pass_moves;
    if (moves < move_budget) {
      const long swaps = swap_pass(state, move_budget - moves);
      moves += swaps;
      pass_moves += swaps;
    }
    if (pass_moves == 0 || state.past_deadline()) break;
  }
  return moves;
}

void explore(PlacementState& state, Rng& rng, long iterations, long move_budget) {
  const std::vector<std::uint32_t> free_items = free_items_of(state);
  if (free_items.size() < 2) return;
  std::vector<int> best = state.assignment();
  double best_cost = state.cost();
  for (long k = 0; k < iterations && !state.past_deadline(); ++k) {
    bool kicked = false;
    if (k % 2 == 0) {
      kicked = ruin_and_recreate(state, rng, free_items);
    } else {
      const bool first = perturb(state, rng, free_items);  // both perturbations run, whatever the first did
      const bool second = perturb(state, rng, free_items);
      kicked = first || second;
    }
    if (!kicked) {
      state.restore(best);
      continue;
    }
    improve(state, move_budget);
    const double now = state.cost();
    if (now < best_cost * (1 - kMinImprovement)) {
      best = state.assignment();
      best_cost = now;
    } else {
      state.restore(best);
    }
  }
}

}  // namespace vfo::heuristic
