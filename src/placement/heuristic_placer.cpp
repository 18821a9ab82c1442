#include "vfo/placement/heuristic_placer.hpp"

#include <fmt/core.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "vfo/placement/feasibility.hpp"
#include "vfo/util/random.hpp"

// How the heuristic works (the contract is in heuristic_placer.hpp):
//
// 1. Copies. Every VF becomes y_j copies ("items") of load l_j / y_j; y_j = 1 until replication is needed.
// 2. Construction. Items in decreasing load (chains that failed an earlier attempt first, see 4), each to
//    the cheapest node that takes it: not avoided, a free VF slot (max_functions_per_node), CPU/RAM room
//    (capacity), free link bandwidth, no other copy of its chain (spread_chain), and the chain's frame time
//    still within 1/fps when the copies not yet placed count at a lower bound of their time (load / the
//    fastest speed; transfers over the best link with the least latency). Cost l^2 / cpu_i falls with
//    speed, so the cheapest node is the fastest that takes the item: nodes are kept in speed order in a max
//    segment tree over their free CPU, and a construction costs O(items x log nodes) plus the nodes skipped
//    for RAM, bandwidth, spread or time. Without bandwidth, time falls with speed too, so the fastest node
//    with room is also the quickest. With bandwidth (fast CPUs may sit behind slow links), an item takes the
//    cheapest node whose time over its lower bound stays within an equal share of the chain's slack among
//    its stages still open, else the quickest node.
// 3. Transfers. With model.bandwidth, a copy's share of a hop's time depends only on its own node
//    (bytes / link_free + latency), so a chain's frame time is a sum over stages of per-copy maxima, and a
//    copy's out/in bandwidth is known before its neighbours are placed.
// 4. Repair. An item that no node takes within the QoS time goes to the quickest node that takes it; then
//    copies of late chains move or exchange nodes with copies of other chains while the total lateness
//    falls. A chain still late, or one that found no node at all, fails the attempt; it is raised one
//    priority level for the next (its items go first; from level 2 on, with bandwidth, to the quickest
//    node), and from the third attempt on the order is also shaken by seeded noise. Attempts stop at
//    success, after kMaxAttempts, or when a chain misses its QoS time even at its lower bound.
// 5. Replication (model.replication, when step 4 fails). The authors' model per chain: minimise sum_j y_j
//    s.t. sum_j t(l_j) / y_j <= 1/fps, y_j <= max_replicas (1 if pinned), sum_j y_j <= nodes not avoided,
//    t(l) = l / mean speed of the nodes not avoided.
//    t(l)/y is convex in y, so adding copies one at a time where the time falls most is exactly optimal;
//    ties go as in the exact placer. Then steps 2-4 on the split chains. Beyond the authors' model, a split
//    chain that misses its QoS time on the real nodes (at its bound, or after half the attempts) gets one
//    more copy at a time: replication only lowers the time and the cost.
// 6. Improvement on the total cost: relocate (a copy to a faster node that takes it) and swap (a heavier
//    copy on a slower node exchanges nodes with a lighter one on a faster node, the best partner per copy)
//    in passes until none improves; then iterated local search, a seeded number of rounds scaled to the
//    instance (kExploreWork): a kick (ruin-and-recreate of the copies on 1-2 nodes, or 2 random moves),
//    relocate/swap, keep if cheaper. With capacity, a second start in decreasing load / fps (the cost per
//    unit of CPU capacity) gets the same treatment and the cheaper placement wins.
// 7. check_placement has the last word.
//
// Every choice is deterministic: the random stream has a fixed seed and the number of rounds does not
// depend on time (the time limit only cuts the work short, which the benchmarks never reach).

namespace vfo {
namespace {

using Clock = std::chrono::steady_clock;

constexpr double kInf = std::numeric_limits<double>::infinity();
// Slack added to every limit: check_placement accepts 1e-9 relative, so 1e-10 keeps within it while
// absorbing rounding in the residuals.
constexpr double kTolerance = 1e-10;
constexpr int kMaxAttempts = 12;           // constructions per phase (unsplit, replicated)
constexpr int kMinTimeLevel = 2;           // priority level from which a chain picks least-time nodes
constexpr int kMaxLocalPasses = 100;       // relocate + swap passes
constexpr double kMinImprovement = 1e-12;  // relative cost decrease for a move to count
constexpr long kMaxExploreRounds = 1000;   // iterated local search rounds, at most
constexpr double kExploreWork = 5e6;       // ... and about this many swap evaluations in all
constexpr double kRepairTieWeight = 1e-3;  // repair: weight of a copy's own time against the violation
constexpr double kBlinkRate = 0.15;        // ruin-and-recreate passes over a best node this often
// Appended to the reason when the final check_placement rejects the heuristic's own placement.
constexpr std::string_view kCheckFailed = " (the heuristic's placement failed check_placement)";
constexpr std::uint64_t kSeed = 20190601;  // the heuristic's random stream: fixed, so answers are repeatable

double with_tolerance(double limit) {
  return limit + kTolerance * std::max(1.0, std::abs(limit));
}

// A max segment tree over node ranks: finds the first rank at or after `from` whose value is >= need.
class MaxTree {
 public:
  explicit MaxTree(std::size_t n) {
    while (size_ < std::max<std::size_t>(n, 1)) size_ *= 2;
    tree_.assign(2 * size_, -kInf);
  }
  void set(std::size_t i, double value) {
    std::size_t k = i + size_;
    tree_[k] = value;
    for (k /= 2; k >= 1; k /= 2) tree_[k] = std::max(tree_[2 * k], tree_[2 * k + 1]);
  }
  static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();
  std::size_t first_at_least(std::size_t from, double need) const { return find(1, 0, size_, from, need); }

