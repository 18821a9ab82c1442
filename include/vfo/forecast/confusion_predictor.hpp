#pragma once
#include <cstdint>
#include <functional>

#include "vfo/forecast/forecaster.hpp"

namespace vfo {

// Answers "will `node` overload within (from, to]?" with the truth; a simulator knows it.
using OverloadOracle = std::function<bool(NodeId node, double from, double to)>;

// A predictor of known quality, for studies where the forecaster's accuracy is a parameter (the
// paper's dedicated environment): it raises an alarm (p_fail = 1) with probability
// `true_positive_rate` when the node will overload within the horizon, and with probability
// `false_positive_rate` when it will not; otherwise p_fail = 0. Each draw is a pure function of
// (seed, node, time), so the answers do not depend on the order of calls.
class ConfusionPredictor final : public Forecaster {
 public:
  ConfusionPredictor(OverloadOracle oracle, double true_positive_rate, double false_positive_rate, std::uint64_t seed);
  std::vector<double> assess(const ClusterSnapshot& snapshot, double horizon_s) override;

 private:
  OverloadOracle oracle_;
  double true_positive_rate_;
  double false_positive_rate_;
  std::uint64_t seed_;
};

}  // namespace vfo
