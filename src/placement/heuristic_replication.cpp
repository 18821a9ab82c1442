#include "placement/heuristic/replication.hpp"

#include <algorithm>
#include <cstddef>
#include <numeric>
#include <vector>

#include "placement/heuristic/tolerance.hpp"

namespace vfo::heuristic {
namespace {

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

}  // namespace

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

}  // namespace vfo::heuristic
