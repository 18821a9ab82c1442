#pragma once
// The control policy a body gives the shared controller. The simulator reads it from a scenario's control
// block (ControlSpec is one), the runtime's orchestrator from its options (vfo up's flags); controller_config()
// is the one mapping from it to the controller's configuration, and Brain (brain.hpp) the one way to build the
// controller, so that both bodies given the same policy, forecaster and snapshots make the same plans.
#include <string>

#include "vfo/control/controller.hpp"
#include "vfo/control/recovery.hpp"
#include "vfo/placement/placement_problem.hpp"

namespace vfo {

// The defaults are the simulator's (the paper's studies, docs/model.md); the runtime states its own in
// OrchestratorOptions.
struct ControlPolicy {
  Recovery recovery = Recovery::cold;  // what follows the loss of a VF
  bool live_migration = true;          // false: cold migrations only, the forecaster is not consulted
  double k = 0.5;                      // live-migrate the VFs of a node whose p_fail >= k
  double probing_period_s = 30;        // Algorithm 1's sleep between two rounds
  double horizon_s = 0;                // how far ahead the forecaster looks; 0: one probing period
  double utilisation_cap = 0.8;        // the fraction of a node's CPU and RAM that placements may fill
  // At most this many VFs on a node (the authors' model: 1, "the j selected edge devices, hosting a VF each");
  // 0: any number within utilisation_cap.
  int max_functions_per_node = 1;
  // The placer (placer_factory.hpp): auto is the authors' model solved exactly (an assignment problem with one
  // VF per node) and by the heuristic beyond; best-fit packs VFs where the least CPU is left.
  std::string placer = "auto";
  // What placement minimises (placement_problem.hpp): load, the paper's Table 2 cost convex in each node's
  // whole load (spreads load); speed, the authors' MILP l^2 / cpu.
  PlacementCost placement_cost = PlacementCost::load;
};

// The controller's configuration under `policy`: its k, live migration, cap, horizon (one probing period when
// the policy gives none) and placement model (ControllerConfig's, with the policy's VFs per node and cost).
ControllerConfig controller_config(const ControlPolicy& policy);

}  // namespace vfo
