#pragma once
#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "placement/heuristic/max_tree.hpp"
#include "placement/heuristic/tolerance.hpp"
#include "vfo/placement/placement_problem.hpp"
#include "vfo/placement/placement_result.hpp"

// The working state of the heuristic placer (private to src/placement/heuristic_*.cpp): the copies
// ("items") of every VF, where each one sits, and the bookkeeping kept up to date on every move so that a
// candidate node is judged in O(1) (slots, CPU, RAM, link bandwidth, spread) plus the time of one stage:
//   - per node: VF slots, CPU, RAM, outgoing and incoming bandwidth left (each limit with kTolerance),
//     and a MaxTree over the nodes in speed order holding the free CPU of the nodes that take items;
//   - per (chain, node): in use, with model.spread_chain;
//   - per stage: its current time (a max over its copies; copies not placed count at their lower bound);
//   - per chain: its frame time (the sum of its stage times) and the number of stages not complete.
// The overview of the whole heuristic is at the top of heuristic_placer.cpp. One PlacementState serves one
// place() call; it refers to the problem it was made from (which must outlive it) and is not thread-safe.

namespace vfo::heuristic {

using Clock = std::chrono::steady_clock;

// Seconds to move `bytes` over a link of `link` bytes/s: 0 for nothing to move, +inf without a link.
inline double transfer_time(double bytes, double link) {
  if (bytes <= 0) return 0;
  return link > 0 ? bytes / link : kInf;
}

// One copy of one VF.
struct Item {
  std::uint32_t chain = 0;     // index in problem.chains
  std::uint32_t stage = 0;     // global stage index: the stages of every chain, in chain order
  std::uint32_t function = 0;  // index in the chain
  std::uint32_t replica = 0;
  std::uint32_t replicas = 1;
  double load = 0;        // instructions per frame of this copy
  double cpu = 0;         // load x fps, instructions/s (0 without model.capacity)
  double ram = 0;         // bytes (0 without model.capacity)
  bool sends = false;     // with model.bandwidth: a hop follows this stage
  bool receives = false;  // with model.bandwidth: a hop precedes this stage
  double send_bytes = 0;  // per frame, this copy's share of the output
  double recv_bytes = 0;  // per frame, this copy's share of the previous stage's output
  double out_bps = 0;     // send_bytes x fps
  double in_bps = 0;      // recv_bytes x fps
  int pinned = -1;        // node index, or -1
};

// The copies of one VF: items [begin, end).
struct Stage {
  std::uint32_t begin = 0, end = 0;
};

// One chain's stages and items, and its frame time limit.
struct ChainInfo {
  std::uint32_t stage_begin = 0, stage_end = 0;
  std::uint32_t item_begin = 0, item_end = 0;
  double budget = kInf;  // 1/fps with tolerance (kInf without model.qos_time)
};

// A hypothetical move: up to two items on other nodes (-1: none).
struct Override {
  int item1 = -1, node1 = -1, item2 = -1, node2 = -1;
};

class PlacementState {
 public:
  // Orders the nodes by speed and takes the best speed, link and latency of the usable nodes (not avoided,
  // speed > 0). `deadline` is what past_deadline() compares with. No items until build().
  PlacementState(const PlacementProblem& problem, Clock::time_point deadline);

  const PlacementProblem& problem() const { return problem_; }
  const PlacementModel& model() const { return model_; }
  // Node index of `id`, or -1.
  int node_index(NodeId id) const;
  // Mean speed of the usable nodes (0 when none).
  double mean_speed() const { return mean_speed_; }
  bool past_deadline() const { return Clock::now() >= deadline_; }

  // ---- items ------------------------------------------------------------------------------------------

  // Lays out the items for `replicas[c][j]` copies of VF j of chain c (one row per chain, one entry per
  // VF, each >= 1) and leaves every item unplaced; call reset() before placing any.
  void build(const std::vector<std::vector<int>>& replicas);
  const std::vector<Item>& items() const { return items_; }
  const std::vector<ChainInfo>& chains() const { return chains_; }