 private:
  std::size_t find(std::size_t k, std::size_t lo, std::size_t hi, std::size_t from, double need) const {
    if (hi <= from || tree_[k] < need) return npos;
    if (hi - lo == 1) return lo;
    const std::size_t mid = (lo + hi) / 2;
    const std::size_t left = find(2 * k, lo, mid, from, need);
    return left != npos ? left : find(2 * k + 1, mid, hi, from, need);
  }
  std::size_t size_ = 1;
  std::vector<double> tree_;
};

// One copy of one VF.
struct Item {
  std::uint32_t chain = 0;     // index in problem.chains
  std::uint32_t stage = 0;     // global stage index (Search::stages_)
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

struct Stage {
  std::uint32_t begin = 0, end = 0;  // items [begin, end)
};

struct ChainInfo {
  std::uint32_t stage_begin = 0, stage_end = 0;
  std::uint32_t item_begin = 0, item_end = 0;
  double budget = kInf;  // 1/fps with tolerance (kInf without model.qos_time)
};

// A hypothetical move: up to two items on other nodes.
struct Override {
  int item1 = -1, node1 = -1, item2 = -1, node2 = -1;
};

// Why a chain could not be completed in one attempt.
struct Failure {
  std::uint32_t chain = 0;
  std::string family;  // "qos_time", "capacity", ...
  std::string reason;
  double severity = kInf;  // frame time / (1/fps) - 1 for qos_time; infinite for the others
};

class Search {
 public:
  Search(const PlacementProblem& problem, Clock::time_point deadline)
      : problem_(problem), model_(problem.model), deadline_(deadline) {
    const auto n = problem.nodes.size();
    for (std::size_t u = 0; u < n; ++u) index_of_[problem.nodes[u].id.value] = static_cast<int>(u);
    order_.resize(n);
    std::iota(order_.begin(), order_.end(), 0);
    std::stable_sort(order_.begin(), order_.end(),
                     [&](int a, int b) { return problem.nodes[a].speed_ips > problem.nodes[b].speed_ips; });
    rank_.resize(n);
    for (std::size_t r = 0; r < n; ++r) rank_[order_[r]] = static_cast<int>(r);
    double speed_sum = 0;
    int usable = 0;
    for (const auto& node : problem.nodes) {
      if (node.avoid || node.speed_ips <= 0) continue;
      ++usable;
      speed_sum += node.speed_ips;
      best_speed_ = std::max(best_speed_, node.speed_ips);
      best_link_ = std::max(best_link_, node.link_free_bps);
      least_latency_ = std::min(least_latency_, node.latency_s);
    }
    mean_speed_ = usable > 0 ? speed_sum / usable : 0;
    if (usable == 0) least_latency_ = 0;
  }

  // Node index of `id`, or -1.
  int node_index(NodeId id) const {
    const auto it = index_of_.find(id.value);
    return it == index_of_.end() ? -1 : it->second;
  }
  double mean_speed() const { return mean_speed_; }
  bool past_deadline() const { return Clock::now() >= deadline_; }

  // Lays out the items for `replicas[c][j]` copies of VF j of chain c and resets the placement.
  void build(const std::vector<std::vector<int>>& replicas) {
    items_.clear();
    stages_.clear();
    chains_.assign(problem_.chains.size(), {});
    for (std::uint32_t c = 0; c < problem_.chains.size(); ++c) {
      const PlacementChain& chain = problem_.chains[c];
      ChainInfo& info = chains_[c];
      info.stage_begin = static_cast<std::uint32_t>(stages_.size());
      info.item_begin = static_cast<std::uint32_t>(items_.size());
      info.budget = model_.qos_time ? with_tolerance(1.0 / chain.fps) : kInf;
      const auto count = chain.functions.size();
      for (std::uint32_t j = 0; j < count; ++j) {
        const PlacementFunction& f = chain.functions[j];
        const auto y = static_cast<std::uint32_t>(replicas[c][j]);
        Stage stage{static_cast<std::uint32_t>(items_.size()), 0};
        for (std::uint32_t r = 0; r < y; ++r) {
          Item it;
          it.chain = c;
          it.stage = static_cast<std::uint32_t>(stages_.size());
          it.function = j;
          it.replica = r;
          it.replicas = y;
          it.load = f.load_ipf / y;
          if (model_.capacity) {
            it.cpu = it.load * chain.fps;
            it.ram = f.ram_bytes;
          }
          if (model_.bandwidth) {
            it.sends = j + 1 < count;
            it.receives = j > 0;
            if (it.sends) it.send_bytes = f.output_bytes_per_frame / y;
            if (it.receives) it.recv_bytes = chain.functions[j - 1].output_bytes_per_frame / y;
            it.out_bps = it.send_bytes * chain.fps;
            it.in_bps = it.recv_bytes * chain.fps;
          }
          if (f.pinned) it.pinned = node_index(*f.pinned);
          items_.push_back(it);
        }
        stage.end = static_cast<std::uint32_t>(items_.size());
        stages_.push_back(stage);
      }
      info.stage_end = static_cast<std::uint32_t>(stages_.size());
      info.item_end = static_cast<std::uint32_t>(items_.size());
    }
    assign_.assign(items_.size(), -1);
  }

  // Frame time of chain c with every copy on the best node imaginable: a lower bound.
  double chain_lower_bound(std::uint32_t c) const {
    double t = 0;
    for (std::uint32_t g = chains_[c].stage_begin; g < chains_[c].stage_end; ++g) t += stage_time(g, {});
    return t;
  }
  // True when chain c misses its QoS time even at the lower bound (false when no node is usable at all:
  // the construction names that).
  bool chain_hopeless(std::uint32_t c) const { return best_speed_ > 0 && chain_lower_bound(c) > chains_[c].budget; }

