#pragma once

namespace vfo {

// A network link: the node's access link to the edge network's switch.
struct Link {
  double bandwidth_bps = 0;  // bytes per second
  double latency_s = 0;      // one-way propagation latency
};

}  // namespace vfo
