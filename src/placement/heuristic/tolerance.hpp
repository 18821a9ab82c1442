#pragma once
#include <algorithm>
#include <cmath>
#include <limits>

// Numeric limits shared by the heuristic placer's files (src/placement/heuristic_*.cpp): how much slack a
// limit gets and how much a move must gain to count.

namespace vfo::heuristic {

constexpr double kInf = std::numeric_limits<double>::infinity();
// Slack added to every limit: check_placement accepts 1e-9 relative, so 1e-10 keeps within it while
// absorbing rounding in the residuals.
constexpr double kTolerance = 1e-10;
constexpr double kMinImprovement = 1e-12;  // relative decrease (cost, lateness) for a move to count

// `limit` plus kTolerance relative (absolute below 1).
inline double with_tolerance(double limit) {
  return limit + kTolerance * std::max(1.0, std::abs(limit));
}

}  // namespace vfo::heuristic