  // One construction (step 2 and 4 of the overview). `level[c]` is chain c's priority. Returns the
  // chains that could not be completed, in the order they failed; empty means every item is placed.
  // `fatal` is set when a pinned VF breaks a constraint where it stands: no attempt can fix that.
  // Items go in decreasing load or, `by_density`, in decreasing load / fps (the cost per CPU capacity
  // it takes, l^2 / (l fps): the better order when CPU capacity binds). `noise` > 0 perturbs the order:
  // each key is scaled by a factor drawn from [1 - noise/2, 1 + noise/2).
  std::vector<Failure> construct(const std::vector<int>& level, bool by_density, double noise, Rng& rng, bool& fatal) {
    reset();
    fatal = false;
    std::vector<Failure> failures;
    for (std::uint32_t i = 0; i < items_.size(); ++i) {
      if (items_[i].pinned < 0) continue;
      if (auto failure = place_pinned(i)) {
        fatal = true;
        return {std::move(*failure)};
      }
    }
    std::vector<std::uint32_t> free_items;
    for (std::uint32_t i = 0; i < items_.size(); ++i) {
      if (items_[i].pinned < 0) free_items.push_back(i);
    }
    std::vector<double> weight(items_.size());
    for (std::uint32_t i = 0; i < items_.size(); ++i) {
      const double key = by_density ? items_[i].load / problem_.chains[items_[i].chain].fps : items_[i].load;
      weight[i] = key * (noise > 0 ? 1 + noise * (rng.uniform() - 0.5) : 1.0);
    }
    std::stable_sort(free_items.begin(), free_items.end(), [&](std::uint32_t a, std::uint32_t b) {
      const int la = level[items_[a].chain], lb = level[items_[b].chain];
      if (la != lb) return la > lb;
      return weight[a] > weight[b];
    });
    std::vector<char> failed(chains_.size(), 0);
    for (const std::uint32_t i : free_items) {
      const std::uint32_t c = items_[i].chain;
      if (failed[c]) continue;
      int u = choose(i, model_.bandwidth && level[c] >= kMinTimeLevel);
      if (u < 0) u = least_time_node(i);  // over the QoS time: placed anyway, for repair() to fix
      if (u >= 0) {
        assign(i, u);
        continue;
      }
      failed[c] = 1;
      failures.push_back(diagnose(i));
      for (std::uint32_t k = chains_[c].item_begin; k < chains_[c].item_end; ++k) {
        if (assign_[k] >= 0 && items_[k].pinned < 0) unassign(k);
      }
    }
    if (failures.empty()) repair();
    for (std::uint32_t c = 0; c < chains_.size(); ++c) {
      if (failed[c] || chain_time_[c] <= chains_[c].budget) continue;
      failures.push_back({c, "qos_time",
                          fmt::format("qos_time: chain {} takes {:.6g} s per frame at best, over 1/fps = {:.6g} s",
                                      problem_.chains[c].id.value, chain_time_[c], 1.0 / problem_.chains[c].fps),
                          chain_time_[c] * problem_.chains[c].fps - 1});
    }
    return failures;
  }

  // Step 6: relocate and swap while they lower the cost. Returns the number of moves made.
  long improve(long move_budget) {
    long moves = 0;
    for (int pass = 0; pass < kMaxLocalPasses && moves < move_budget; ++pass) {
      long pass_moves = relocate_pass(move_budget - moves);
      moves += pass_moves;
      if (moves < move_budget) {
        const long swaps = swap_pass(move_budget - moves);
        moves += swaps;
        pass_moves += swaps;
      }
      if (pass_moves == 0 || past_deadline()) break;
    }
    return moves;
  }

  // Iterated local search: `iterations` times, a kick then improve(); the result is kept when it costs
  // less, else the best placement is restored. Kicks alternate between a few random feasible moves
  // (relocations, exchanges) and ruin-and-recreate (take out the copies on a few random nodes and some
  // random copies, put them back in decreasing load, each where it costs least).
  void explore(Rng& rng, long iterations, long move_budget) {
    std::vector<std::uint32_t> free_items;
    for (std::uint32_t i = 0; i < items_.size(); ++i) {
      if (items_[i].pinned < 0) free_items.push_back(i);
    }
    if (free_items.size() < 2) return;
    std::vector<int> best = assign_;
    double best_cost = cost();
    for (long k = 0; k < iterations && !past_deadline(); ++k) {
      const bool kicked =
          (k % 2 == 0) ? ruin_and_recreate(rng, free_items) : perturb(rng, free_items) | perturb(rng, free_items);
      if (!kicked) {
        restore(best);
        continue;
      }
      improve(move_budget);
      const double now = cost();
      if (now < best_cost * (1 - kMinImprovement)) {
        best = assign_;
        best_cost = now;
      } else {
        restore(best);
      }
    }
  }

  // Takes out the copies on 1-2 random nodes and 1-4 random copies, then puts them back in decreasing
  // load (shaken by +-10 %), each on its cheapest feasible node. False when one found no node (the
  // placement is then incomplete: restore it).
  bool ruin_and_recreate(Rng& rng, const std::vector<std::uint32_t>& free_items) {
    std::vector<std::uint32_t> out;
    const int seeds = 1 + static_cast<int>(rng.next_u64() % 2);
    for (int s = 0; s < seeds; ++s) {
      const int u = assign_[free_items[rng.next_u64() % free_items.size()]];
      for (const std::uint32_t i : free_items) {
        if (assign_[i] == u) out.push_back(i);
      }
    }
    const int extra = 1 + static_cast<int>(rng.next_u64() % 4);
    for (int e = 0; e < extra; ++e) out.push_back(free_items[rng.next_u64() % free_items.size()]);
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    std::vector<double> weight(items_.size());
    for (const std::uint32_t i : out) {
      weight[i] = items_[i].load * (0.9 + 0.2 * rng.uniform());
      unassign(i);
    }
    std::stable_sort(out.begin(), out.end(), [&](std::uint32_t a, std::uint32_t b) { return weight[a] > weight[b]; });
    for (const std::uint32_t i : out) {
      const int u = choose(i, false, &rng);
      if (u < 0) return false;
      assign(i, u);
    }
    return true;
  }

  const std::vector<int>& assignment() const { return assign_; }

  // Puts every item back where `target` (an earlier assignment() of the same items) says.
  void restore(const std::vector<int>& target) {
    for (std::uint32_t i = 0; i < items_.size(); ++i) {
      if (assign_[i] >= 0 && assign_[i] != target[i]) unassign(i);
    }
    for (std::uint32_t i = 0; i < items_.size(); ++i) {
      if (assign_[i] < 0) assign(i, target[i]);
    }
  }

  // Total cost of the current (complete) placement.
  double cost() const {
    double sum = 0;
    for (std::uint32_t i = 0; i < items_.size(); ++i)
      sum += placement_cost(items_[i].load, problem_.nodes[assign_[i]].speed_ips);
    return sum;
  }

  std::vector<PlacedFunction> placement() const {
    std::vector<PlacedFunction> placed;
    placed.reserve(items_.size());
    for (std::uint32_t i = 0; i < items_.size(); ++i) {
      const Item& it = items_[i];
      PlacedFunction p;
      p.chain = problem_.chains[it.chain].id;
      p.function = it.function;
      p.replica = it.replica;
      p.replicas = it.replicas;
      p.node = problem_.nodes[assign_[i]].id;
      p.load_ipf = it.load;
      placed.push_back(p);
    }
    return placed;
  }

