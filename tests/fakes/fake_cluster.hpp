#pragma once
// A hand-driven backend for controller tests: the test sets each node's state and each VF's status,
// then asks for the snapshot the controller would get. Time is whatever the test says (a manual clock).
#include <vector>

#include "vfo/forecast/forecaster.hpp"
#include "vfo/model/cluster_snapshot.hpp"

namespace vfo::fakes {

class FakeCluster {
 public:
  // `nodes` identical nodes of the given capacity, all answering and empty.
  FakeCluster(int nodes, Resources capacity) {
    for (int i = 0; i < nodes; ++i) {
      snapshot_.nodes.push_back({NodeId(static_cast<std::uint32_t>(i)), true, capacity, Resources{}});
    }
  }
  // A VF of `chain` at position `index` running on `node` with `demand` (its chain at 1 fps, so its
  // load per frame is demand.cpu_ips); the node's load grows.
  void run(std::uint32_t chain, std::uint32_t index, std::uint32_t node, Resources demand) {
    snapshot_.functions.push_back({FunctionRef{ChainId(chain), index}, NodeId(node), FunctionStatus::running, NodeId{},
                                   demand, demand.cpu_ips, 1e5, 1.0});
    snapshot_.nodes[node].used += demand;
  }
  // The node stops answering probes; its VFs are reported lost.
  void silence(std::uint32_t node) {
    snapshot_.nodes[node].answered = false;
    for (auto& f : snapshot_.functions) {
      if (f.node.value == node) f.status = FunctionStatus::lost;
    }
  }
  void set_used(std::uint32_t node, Resources used) { snapshot_.nodes[node].used = used; }
  void set_speed(std::uint32_t node, double speed_ips) { snapshot_.nodes[node].speed_ips = speed_ips; }
  void set_now(double now) { snapshot_.now = now; }
  const ClusterSnapshot& snapshot() const { return snapshot_; }

 private:
  ClusterSnapshot snapshot_;
};

// A forecaster whose answers the test sets; it records the snapshots it was shown.
class FixedForecaster final : public Forecaster {
 public:
  std::vector<double> p_fail;        // per node; missing entries are 0
  std::vector<double> p_fail_after;  // per node, p_fail_with's answer whatever the load; empty: nullopt
  int calls = 0;
  std::vector<double> assess(const ClusterSnapshot& snapshot, double) override {
    ++calls;
    std::vector<double> out(snapshot.nodes.size(), 0.0);
    for (std::size_t i = 0; i < out.size() && i < p_fail.size(); ++i) out[i] = p_fail[i];
    return out;
  }
  std::optional<double> p_fail_with(std::size_t index, const Resources&) const override {
    if (index >= p_fail_after.size()) return std::nullopt;
    return p_fail_after[index];
  }
};

}  // namespace vfo::fakes
