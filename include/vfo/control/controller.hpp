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
};

// The brain shared by the simulator and the runtime (design.md §1). Pure: it reads snapshots and
// returns plans; it reads no clock, does no I/O and keeps only the last round's risk estimate.
// Algorithm 1 of the paper is the loop around round(); Algorithms 2 and 3 are its two steps.
// Not thread-safe; the placer and forecaster must outlive it.
class Controller {
 public:
  Controller(ControllerConfig config, const Placer& placer, Forecaster* forecaster);

  // One probing round. Every VF reported lost is re-placed (cold migration, Algorithm 2). Then, with
  // live migration on, every VF running on a node whose p_fail >= k is moved away (Algorithm 3).
  // Targets are answering nodes below the risk threshold, other than the nodes of the same chain.
  // VFs reported moving are left alone. Actions come in a deterministic order (by VF).
  Plan round(const ClusterSnapshot& snapshot);

  // Places a new chain whole (one deploy action per VF) or rejects it, using the risk of the last
  // round. `snapshot` gives the current load; its functions are not needed.
  Plan admit(const Chain& chain, const ClusterSnapshot& snapshot) const;

  // p_fail per node from the last round (empty before the first, or with live migration off).
  const std::vector<double>& last_risk() const { return risk_; }

 private:
  bool eligible(const NodeReport& report) const;

  ControllerConfig config_;
  const Placer& placer_;
  Forecaster* forecaster_;
  std::vector<double> risk_;
};

}  // namespace vfo
