#include "placement/heuristic/repair.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace vfo::heuristic {
namespace {

// How far `time` is over chain c's QoS time (0 when within).
double violation(const PlacementState& state, std::uint32_t c, double time) {
  return std::max(0.0, time - state.chains()[c].budget);
}

// Time of copy i's own share of its stage on node u: processing, sending and receiving.
double own_time(const PlacementState& state, std::uint32_t i, int u) {
  const Item& it = state.items()[i];
  const PlacementNode& node = state.problem().nodes[u];
  double t = it.load / node.speed_ips;
  if (it.sends) t += transfer_time(it.send_bytes, node.link_free_bps) + node.latency_s;
  if (it.receives) t += transfer_time(it.recv_bytes, node.link_free_bps) + node.latency_s;
  return t;
}

// The move of free item i (of a late chain) that lowers the total violation most, if any; made. A
// stage's time is a maximum over its copies, so a move that leaves the violation as it is but makes the
// copy itself quicker also counts (weighted by kRepairTieWeight), to open the way for its siblings.
bool repair_move(PlacementState& state, std::uint32_t i) {
  const PlacementProblem& problem = state.problem();
  const PlacementModel& model = state.model();
  const std::vector<Item>& items = state.items();
  const MaxTree& tree = state.free_cpu_tree();
  const Item& it = items[i];
  const std::uint32_t c = it.chain;
  const int a = state.node_of(i);
  const double before = violation(state, c, state.chain_time(c));
  const double own_before = own_time(state, i, a);
  const double gain_floor = kMinImprovement * std::max(1e-9, before);
  double best_gain = gain_floor;
  int best_node = -1;
  long best_partner = -1;
  auto consider = [&](double violation_gain, int node, long partner) {
    if (violation_gain < 0) return;
    const double gain = violation_gain + kRepairTieWeight * (own_before - own_time(state, i, node));
    if (gain > best_gain) best_gain = gain, best_node = node, best_partner = partner;
  };
  const double need = model.capacity ? it.cpu : 0;
  for (std::size_t r = tree.first_at_least(0, need); r != MaxTree::npos; r = tree.first_at_least(r + 1, need)) {
    const int u = state.node_at_rank(r);
    if (u == a || !state.fits(it, u) || (model.spread_chain && state.chain_on(c, u))) continue;
    consider(before - violation(state, c, state.chain_time_with(c, {static_cast<int>(i), u, -1, -1})), u, -1);
    if (!model.bandwidth) break;  // the fastest node with room is the best relocation
  }
  for (std::uint32_t k = 0; k < items.size(); ++k) {
    const Item& other = items[k];
    const int b = state.node_of(k);
    if (other.pinned >= 0 || other.chain == c || b == a) continue;
    if (!model.bandwidth && problem.nodes[b].speed_ips <= problem.nodes[a].speed_ips) continue;
    if (!state.swap_fits(i, k)) continue;
    const Override ov{static_cast<int>(i), b, static_cast<int>(k), a};
    const double d_before = violation(state, other.chain, state.chain_time(other.chain));
    const double d_after = violation(state, other.chain, state.chain_time_with(other.chain, ov));
    consider(before - violation(state, c, state.chain_time_with(c, ov)) + d_before - d_after, b, static_cast<long>(k));
  }
  if (best_node < 0) return false;
  state.unassign(i);
  if (best_partner >= 0) {
    const auto k = static_cast<std::uint32_t>(best_partner);
    state.unassign(k);
    state.assign(k, a);
  }
  state.assign(i, best_node);
  return true;
}

}  // namespace

void repair(PlacementState& state) {
  const std::vector<Item>& items = state.items();
  const std::vector<ChainInfo>& chains = state.chains();
  long budget = 20 * static_cast<long>(items.size()) + 100;
  for (bool moved = true; moved && budget > 0;) {
    moved = false;
    bool late = false;
    for (std::uint32_t c = 0; c < chains.size() && budget > 0; ++c) {
      for (std::uint32_t i = chains[c].item_begin; i < chains[c].item_end && budget > 0; ++i) {
        if (violation(state, c, state.chain_time(c)) <= 0) break;
        late = true;
        if (items[i].pinned < 0 && repair_move(state, i)) moved = true, --budget;
      }
      if ((c & 15) == 15 && state.past_deadline()) return;
    }
    if (!late || state.past_deadline()) return;
  }
}

}  // namespace vfo::heuristic
