#pragma once
// The SimGrid backend: runs a scenario with the shared controller and returns its metrics.
// No SimGrid type appears here; SimGrid is included only by src/sim/*.cpp.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "vfo/scenario/scenario.hpp"

namespace vfo {

// One service (one chain) of a run. Its lifetime runs from the first moment its chain is whole
// (start_s) for the scenario's lifetime, cut at the end of the simulation; it is down while any VF is.
struct ServiceRecord {
  std::uint32_t id = 0;
  double arrival_s = 0;
  double start_s = -1;  // -1: never whole (rejected, or still deploying at the end)
  double end_s = -1;
  int functions = 0;
  bool rejected = false;  // no room for the whole chain on arrival
  double downtime_s = 0;
  double downtime_pct = 0;  // downtime / (end - start) x 100
  int cold_migrations = 0;
  int live_migrations = 0;
  double migration_bytes = 0;
};

struct SimulationResult {
  std::string scenario;
  std::uint64_t seed = 0;
  int nodes = 0;
  int services = 0;  // admitted and whole at least once
  int rejected_services = 0;
  double downtime_pct = 0;  // mean over `services`
  int cold_migrations = 0;
  int live_migrations = 0;
  int aborted_migrations = 0;  // a node of the migration failed before it finished
  double migration_bytes = 0;  // images and states moved by migrations (completed or not)
  double deploy_bytes = 0;     // images moved by first deployments
  double control_bytes = 0;    // probes and reports, accounted analytically (design.md §3)
  int node_failures = 0;       // sudden failures and overloads that took a node down
  int overloads = 0;           // overload events (harmless where the node held no VF)
  int overload_failures = 0;   // overloads that took a node down with its VFs
  int alarms = 0;              // node-rounds with p_fail >= K
  std::uint64_t events = 0;    // simulation events handled
  double sim_time_s = 0;
  double wall_time_s = 0;
  std::vector<ServiceRecord> service_records;
};

// Called now and then with the fraction of simulated time done, in [0, 1].
using ProgressFn = std::function<void(double fraction)>;

// Runs one simulation. SimGrid allows one engine per process: call this at most once per process
// (`vfo sweep` runs each simulation in its own process). Deterministic: the same scenario (seed
// included) gives the same result, except wall_time_s.
SimulationResult run_simulation(const Scenario& scenario, const ProgressFn& progress = {});

}  // namespace vfo
