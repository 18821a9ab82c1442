#pragma once
// The SimGrid backend: runs a scenario with the shared controller and returns its metrics.
// No SimGrid type appears here; SimGrid is included only by src/sim/*.cpp.
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vfo/forecast/forecast_model.hpp"
#include "vfo/scenario/scenario.hpp"

namespace vfo {

// One service (one chain) of a run. A chain that finds no room on arrival waits (demand.patience_s at
// most) and is tried again every probing round; its wait is downtime. Its lifetime runs from the first
// moment its chain is whole (start_s) for the scenario's lifetime, cut at the end of the simulation; it is
// down while it waits and while any VF is down.
struct ServiceRecord {
  std::uint32_t id = 0;
  double arrival_s = 0;
  double start_s = -1;  // -1: never whole (gave up, still waiting or still deploying at the end)
  double end_s = -1;
  int functions = 0;
  double wait_s = 0;        // from arrival until its chain was placed, it gave up, or the run ended
  bool given_up = false;    // waited demand.patience_s without being placed
  double downtime_s = 0;    // the wait included
  double downtime_pct = 0;  // downtime / (wait + end - start) x 100; 100 for a service that gave up
  int cold_migrations = 0;
  int live_migrations = 0;
  double migration_bytes = 0;
  double deploy_s = -1;         // from its placement until the chain was whole the first time (-1: never)
  double placement_wall_s = 0;  // wall-clock time the placer took to place the chain on arrival (measured)
};

// One migration that was started (completed or aborted). Times are in simulated seconds.
struct MigrationRecord {
  bool live = false;
  std::string protocol;  // live: the migration protocol; cold: "cold"
  std::uint32_t service = 0;
  std::uint32_t function = 0;
  std::uint32_t from = 0;  // live: the source; cold: the node the VF was lost on
  std::uint32_t to = 0;
  double start_s = 0;
  double prepare_s = 0;   // until the state copy began (placement, image pull, start, waiting for a slot)
  double copy_s = 0;      // state copied while the VF ran (pre-copy rounds, post-copy push)
  double downtime_s = 0;  // the VF stopped: freeze to resume (last copy, switch, rewire); cold: the whole operation
  double stall_s = 0;     // post-copy: the VF resumed but waiting on page faults (counted as service downtime)
  double total_s = 0;     // until the whole state was on the target and the VF ran there
  double bytes = 0;       // image and state
  int rounds = 0;         // pre-copy rounds
  int faults = 0;         // post-copy page faults
  bool aborted = false;
};

// What one probe read on one node (recorded with SimulationOptions::record_nodes), in percent of the node's
// speed and RAM; CPU is what is committed, so it may exceed 100 in the generic environment.
struct NodeReading {
  double time_s = 0;
  std::uint32_t node = 0;
  double cpu_pct = 0;
  double ram_pct = 0;
};

struct SimulationResult {
  std::string scenario;
  std::uint64_t seed = 0;
  int nodes = 0;
  int services = 0;           // admitted and whole at least once
  int admitted_services = 0;  // placed (on arrival or after a wait); some may still be deploying at the end
  int waited_services = 0;    // of the admitted, those that waited first
  int waiting_services = 0;   // still waiting at the end
  int given_up_services = 0;  // waited demand.patience_s and left unplaced
  // Mean of ServiceRecord::downtime_pct over `services` and the services that gave up (those still
  // waiting or deploying at the end are not counted: their outcome is not known).
  double downtime_pct = 0;
  int cold_migrations = 0;
  int live_migrations = 0;
  int aborted_migrations = 0;  // a node of the migration failed before it finished
  double migration_bytes = 0;  // images and states moved by migrations (completed or not)
  double deploy_bytes = 0;     // images moved by first deployments
  double control_bytes = 0;    // probes and reports, accounted analytically (docs/model.md)
  int node_failures = 0;       // sudden failures and overloads that took a node down
  int overloads = 0;           // overload events (harmless where the node held no VF)
  int overload_failures = 0;   // overloads that took a node down with its VFs
  int alarms = 0;              // node-rounds with p_fail >= K
  // Of the alarms: followed within the predictor's horizon by a probe reading the node's CPU above
  // predictor.cpu_threshold_pct, and not (an upper bound on the false alarms: a migration may have prevented the
  // overload); alarms still within their horizon at the end are neither (vfo/forecast/alarm_outcomes.hpp).
  int confirmed_alarms = 0;
  int unconfirmed_alarms = 0;
  std::uint64_t events = 0;  // simulation events handled
  int lost_jobs = 0;         // generic environment: background jobs that reached a node that was down
  // The deployment of a service in four steps (the paper's Fig. 9b), mean over the services made whole:
  double deploy_probe_s = 0;      // one probe of every node: the reports over the orchestrator's link
  double deploy_placement_s = 0;  // the placer's wall-clock time (measured, not simulated)
  double deploy_transfer_s = 0;   // from placement until the chain is whole (images, starts, rewiring)
  double monitoring_s = 0;        // one probing round's reports of the chain's nodes over that link
  double sim_time_s = 0;
  double wall_time_s = 0;
  std::vector<ServiceRecord> service_records;
  std::vector<MigrationRecord> migration_records;
  std::vector<NodeReading> node_readings;  // every answering node at every probing round, if recorded
};

// Called now and then with the fraction of simulated time done, in [0, 1].
using ProgressFn = std::function<void(double fraction)>;

struct SimulationOptions {
  ProgressFn progress;
  // The trained model when the scenario names one (control.predictor.model); the caller loads it, since
  // loading a recurrent network needs LibTorch, which the simulator does not link.
  std::shared_ptr<const ForecastModel> model;
  bool record_nodes = false;  // fill SimulationResult::node_readings
};

// Runs one simulation. SimGrid allows one engine per process: call this at most once per process
// (`vfo sweep` runs each simulation in its own process). Deterministic: the same scenario (seed
// included) gives the same result, except wall_time_s and the deployments' placement_wall_s. Throws
// InputError when the scenario names a model that options.model does not hold or whose interval is not
// the probing period.
SimulationResult run_simulation(const Scenario& scenario, const SimulationOptions& options = {});

}  // namespace vfo