 private:
  // ---- state ----------------------------------------------------------------------------------------

  void reset() {
    const auto n = problem_.nodes.size();
    count_left_.assign(n, 0);
    cpu_left_.assign(n, kInf);
    ram_left_.assign(n, kInf);
    out_left_.assign(n, kInf);
    in_left_.assign(n, kInf);
    for (std::size_t u = 0; u < n; ++u) {
      const PlacementNode& node = problem_.nodes[u];
      count_left_[u] = model_.max_functions_per_node > 0 ? model_.max_functions_per_node - node.functions
                                                         : std::numeric_limits<int>::max();
      if (model_.capacity) {
        cpu_left_[u] = with_tolerance(node.capacity.cpu_ips) - node.used.cpu_ips;
        ram_left_[u] = with_tolerance(node.capacity.ram_bytes) - node.used.ram_bytes;
      }
      if (model_.bandwidth) {
        out_left_[u] = with_tolerance(node.link_free_bps);
        in_left_[u] = with_tolerance(node.link_free_bps);
      }
    }
    tree_ = MaxTree(n);
    for (std::size_t u = 0; u < n; ++u) refresh(static_cast<int>(u));
    assign_.assign(items_.size(), -1);
    on_node_.clear();
    stage_time_.resize(stages_.size());
    for (std::uint32_t g = 0; g < stages_.size(); ++g) stage_time_[g] = stage_time(g, {});
    chain_time_.resize(chains_.size());
    for (std::uint32_t c = 0; c < chains_.size(); ++c) recompute_chain_time(c);
    unplaced_.resize(stages_.size());
    for (std::uint32_t g = 0; g < stages_.size(); ++g)
      unplaced_[g] = static_cast<int>(stages_[g].end - stages_[g].begin);
    open_stages_.resize(chains_.size());
    for (std::uint32_t c = 0; c < chains_.size(); ++c) {
      open_stages_[c] = static_cast<int>(chains_[c].stage_end - chains_[c].stage_begin);
    }
  }

  bool usable(int u) const {
    const PlacementNode& node = problem_.nodes[u];
    return !node.avoid && node.speed_ips > 0 && count_left_[u] > 0;
  }
  void refresh(int u) { tree_.set(rank_[u], usable(u) ? (model_.capacity ? cpu_left_[u] : kInf) : -kInf); }

  static std::uint64_t key(std::uint32_t chain, int u) {
    return (static_cast<std::uint64_t>(chain) << 32) | static_cast<std::uint32_t>(u);
  }
  bool chain_on(std::uint32_t chain, int u) const { return on_node_.contains(key(chain, u)); }

  void assign(std::uint32_t i, int u) {
    const Item& it = items_[i];
    assign_[i] = u;
    --count_left_[u];
    cpu_left_[u] -= it.cpu;
    ram_left_[u] -= it.ram;
    out_left_[u] -= it.out_bps;
    in_left_[u] -= it.in_bps;
    if (model_.spread_chain) on_node_.insert(key(it.chain, u));
    if (--unplaced_[it.stage] == 0) --open_stages_[it.chain];
    refresh(u);
    stage_time_[it.stage] = stage_time(it.stage, {});
    recompute_chain_time(it.chain);
  }
  void unassign(std::uint32_t i) {
    const Item& it = items_[i];
    const int u = assign_[i];
    assign_[i] = -1;
    ++count_left_[u];
    cpu_left_[u] += it.cpu;
    ram_left_[u] += it.ram;
    out_left_[u] += it.out_bps;
    in_left_[u] += it.in_bps;
    if (model_.spread_chain) on_node_.erase(key(it.chain, u));
    if (unplaced_[it.stage]++ == 0) ++open_stages_[it.chain];
    refresh(u);
    stage_time_[it.stage] = stage_time(it.stage, {});
    recompute_chain_time(it.chain);
  }
  void recompute_chain_time(std::uint32_t c) {
    double t = 0;
    for (std::uint32_t g = chains_[c].stage_begin; g < chains_[c].stage_end; ++g) t += stage_time_[g];
    chain_time_[c] = t;
  }

  // ---- times ----------------------------------------------------------------------------------------

  // Time of one stage: max over its copies of processing, of sending and of receiving, each copy on its
  // node (as overridden), or at the lower bound when not placed.
  double stage_time(std::uint32_t g, const Override& ov) const {
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
      if (it.sends) send = std::max(send, transfer(it.send_bytes, link) + latency);
      if (it.receives) recv = std::max(recv, transfer(it.recv_bytes, link) + latency);
    }
    return proc + send + recv;
  }
  static double transfer(double bytes, double link) {
    if (bytes <= 0) return 0;
    return link > 0 ? bytes / link : kInf;
  }

  // Frame time of chain c with `ov` applied.
  double chain_time_with(std::uint32_t c, const Override& ov) const {
    double t = chain_time_[c];
    std::uint32_t done = std::numeric_limits<std::uint32_t>::max();
    for (const int i : {ov.item1, ov.item2}) {
      if (i < 0 || items_[i].chain != c) continue;
      const std::uint32_t g = items_[i].stage;
      if (g == done) continue;
      t += stage_time(g, ov) - stage_time_[g];
      done = g;
    }
    return t;
  }

  // ---- construction ---------------------------------------------------------------------------------

  bool fits(const Item& it, int u) const {
    return it.cpu <= cpu_left_[u] && it.ram <= ram_left_[u] && it.out_bps <= out_left_[u] && it.in_bps <= in_left_[u];
  }