  // Frame time of chain c with every copy on the best node imaginable: a lower bound.
  double chain_lower_bound(std::uint32_t c) const;
  // True when chain c misses its QoS time even at the lower bound (false when no node is usable at all:
  // the construction names that).
  bool chain_hopeless(std::uint32_t c) const { return best_speed_ > 0 && chain_lower_bound(c) > chains_[c].budget; }

  // ---- placement --------------------------------------------------------------------------------------

  // Empties every node (back to the problem's own free resources) and unplaces every item.
  void reset();
  // Places unplaced item i on node u, updating every residual and time. Does not check that it fits.
  void assign(std::uint32_t i, int u);
  // Takes placed item i off its node, updating every residual and time.
  void unassign(std::uint32_t i);
  // Node of item i, or -1 when not placed.
  int node_of(std::uint32_t i) const { return assign_[i]; }
  const std::vector<int>& assignment() const { return assign_; }
  // Puts every item back where `target` (an earlier assignment() of the same items) says.
  void restore(const std::vector<int>& target);
  // Total cost of the current (complete) placement.
  double cost() const;
  // The current (complete) placement, in item order.
  std::vector<PlacedFunction> placement() const;

  // ---- nodes ------------------------------------------------------------------------------------------

  // The usable nodes with a VF slot left, by rank (fastest first), valued with their free CPU (+inf
  // without model.capacity); the others at -inf. Candidates for an item of CPU `need` are the ranks
  // tree.first_at_least(r, need) from r = 0 on.
  const MaxTree& free_cpu_tree() const { return tree_; }
  int node_at_rank(std::size_t r) const { return order_[r]; }
  int rank_of(int u) const { return rank_[u]; }
  int slots_left(int u) const { return count_left_[u]; }
  double cpu_left(int u) const { return cpu_left_[u]; }
  double ram_left(int u) const { return ram_left_[u]; }
  double out_left(int u) const { return out_left_[u]; }
  double in_left(int u) const { return in_left_[u]; }

  // Node u may take VFs: not avoided, speed > 0, a VF slot left.
  bool usable(int u) const {
    const PlacementNode& node = problem_.nodes[u];
    return !node.avoid && node.speed_ips > 0 && count_left_[u] > 0;
  }
  // Node u has the CPU, RAM and bandwidth left for `it`.
  bool fits(const Item& it, int u) const {
    return it.cpu <= cpu_left_[u] && it.ram <= ram_left_[u] && it.out_bps <= out_left_[u] && it.in_bps <= in_left_[u];
  }
  // A copy of `chain` is on node u (tracked with model.spread_chain only).
  bool chain_on(std::uint32_t chain, int u) const { return on_node_.contains(key(chain, u)); }

  // Can placed free items i (on a) and j (on b) exchange nodes, as far as the nodes' resources and spread
  // go?
  bool swap_fits(std::uint32_t i, std::uint32_t j) const;
  // Can placed free items i (on a) and j (on b) exchange nodes, every constraint kept?
  bool swap_ok(std::uint32_t i, std::uint32_t j) const;

  // ---- times ------------------------------------------------------------------------------------------

  // Current time of stage g.
  double stage_time(std::uint32_t g) const { return stage_time_[g]; }
  // Time of stage g: max over its copies of processing, of sending and of receiving, each copy on its node
  // (as overridden by `ov`), or at the lower bound when not placed.
  double stage_time_with(std::uint32_t g, const Override& ov) const;
  // Current frame time of chain c: the sum of its stage times.
  double chain_time(std::uint32_t c) const { return chain_time_[c]; }
  // Frame time of chain c with `ov` applied.
  double chain_time_with(std::uint32_t c, const Override& ov) const {
    double t = chain_time_[c];
    std::uint32_t done = std::numeric_limits<std::uint32_t>::max();
    for (const int i : {ov.item1, ov.item2}) {
      if (i < 0 || items_[i].chain != c) continue;
      const std::uint32_t g = items_[i].stage;
      if (g == done) continue;
      t += stage_time_with(g, ov) - stage_time_[g];
      done = g;
    }
    return t;
  }
  // Stages of chain c with a copy not placed.
  int open_stages(std::uint32_t c) const { return open_stages_[c]; }

