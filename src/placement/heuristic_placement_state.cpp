#include "placement/heuristic/placement_state.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

namespace vfo::heuristic {

PlacementState::PlacementState(const PlacementProblem& problem, Clock::time_point deadline)
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

int PlacementState::node_index(NodeId id) const {
  const auto it = index_of_.find(id.value);
  return it == index_of_.end() ? -1 : it->second;
}

void PlacementState::build(const std::vector<std::vector<int>>& replicas) {
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

double PlacementState::chain_lower_bound(std::uint32_t c) const {
  double t = 0;
  for (std::uint32_t g = chains_[c].stage_begin; g < chains_[c].stage_end; ++g) t += stage_time_with(g, {});
  return t;
}

void PlacementState::reset() {
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
  for (std::uint32_t g = 0; g < stages_.size(); ++g) stage_time_[g] = stage_time_with(g, {});
  chain_time_.resize(chains_.size());
  for (std::uint32_t c = 0; c < chains_.size(); ++c) recompute_chain_time(c);
  unplaced_.resize(stages_.size());
  for (std::uint32_t g = 0; g < stages_.size(); ++g) unplaced_[g] = static_cast<int>(stages_[g].end - stages_[g].begin);
  open_stages_.resize(chains_.size());
  for (std::uint32_t c = 0; c < chains_.size(); ++c) {
    open_stages_[c] = static_cast<int>(chains_[c].stage_end - chains_[c].stage_begin);
  }
}

void PlacementState::assign(std::uint32_t i, int u) {
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
  stage_time_[it.stage] = stage_time_with(it.stage, {});
  recompute_chain_time(it.chain);
}

void PlacementState::unassign(std::uint32_t i) {
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
  stage_time_[it.stage] = stage_time_with(it.stage, {});
  recompute_chain_time(it.chain);
}

void PlacementState::recompute_chain_time(std::uint32_t c) {
  double t = 0;
  for (std::uint32_t g = chains_[c].stage_begin; g < chains_[c].stage_end; ++g) t += stage_time_[g];
  chain_time_[c] = t;
}

void PlacementState::restore(const std::vector<int>& target) {
  for (std::uint32_t i = 0; i < items_.size(); ++i) {
    if (assign_[i] >= 0 && assign_[i] != target[i]) unassign(i);
  }
  for (std::uint32_t i = 0; i < items_.size(); ++i) {
    if (assign_[i] < 0) assign(i, target[i]);
  }
}

double PlacementState::cost() const {
  double sum = 0;
  for (std::uint32_t i = 0; i < items_.size(); ++i)
    sum += placement_cost(items_[i].load, problem_.nodes[assign_[i]].speed_ips);
  return sum;
}

std::vector<PlacedFunction> PlacementState::placement() const {
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

}  // namespace vfo::heuristic
