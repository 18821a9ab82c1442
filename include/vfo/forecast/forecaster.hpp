#pragma once
#include <cstddef>
#include <optional>
#include <vector>

#include "vfo/model/cluster_snapshot.hpp"
#include "vfo/model/resources.hpp"

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

  // p_fail of the node at `index` of the snapshot last assessed, were `extra` more load to run there from
  // now on (say, a VF moved in). nullopt when this forecaster's answer does not depend on the load it is
  // told about (the confusion predictor, whose alarms are drawn against the truth): the caller then keeps
  // the node's p_fail from assess(). Call only after assess(), with an index of that snapshot.
  virtual std::optional<double> p_fail_with(std::size_t index, const Resources& extra) const {
    (void)index;
    (void)extra;
    return std::nullopt;
  }
};

}  // namespace vfo