  // The cheapest node that takes item i; with `blink`, each such node is passed over with probability
  // kBlinkRate (the first one passed over is the fallback), to diversify ruin-and-recreate. Without bandwidth that is
  // the fastest node with room, which also has the least time. With bandwidth, where fast CPUs may sit behind slow
  // links, the cheapest node whose time over the item's lower bound is within an equal share of the chain's slack among
  // the stages still open (so that later stages keep theirs), else the node with the least time; with `least_time`,
  // always the node with the least time.
  int choose(std::uint32_t i, bool least_time, Rng* blink = nullptr) const {
    const Item& it = items_[i];
    const std::uint32_t c = it.chain;
    const double need = model_.capacity ? it.cpu : 0;
    const double others = chain_time_[c] - stage_time_[it.stage];
    const double share = (chains_[c].budget - chain_time_[c]) / std::max(1, open_stages_[c]);
    int best = -1, skipped = -1;
    double best_time = kInf;
    for (std::size_t r = tree_.first_at_least(0, need); r != MaxTree::npos; r = tree_.first_at_least(r + 1, need)) {
      const int u = order_[r];
      if (!fits(it, u) || (model_.spread_chain && chain_on(c, u))) continue;
      const double st = stage_time(it.stage, {static_cast<int>(i), u, -1, -1});
      if (others + st > chains_[c].budget) {
        if (!model_.bandwidth) break;  // slower nodes take longer still
        continue;
      }
      if (!model_.bandwidth || (!least_time && st - stage_time_[it.stage] <= share)) {
        if (blink == nullptr || !blink->bernoulli(kBlinkRate)) return u;
        if (skipped < 0) skipped = u;  // blinked: passed over this once
        continue;
      }
      if (st < best_time) best_time = st, best = u;
    }
    return skipped >= 0 ? skipped : best;
  }

  // The node with the least stage time that takes item i, regardless of the chain's QoS time; -1 if none.
  int least_time_node(std::uint32_t i) const {
    const Item& it = items_[i];
    const double need = model_.capacity ? it.cpu : 0;
    int best = -1;
    double best_time = kInf;
    for (std::size_t r = tree_.first_at_least(0, need); r != MaxTree::npos; r = tree_.first_at_least(r + 1, need)) {
      const int u = order_[r];
      if (!fits(it, u) || (model_.spread_chain && chain_on(it.chain, u))) continue;
      if (!model_.bandwidth) return u;  // the fastest
      const double st = stage_time(it.stage, {static_cast<int>(i), u, -1, -1});
      if (st < best_time) best_time = st, best = u;
    }
    return best;
  }

  // Places pinned item i on its node; a failure when that breaks a constraint.
  std::optional<Failure> place_pinned(std::uint32_t i) {
    const Item& it = items_[i];
    const int u = it.pinned;
    const auto chain_id = problem_.chains[it.chain].id.value;
    const auto node_id = problem_.nodes[u].id.value;
    auto fail = [&](const char* family, std::string what) {
      return Failure{
          it.chain, family,
          fmt::format("{}: chain {} VF {} is pinned to node {}, {}", family, chain_id, it.function, node_id, what)};
    };
    if (count_left_[u] <= 0) {
      return fail("max_functions_per_node",
                  fmt::format("which holds {} VFs already (at most {})", model_.max_functions_per_node - count_left_[u],
                              model_.max_functions_per_node));
    }
    if (model_.spread_chain && chain_on(it.chain, u)) return fail("spread_chain", "which holds another VF of it");
    if (it.cpu > cpu_left_[u] || it.ram > ram_left_[u]) return fail("capacity", "which has no room for it");
    if (it.out_bps > out_left_[u] || it.in_bps > in_left_[u]) {
      return fail("bandwidth", "whose link has not the bandwidth for it");
    }
    assign(i, u);
    return std::nullopt;
  }

