#pragma once
#include <vector>

#include "vfo/model/ids.hpp"
#include "vfo/model/resources.hpp"

namespace vfo {

// What one probe saw of one node.
struct NodeReport {
  NodeId node;
  bool answered = false;  // false: the node missed the probe deadline
  Resources capacity;
  Resources used;             // load already on the node, including VFs on their way to it
  double speed_ips = 0;       // instructions per second (= capacity.cpu_ips on a dedicated node)
  double link_bps = 0;        // access link bandwidth, bytes/s
  double link_latency_s = 0;  // access link one-way latency
  // What the probe measured (percent of capacity), where the backend measures it (the runtime's agents);
  // negative: not measured, and the utilisation is used / capacity.
  double measured_cpu_pct = -1;
  double measured_ram_pct = -1;
};

// The node's utilisation as a forecaster reads it: measured if it was, else used / capacity; percent.
inline double cpu_utilisation_pct(const NodeReport& r) {
  if (r.measured_cpu_pct >= 0) return r.measured_cpu_pct;
  return r.capacity.cpu_ips > 0 ? 100.0 * r.used.cpu_ips / r.capacity.cpu_ips : 0.0;
}
inline double ram_utilisation_pct(const NodeReport& r) {
  if (r.measured_ram_pct >= 0) return r.measured_ram_pct;
  return r.capacity.ram_bytes > 0 ? 100.0 * r.used.ram_bytes / r.capacity.ram_bytes : 0.0;
}

// How the probe saw one VF.
enum class FunctionStatus {
  running,  // answering on `node`
  lost,     // its node did not answer, or the node answered without it: Algorithm 2 must re-place it
  moving,   // a deployment or migration is in flight: the controller leaves it alone this round
};

struct FunctionReport {
  FunctionRef ref;
  NodeId node;  // where it runs or last ran
  FunctionStatus status = FunctionStatus::running;
  NodeId target;                      // while moving: where it is going
  Resources demand;                   // what it takes on a node: load_ipf x fps instructions/s, and RAM
  double load_ipf = 0;                // instructions per frame
  double output_bytes_per_frame = 0;  // sent to the next VF
  double fps = 1;                     // its chain's frame rate
};

// The input of one controller round: the cluster as the backend saw it at `now`.
// `nodes[i].node == NodeId(i)` for every i.
struct ClusterSnapshot {
  double now = 0;
  std::vector<NodeReport> nodes;
  std::vector<FunctionReport> functions;
};

}  // namespace vfo