 private:
  static std::uint64_t key(std::uint32_t chain, int u) {
    return (static_cast<std::uint64_t>(chain) << 32) | static_cast<std::uint32_t>(u);
  }
  void refresh(int u) { tree_.set(rank_[u], usable(u) ? (model_.capacity ? cpu_left_[u] : kInf) : -kInf); }
  void recompute_chain_time(std::uint32_t c);

  const PlacementProblem& problem_;
  const PlacementModel& model_;
  Clock::time_point deadline_;
  std::unordered_map<std::uint32_t, int> index_of_;  // NodeId value -> node index
  std::vector<int> order_;                           // node indices, fastest first
  std::vector<int> rank_;                            // node index -> position in order_
  double best_speed_ = 0, best_link_ = 0, least_latency_ = kInf, mean_speed_ = 0;

  std::vector<Item> items_;
  std::vector<Stage> stages_;
  std::vector<ChainInfo> chains_;

  // Placement state (reset by reset()).
  std::vector<int> assign_;  // item -> node index, -1 when not placed
  std::vector<int> count_left_;
  std::vector<double> cpu_left_, ram_left_, out_left_, in_left_;
  MaxTree tree_{0};
  std::unordered_set<std::uint64_t> on_node_;  // (chain, node) pairs in use, with spread_chain
  std::vector<double> stage_time_;             // current time of each stage
  std::vector<double> chain_time_;             // sum of its stage times (unplaced copies at their bound)
  std::vector<int> unplaced_;                  // per stage: copies not placed
  std::vector<int> open_stages_;               // per chain: stages with a copy not placed
};

// Defined here rather than in heuristic_placement_state.cpp: the local search calls these in its innermost
// loops, and seeing their bodies lets the compiler know that they only read the state.

inline double PlacementState::stage_time_with(std::uint32_t g, const Override& ov) const {
  double proc = 0, send = 0, recv = 0;
  for (std::uint32_t i = stages_[g].begin; i < stages_[g].end; ++i) {
    const Item& it = items_[i];
    int u = assign_.empty() ? -1 : assign_[i];
    if (static_cast<int>(i) == ov.item1) u = ov.node1;
    if (static_cast<int>(i) == ov.item2) u = ov.node2;
    if (u < 0 && it.pinned >= 0) u = it.pinned;
    double speed = best_speed_, link = best_link_, latency = least_latency_;
    if (u >= 0) {
      const PlacementNode& node = problem_.nodes[u];
      speed = node.speed_ips;
      link = node.link_free_bps;
      latency = node.latency_s;
    }
    proc = std::max(proc, speed > 0 ? it.load / speed : kInf);
    if (it.sends) send = std::max(send, transfer_time(it.send_bytes, link) + latency);
    if (it.receives) recv = std::max(recv, transfer_time(it.recv_bytes, link) + latency);
  }
  return proc + send + recv;
}

inline bool PlacementState::swap_fits(std::uint32_t i, std::uint32_t j) const {
  const Item& x = items_[i];
  const Item& y = items_[j];
  const int a = assign_[i], b = assign_[j];
  if (x.cpu > cpu_left_[b] + y.cpu || y.cpu > cpu_left_[a] + x.cpu) return false;
  if (x.ram > ram_left_[b] + y.ram || y.ram > ram_left_[a] + x.ram) return false;
  if (x.out_bps > out_left_[b] + y.out_bps || y.out_bps > out_left_[a] + x.out_bps) return false;
  if (x.in_bps > in_left_[b] + y.in_bps || y.in_bps > in_left_[a] + x.in_bps) return false;
  return !(model_.spread_chain && x.chain != y.chain && (chain_on(x.chain, b) || chain_on(y.chain, a)));
}

inline bool PlacementState::swap_ok(std::uint32_t i, std::uint32_t j) const {
  const Item& x = items_[i];
  const Item& y = items_[j];
  const int a = assign_[i], b = assign_[j];
  if (!swap_fits(i, j)) return false;
  const Override ov{static_cast<int>(i), b, static_cast<int>(j), a};
  if (chain_time_with(x.chain, ov) > chains_[x.chain].budget) return false;
  if (y.chain != x.chain && chain_time_with(y.chain, ov) > chains_[y.chain].budget) return false;
  return true;
}

}  // namespace vfo::heuristic