  // Why no node takes free item i: the constraint family that rules out the last candidates, checking
  // the families in the order avoid, max_functions_per_node, spread_chain, capacity, bandwidth, qos_time.
  Failure diagnose(std::uint32_t i) const {
    const Item& it = items_[i];
    const std::uint32_t c = it.chain;
    int furthest = -1;
    for (int u = 0; u < static_cast<int>(problem_.nodes.size()); ++u) {
      const PlacementNode& node = problem_.nodes[u];
      int stage = 0;
      if (!node.avoid && node.speed_ips > 0) {
        stage = 1;
        if (count_left_[u] > 0) {
          stage = 2;
          if (!model_.spread_chain || !chain_on(c, u)) {
            stage = 3;
            if (it.cpu <= cpu_left_[u] && it.ram <= ram_left_[u]) {
              stage = 4;
              if (it.out_bps <= out_left_[u] && it.in_bps <= in_left_[u]) stage = 5;
            }
          }
        }
      }
      furthest = std::max(furthest, stage);
    }
    const auto chain_id = problem_.chains[c].id.value;
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
                               model_.max_functions_per_node, chain_id, it.function);
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
                               chain_id, 1.0 / problem_.chains[c].fps, it.function);
        break;
    }
    return f;
  }

  // ---- repair -------------------------------------------------------------------------------------------

  double violation(std::uint32_t c, double time) const { return std::max(0.0, time - chains_[c].budget); }

  // Lowers the total QoS violation (sum over chains of the frame time over 1/fps) of a complete placement
  // that breaks no other constraint. In sweeps over the copies of late chains: each moves to the node, or
  // exchanges nodes with the copy of another chain, that lowers the total most; until no chain is late, a
  // sweep changes nothing, or the move budget is spent. Keeps every other constraint.
  void repair() {
    long budget = 20 * static_cast<long>(items_.size()) + 100;
    for (bool moved = true; moved && budget > 0;) {
      moved = false;
      bool late = false;
      for (std::uint32_t c = 0; c < chains_.size() && budget > 0; ++c) {
        for (std::uint32_t i = chains_[c].item_begin; i < chains_[c].item_end && budget > 0; ++i) {
          if (violation(c, chain_time_[c]) <= 0) break;
          late = true;
          if (items_[i].pinned < 0 && repair_move(i)) moved = true, --budget;
        }
        if ((c & 15) == 15 && past_deadline()) return;
      }
      if (!late || past_deadline()) return;
    }
  }

  // Time of copy i's own share of its stage on node u: processing, sending and receiving.
  double own_time(std::uint32_t i, int u) const {
    const Item& it = items_[i];
    const PlacementNode& node = problem_.nodes[u];
    double t = it.load / node.speed_ips;
    if (it.sends) t += transfer(it.send_bytes, node.link_free_bps) + node.latency_s;
    if (it.receives) t += transfer(it.recv_bytes, node.link_free_bps) + node.latency_s;
    return t;
  }

  // The move of free item i (of a late chain) that lowers the total violation most, if any; made. A
  // stage's time is a maximum over its copies, so a move that leaves the violation as it is but makes the
  // copy itself quicker also counts (weighted by kRepairTieWeight), to open the way for its siblings.
  bool repair_move(std::uint32_t i) {
    const Item& it = items_[i];
    const std::uint32_t c = it.chain;
    const int a = assign_[i];
    const double before = violation(c, chain_time_[c]);
    const double own_before = own_time(i, a);
    const double gain_floor = kMinImprovement * std::max(1e-9, before);
    double best_gain = gain_floor;
    int best_node = -1;
    long best_partner = -1;
    auto consider = [&](double violation_gain, int node, long partner) {
      if (violation_gain < 0) return;
      const double gain = violation_gain + kRepairTieWeight * (own_before - own_time(i, node));
      if (gain > best_gain) best_gain = gain, best_node = node, best_partner = partner;
    };
    const double need = model_.capacity ? it.cpu : 0;
    for (std::size_t r = tree_.first_at_least(0, need); r != MaxTree::npos; r = tree_.first_at_least(r + 1, need)) {
      const int u = order_[r];
      if (u == a || !fits(it, u) || (model_.spread_chain && chain_on(c, u))) continue;
      consider(before - violation(c, chain_time_with(c, {static_cast<int>(i), u, -1, -1})), u, -1);
      if (!model_.bandwidth) break;  // the fastest node with room is the best relocation
    }
    for (std::uint32_t k = 0; k < items_.size(); ++k) {
      const Item& other = items_[k];
      const int b = assign_[k];
      if (other.pinned >= 0 || other.chain == c || b == a) continue;
      if (!model_.bandwidth && problem_.nodes[b].speed_ips <= problem_.nodes[a].speed_ips) continue;
      if (!swap_fits(i, k)) continue;
      const Override ov{static_cast<int>(i), b, static_cast<int>(k), a};
      const double d_before = violation(other.chain, chain_time_[other.chain]);
      const double d_after = violation(other.chain, chain_time_with(other.chain, ov));
      consider(before - violation(c, chain_time_with(c, ov)) + d_before - d_after, b, static_cast<long>(k));
    }
    if (best_node < 0) return false;
    unassign(i);
    if (best_partner >= 0) {
      const auto k = static_cast<std::uint32_t>(best_partner);
      unassign(k);
      assign(k, a);
    }
    assign(i, best_node);
    return true;
  }

  // ---- local search ---------------------------------------------------------------------------------

  double inv_speed(int u) const { return 1.0 / problem_.nodes[u].speed_ips; }

  long relocate_pass(long budget) {
    std::vector<std::uint32_t> by_load;
    for (std::uint32_t i = 0; i < items_.size(); ++i) {
      if (items_[i].pinned < 0) by_load.push_back(i);
    }
    std::stable_sort(by_load.begin(), by_load.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return items_[a].load > items_[b].load; });
    long moves = 0;
    std::size_t seen = 0;
    for (const std::uint32_t i : by_load) {
      if (moves >= budget || ((++seen & 255) == 0 && past_deadline())) break;
      const Item& it = items_[i];
      const int from = assign_[i];
      const double speed_from = problem_.nodes[from].speed_ips;
      const double need = model_.capacity ? it.cpu : 0;
      for (std::size_t r = tree_.first_at_least(0, need); r != MaxTree::npos && static_cast<int>(r) < rank_[from];
           r = tree_.first_at_least(r + 1, need)) {
        const int u = order_[r];
        if (problem_.nodes[u].speed_ips <= speed_from) break;
        if (!fits(it, u) || (model_.spread_chain && chain_on(it.chain, u))) continue;
        if (chain_time_with(it.chain, {static_cast<int>(i), u, -1, -1}) > chains_[it.chain].budget) continue;
        unassign(i);
        assign(i, u);
        ++moves;
        break;
      }
    }
    return moves;
  }

  // One random move that keeps every constraint (a few tries; none when they all fail). Always true.
  bool perturb(Rng& rng, const std::vector<std::uint32_t>& free_items) {
    const auto n = problem_.nodes.size();
    for (int tries = 0; tries < 32; ++tries) {
      const std::uint32_t i = free_items[rng.next_u64() % free_items.size()];
      const Item& it = items_[i];
      const int a = assign_[i];
      if (rng.bernoulli(0.5)) {
        const std::uint32_t j = free_items[rng.next_u64() % free_items.size()];
        const int b = assign_[j];
        if (b == a || !swap_ok(i, j)) continue;
        unassign(i);
        unassign(j);
        assign(i, b);
        assign(j, a);
        return true;
      }
      const int u = static_cast<int>(rng.next_u64() % n);
      if (u == a || !usable(u) || !fits(it, u) || (model_.spread_chain && chain_on(it.chain, u))) continue;
      if (chain_time_with(it.chain, {static_cast<int>(i), u, -1, -1}) > chains_[it.chain].budget) continue;
      unassign(i);
      assign(i, u);
      return true;
    }
    return true;
  }

  // Can free items i (on a) and j (on b) exchange nodes, as far as the nodes' resources and spread go?
  bool swap_fits(std::uint32_t i, std::uint32_t j) const {
    const Item& x = items_[i];
    const Item& y = items_[j];
    const int a = assign_[i], b = assign_[j];
    if (x.cpu > cpu_left_[b] + y.cpu || y.cpu > cpu_left_[a] + x.cpu) return false;
    if (x.ram > ram_left_[b] + y.ram || y.ram > ram_left_[a] + x.ram) return false;
    if (x.out_bps > out_left_[b] + y.out_bps || y.out_bps > out_left_[a] + x.out_bps) return false;
    if (x.in_bps > in_left_[b] + y.in_bps || y.in_bps > in_left_[a] + x.in_bps) return false;
    return !(model_.spread_chain && x.chain != y.chain && (chain_on(x.chain, b) || chain_on(y.chain, a)));
  }

  // Can free items i (on a) and j (on b) exchange nodes, every constraint kept?
  bool swap_ok(std::uint32_t i, std::uint32_t j) const {
    const Item& x = items_[i];
    const Item& y = items_[j];
    const int a = assign_[i], b = assign_[j];
    if (!swap_fits(i, j)) return false;
    const Override ov{static_cast<int>(i), b, static_cast<int>(j), a};
    if (chain_time_with(x.chain, ov) > chains_[x.chain].budget) return false;
    if (y.chain != x.chain && chain_time_with(y.chain, ov) > chains_[y.chain].budget) return false;
    return true;
  }

  long swap_pass(long budget) {
    std::vector<std::uint32_t> free_items;
    for (std::uint32_t i = 0; i < items_.size(); ++i) {
      if (items_[i].pinned < 0) free_items.push_back(i);
    }
    // Heaviest first: they gain the most from a faster node.
    std::stable_sort(free_items.begin(), free_items.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return items_[a].load > items_[b].load; });
    std::vector<double> square(free_items.size());
    for (std::size_t k = 0; k < free_items.size(); ++k)
      square[k] = items_[free_items[k]].load * items_[free_items[k]].load;
    long moves = 0;
    for (std::size_t p = 0; p < free_items.size() && moves < budget; ++p) {
      if ((p & 31) == 31 && past_deadline()) break;
      const std::uint32_t i = free_items[p];
      const int a = assign_[i];
      const double inv_a = inv_speed(a);
      double best_delta = 0;
      std::uint32_t best = 0;
      bool found = false;
      // Partners are lighter (later in the list); the swap gains when their node is faster.
      for (std::size_t q = p + 1; q < free_items.size(); ++q) {
        const std::uint32_t j = free_items[q];
        const int b = assign_[j];
        if (b == a) continue;
        const double delta = (square[p] - square[q]) * (inv_speed(b) - inv_a);
        if (delta >= best_delta - kMinImprovement * square[p] * inv_a) continue;
        if (!swap_ok(i, j)) continue;
        best_delta = delta;
        best = j;
        found = true;
      }
      if (!found) continue;
      const int b = assign_[best];
      unassign(i);
      unassign(best);
      assign(i, b);
      assign(best, a);
      ++moves;
    }
    return moves;
  }

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

  // Placement state (reset by construct).
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

