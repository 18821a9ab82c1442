#pragma once
#include <vector>

#include "vfo/model/cluster_snapshot.hpp"

namespace vfo {

// The QoS assessment of the paper: from what the probes saw, each node's probability of overloading
// (p_fail) within `horizon_s` after `snapshot.now`. Implementations may keep each node's history, so
// they are fed every probing round in time order. Not thread-safe.
class Forecaster {
 public:
  virtual ~Forecaster() = default;
  // Returns one p_fail in [0, 1] per entry of snapshot.nodes, in the same order. A node that did not
  // answer gets 0 (its failure is Algorithm 2's business, not a forecast).
  virtual std::vector<double> assess(const ClusterSnapshot& snapshot, double horizon_s) = 0;
};

}  // namespace vfo
