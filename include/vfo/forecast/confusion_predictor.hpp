#pragma once
#include <cstdint>
#include <functional>
#include <unordered_map>

#include "vfo/forecast/forecaster.hpp"

namespace vfo {

// Answers "will `node` overload within (from, to]?" with the truth; a simulator knows it.
using OverloadOracle = std::function<bool(NodeId node, double from, double to)>;

// A predictor of known quality, for studies where the forecaster's accuracy is a parameter (the
// paper's dedicated environment): at time t it looks at the period (t + lead_s, t + lead_s + horizon_s]
// and raises an alarm (p_fail = 1) with probability `true_positive_rate` when the node will overload
// in it, and with probability `false_positive_rate` when it will not; otherwise p_fail = 0. With
// lead_s = the probing period and horizon_s = the probing period, each round looks at the period after
// the next probe, so every overload is looked at by exactly one round, one period ahead. An alarm stands
// until the period it is about has passed: the node keeps p_fail = 1 in the rounds between (so it is not
// chosen as a target meanwhile). Each draw is a pure function of (seed, node, time), so the answers do not
// depend on the order of calls.
class ConfusionPredictor final : public Forecaster {
 public:
  ConfusionPredictor(OverloadOracle oracle, double true_positive_rate, double false_positive_rate, std::uint64_t seed,
                     double lead_s = 0);
  std::vector<double> assess(const ClusterSnapshot& snapshot, double horizon_s) override;

 private:
  OverloadOracle oracle_;
  double true_positive_rate_;
  double false_positive_rate_;
  std::uint64_t seed_;
  double lead_s_;
  std::unordered_map<std::uint32_t, double> alarmed_until_;  // by node: the end of its last alarm's period
};

}  // namespace vfo