// Least sum_j t_j / y_j over integer y with sum_j y_j = total and 1 <= y_j <= cap_j: t/y is convex in y,
// so adding copies one at a time where the time falls most is optimal. +inf when no such y exists.
double least_time(const std::vector<double>& t, const std::vector<int>& cap, long total) {
  std::vector<int> y(t.size(), 1);
  long copies = static_cast<long>(t.size());
  if (total < copies) return kInf;
  for (; copies < total; ++copies) {
    int best = -1;
    double best_gain = -1;
    for (std::size_t j = 0; j < t.size(); ++j) {
      const double gain = t[j] / (static_cast<double>(y[j]) * (y[j] + 1));
      if (y[j] < cap[j] && gain > best_gain) best_gain = gain, best = static_cast<int>(j);
    }
    if (best < 0) return kInf;
    ++y[best];
  }
  double time = 0;
  for (std::size_t j = 0; j < t.size(); ++j) time += t[j] / y[j];
  return time;
}

// One more copy for the VF of the chain whose time falls most (y_j < max_replicas, not pinned, at most
// `nodes` copies in all); false when none may take one. The fallback beyond the authors' model.
bool add_copy(const PlacementChain& chain, const PlacementModel& model, long nodes, std::vector<int>& y) {
  if (std::accumulate(y.begin(), y.end(), 0L) >= nodes) return false;
  int best = -1;
  double best_gain = 0;
  for (std::size_t j = 0; j < y.size(); ++j) {
    if (chain.functions[j].pinned || y[j] >= std::max(1, model.max_replicas)) continue;
    const double gain = chain.functions[j].load_ipf / (static_cast<double>(y[j]) * (y[j] + 1));
    if (gain > best_gain || best < 0) best_gain = gain, best = static_cast<int>(j);
  }
  if (best < 0) return false;
  ++y[best];
  return true;
}

// The authors' replication model for one chain (step 5): the fewest copies y_j in [1, max_replicas] (1 for
// pinned VFs, at most `nodes` in all) with sum_j t(l_j) / y_j <= 1/fps, t(l) = l / mean_speed; among those
// the lexicographically largest with the free VFs by decreasing load, then position (the exact placer's
// tie-break; skipped for chains of more than 64 VFs or 512 copies, which keep the greedy's y). When no y
// meets the time, the y where the greedy stopped.
std::vector<int> authors_replicas(const PlacementChain& chain, const PlacementModel& model, double mean_speed,
                                  long nodes) {
  const std::size_t n = chain.functions.size();
  std::vector<int> y(n, 1);
  if (mean_speed <= 0 || !model.qos_time) return y;
  const double budget = with_tolerance(1.0 / chain.fps);
  std::vector<double> t(n);
  std::vector<int> cap(n);
  for (std::size_t j = 0; j < n; ++j) {
    t[j] = chain.functions[j].load_ipf / mean_speed;
    cap[j] = chain.functions[j].pinned ? 1 : std::max(1, model.max_replicas);
  }
  auto time = [&] {
    double sum = 0;
    for (std::size_t j = 0; j < n; ++j) sum += t[j] / y[j];
    return sum;
  };
  while (time() > budget) {
    if (!add_copy(chain, model, nodes, y)) return y;
  }
  long left = std::accumulate(y.begin(), y.end(), 0L);
  if (n > 64 || left > 512) return y;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return chain.functions[a].load_ipf > chain.functions[b].load_ipf;
  });
  std::vector<int> lex(n, 1);
  double fixed = 0;
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t j = order[k];
    std::vector<double> rest_t;
    std::vector<int> rest_cap;
    for (std::size_t m = k + 1; m < n; ++m) {
      rest_t.push_back(t[order[m]]);
      rest_cap.push_back(cap[order[m]]);
    }
    const long rest_min = static_cast<long>(rest_t.size());
    int v = static_cast<int>(std::min<long>(cap[j], left - rest_min));
    while (v >= 1 && fixed + t[j] / v + least_time(rest_t, rest_cap, left - v) > budget) --v;
    if (v < 1) return y;  // rounding: keep the greedy's y
    lex[j] = v;
    fixed += t[j] / v;
    left -= v;
  }
  return lex;
}

PlacementResult infeasible(std::string reason, Clock::time_point start) {
  PlacementResult r;
  r.status = PlacementStatus::infeasible;
  r.reason = std::move(reason);
  r.gap = -1;
  r.solver = "heuristic";
  r.solve_s = std::chrono::duration<double>(Clock::now() - start).count();
  return r;
}

}  // namespace

