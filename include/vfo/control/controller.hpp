#pragma once
#include <vector>

#include "vfo/control/plan.hpp"
#include "vfo/forecast/forecaster.hpp"
#include "vfo/model/chain.hpp"
#include "vfo/model/cluster_snapshot.hpp"
#include "vfo/placement/placer.hpp"

namespace vfo {

struct ControllerConfig {
  double k = 0.5;                // live-migrate the VFs of a node whose p_fail >= k
  bool live_migration = true;    // false: the forecaster is not consulted (cold migrations only)
  double utilisation_cap = 0.8;  // fraction of a node's CPU and RAM that placements may fill
  double horizon_s = 30;         // forecast horizon: one probing period
  // The placement model the controller asks for: by default several VFs per node within capacity,
  // a chain spread over distinct nodes, no QoS-time or bandwidth constraint (docs/model.md).
  PlacementModel placement{.max_functions_per_node = 0,
                           .qos_time = false,
                           .capacity = true,
                           .bandwidth = false,
                           .spread_chain = true,
                           .replication = false,
                           .max_replicas = 8};
  SolveLimits limits{.time_limit_s = 10, .diagnose = false};  // given to the placer at every call
};

// The brain shared by the simulator and the runtime (docs/architecture.md). Pure: it reads snapshots and
// returns plans; it reads no clock, does no I/O and keeps only the last round's risk estimate.
// Algorithm 1 of the paper is the loop around round(); Algorithms 2 and 3 are its two steps.
// Not thread-safe; the placer and forecaster must outlive it.
class Controller {
 public:
  Controller(ControllerConfig config, const Placer& placer, Forecaster* forecaster);

  // One probing round. Every VF reported lost is re-placed (cold migration, Algorithm 2). Then, with
  // live migration on, every VF running on a node whose p_fail >= k is moved away (Algorithm 3).
  // The VFs that move in one chain are placed together, the chain's other VFs pinned where they are
  // (or where they are going); targets are answering nodes below the risk threshold. VFs reported
  // moving are left alone. A live migration's target must also stay below k with the VF moved in
  // (Forecaster::p_fail_with); a target that would not is avoided and the chain placed again, and a live
  // migration that finds no such target is not planned. Actions come in a deterministic order (by chain,
  // then VF).
  Plan round(const ClusterSnapshot& snapshot);

  // Places a new chain whole (one deploy action per VF) or rejects it, using the risk of the last
  // round. `snapshot` gives the current load; its functions are not needed. The placement model's
  // replication is not used here: a chain is deployed as it is (the autoscaler replicates).
  Plan admit(const Chain& chain, const ClusterSnapshot& snapshot) const;

  // p_fail per node from the last round (empty before the first, or with live migration off).
  const std::vector<double>& last_risk() const { return risk_; }

 private:
  bool eligible(const NodeReport& report) const;
  // Whether node `node` would stay below k with `demand` more load (true with live migration off).
  bool stays_below_k(NodeId node, const Resources& demand) const;
  PlacementNode placement_node(const NodeReport& report, const Resources& used, int functions) const;

  ControllerConfig config_;
  const Placer& placer_;
  Forecaster* forecaster_;
  std::vector<double> risk_;
};

}  // namespace vfo
