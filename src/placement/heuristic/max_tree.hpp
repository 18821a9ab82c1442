#pragma once
#include <algorithm>
#include <cstddef>
#include <limits>
#include <vector>

namespace vfo::heuristic {

// A max segment tree over positions 0..n-1 (the heuristic's node ranks, fastest node first), each holding a
// value (a node's free CPU, or -inf when the node takes nothing). first_at_least finds the first position at
// or after `from` whose value is >= need in O(log n); set updates one position in O(log n). Positions never
// set hold -inf. A value type; not thread-safe for concurrent writes.
class MaxTree {
 public:
  static constexpr std::size_t npos = std::numeric_limits<std::size_t>::max();

  explicit MaxTree(std::size_t n) {
    while (size_ < std::max<std::size_t>(n, 1)) size_ *= 2;
    tree_.assign(2 * size_, -std::numeric_limits<double>::infinity());
  }
  void set(std::size_t i, double value) {
    std::size_t k = i + size_;
    tree_[k] = value;
    for (k /= 2; k >= 1; k /= 2) tree_[k] = std::max(tree_[2 * k], tree_[2 * k + 1]);
  }
  // The first position >= from whose value is >= need, or npos.
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

}  // namespace vfo::heuristic