PlacementResult HeuristicPlacer::place(const PlacementProblem& problem, const SolveLimits& limits) const {
  const auto start = Clock::now();
  const auto deadline =
      start + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(limits.time_limit_s));
  const PlacementModel& model = problem.model;
  if (model.bandwidth && !model.spread_chain) {
    return infeasible("invalid model: model.bandwidth needs model.spread_chain (every hop crosses the network)", start);
  }
  Search search(problem, deadline);
  for (const auto& chain : problem.chains) {
    for (std::size_t j = 0; j < chain.functions.size(); ++j) {
      const auto& pin = chain.functions[j].pinned;
      if (pin && search.node_index(*pin) < 0) {
        return infeasible(fmt::format("pinned: chain {} VF {} is pinned to node {}, which is not in the problem",
                                      chain.id.value, j, pin->value),
                          start);
      }
    }
  }

  const auto chain_count = static_cast<std::uint32_t>(problem.chains.size());
  std::vector<std::vector<int>> y(chain_count);
  for (std::uint32_t c = 0; c < chain_count; ++c) y[c].assign(problem.chains[c].functions.size(), 1);
  std::vector<int> level(chain_count, 0);
  const long usable_nodes = std::count_if(problem.nodes.begin(), problem.nodes.end(),
                                          [](const PlacementNode& n) { return !n.avoid && n.speed_ips > 0; });
  std::string reason;
  bool placed = false;
  bool out_of_time = false;

  // One phase of attempts (steps 2-4, and with `split` the fallback copies of step 5).
  bool fatal = false;
  std::vector<std::uint32_t> last_failing;
  Rng rng(kSeed, "heuristic-placer");
  auto run_phase = [&](bool split) {
    for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
      if (attempt > 0 && search.past_deadline()) {
        out_of_time = true;
        return;
      }
      // A chain over its QoS time even at the lower bound cannot be helped by priority; split, it gets
      // copies until it is not (or no more are allowed).
      for (bool again = true; again;) {
        search.build(y);
        again = false;
        for (std::uint32_t c = 0; c < chain_count && !again; ++c) {
          if (!search.chain_hopeless(c)) continue;
          if (split && add_copy(problem.chains[c], model, usable_nodes, y[c])) {
            again = true;
            continue;
          }
          reason = fmt::format("qos_time: chain {} cannot meet 1/fps = {:.6g} s even on the fastest nodes{}",
                               problem.chains[c].id.value, 1.0 / problem.chains[c].fps,
                               split ? " with as many copies as allowed" : "");
          return;
        }
      }
      // From the third attempt on, the order is shaken a little more each time (seeded: deterministic).
      const double noise = attempt >= 2 ? 0.05 * (attempt - 1) : 0.0;
      const std::vector<Failure> failures = search.construct(level, false, noise, rng, fatal);
      if (failures.empty()) {
        placed = true;
        return;
      }
      reason = failures.front().reason;
      if (fatal) return;
      // Raise the chains that failed; when the same chains failed as last time, raising them all would
      // change nothing between them: raise the worst only.
      std::vector<std::uint32_t> failing;
      for (const Failure& f : failures) failing.push_back(f.chain);
      std::sort(failing.begin(), failing.end());
      const bool same = failing == last_failing;
      last_failing = failing;
      const Failure* worst = &failures.front();
      for (const Failure& f : failures) {
        if (f.severity > worst->severity) worst = &f;
      }
      for (const Failure& f : failures) {
        if (same && &f != worst) continue;
        // Split, once half the attempts failed with the authors' copies, a late chain gets one more copy
        // (beyond the authors' model).
        if (split && f.family == "qos_time" && attempt >= kMaxAttempts / 2) {
          add_copy(problem.chains[f.chain], model, usable_nodes, y[f.chain]);
        }
        ++level[f.chain];
      }
    }
  };

  run_phase(false);
  if (!placed && !out_of_time && !fatal && model.replication && chain_count > 0) {
    for (std::uint32_t c = 0; c < chain_count; ++c) {
      y[c] = authors_replicas(problem.chains[c], model, search.mean_speed(), usable_nodes);
    }
    run_phase(true);
  }
  if (!placed) {
    if (out_of_time) {
      PlacementResult r = infeasible(fmt::format("time limit of {} s reached before a placement was found{}{}",
                                                 limits.time_limit_s, reason.empty() ? "" : "; last: ", reason),
                                     start);
      r.status = PlacementStatus::time_limit;
      return r;
    }
    return infeasible(reason, start);
  }

  long items = 0;
  for (const auto& row : y) items += std::accumulate(row.begin(), row.end(), 0L);
  // Local search, then iterated local search for as many rounds as keep its work near kExploreWork swap
  // evaluations.
  const long move_budget = std::max(1000L, 50 * items);
  const long rounds =
      std::min(kMaxExploreRounds, static_cast<long>(kExploreWork / (1.0 + static_cast<double>(items) * items)));
  search.improve(move_budget);
  search.explore(rng, rounds, move_budget);
  if (model.capacity) {
    // A second start, in the order that suits packing CPU capacity; the cheaper result is kept.
    const std::vector<int> first = search.assignment();
    const double first_cost = search.cost();
    bool second_fatal = false;
    const bool second = search.construct(level, true, 0, rng, second_fatal).empty();
    if (second) {
      search.improve(move_budget);
      search.explore(rng, rounds, move_budget);
    }
    if (!second || search.cost() >= first_cost) search.restore(first);
  }

  PlacementResult result;
  result.placed = search.placement();
  if (const Status check = check_placement(problem, result.placed); !check.is_ok()) {
    return infeasible(check.message() + std::string(kCheckFailed), start);  // a bug: never in tests
  }
  result.status = PlacementStatus::feasible;
  // Detail, as the exact placer gives it: which VFs were split.
  for (std::uint32_t c = 0; c < chain_count; ++c) {
    for (std::size_t j = 0; j < y[c].size(); ++j) {
      if (y[c][j] <= 1) continue;
      result.reason += fmt::format("{}chain {} VF {} x {}", result.reason.empty() ? "replicated " : ", ",
                                   problem.chains[c].id.value, j, y[c][j]);
    }
  }
  result.objective = total_cost(problem, result.placed);
  result.bound = 0;
  result.gap = -1;
  result.solver = "heuristic";
  result.solve_s = std::chrono::duration<double>(Clock::now() - start).count();
  return result;
}

}  // namespace vfo
