#pragma once
// The simulator of a scenario on SimGrid (docs/architecture.md), private to src/sim: it turns the controller's plans
// into simulated transfers and reports what the probes would see. Images and states cross the simulated
// network as SimGrid flows, so concurrent migrations share bandwidth; probes and reports are accounted
// analytically. Its member functions live in three files: edge_simulation.cpp (the processes, the probes,
// services and nodes), generic_environment.cpp (background jobs, overloads and leaves of Results B) and
// operations.cpp (deployments and migrations). run_simulation (vfo/sim/simulation.hpp) is its only user.
//
// What follows the loss of a VF is the scenario's control.recovery (docs/model.md, "Recovery modes in the
// simulator"): cold, the lost VF waits for the controller's next round (Algorithm 2); reset, the rest of its
// chain is stopped with it so that the round re-places the whole chain; kubernetes, the probes go on
// reporting a VF lost with its node as running there until Kubernetes would have evicted it.
#include <simgrid/s4u.hpp>

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <queue>
#include <tuple>
#include <vector>

#include "fault_timeline.hpp"
#include "platform.hpp"
#include "vfo/control/brain.hpp"
#include "vfo/control/kubernetes_failure.hpp"
#include "vfo/forecast/alarm_outcomes.hpp"
#include "vfo/forecast/forecaster.hpp"
#include "vfo/migration/migration_protocol.hpp"
#include "vfo/placement/placer.hpp"
#include "vfo/sim/background_load.hpp"
#include "vfo/sim/simulation.hpp"
#include "vfo/util/random.hpp"

namespace vfo::sim {

namespace sg4 = simgrid::s4u;

// Bytes of one probe and of one node report (the paper's monitoring message, a = 2 kb).
constexpr double kProbeBytes = 64;
constexpr double kReportBytes = 250;

// Where a VF is in its life, as the simulator (the truth) knows it.
enum class Phase {
  pending,      // its chain has arrived and is not placed yet
  deploying,    // first deployment to `target`
  running,      // processing frames on `node`
  lost,         // its node failed, it stalled, or it never arrived; waits for Algorithm 2
  cold_moving,  // being started anew on `target`
  live_moving,  // running on `node` while its image and state are copied to `target`
  frozen,       // stopped on `node` for the last pre-copy round
  ended,        // its service ended
};

struct FunctionState {
  Phase phase = Phase::pending;
  NodeId node;
  NodeId target;
  bool up = false;       // processing frames
  bool resumed = false;  // post-copy: live_moving, but already running on `target` while pages arrive
  bool ever_up = false;  // has processed frames: until then a re-placement is still its deployment
  Resources demand;
  // Phase lost: the probes report it lost from this time on, and before it as running on `node` (recovery
  // kubernetes: its node failed and Kubernetes has not evicted it yet). Otherwise unused.
  double reported_lost_from = 0;
};

struct Service {
  Chain chain;
  ServiceRecord record;
  std::vector<FunctionState> functions;
  int down = 0;  // VFs not up
  double down_since = 0;
  bool whole_once = false;
  bool ended = false;
};

struct NodeState {
  bool alive = true;
  double overloaded_until = -1;
  std::vector<double> overload_times;  // of this node, ascending, for the predictor's truth
  std::uint64_t leave_generation = 0;  // generic: a scheduled leave counts only if no probe came since
};

// Generic environment: a node's P_leave is drawn at a probe, then its leave is scheduled (or not).
struct LeaveEvent {
  double time_s = 0;
  std::uint32_t node = 0;
  bool probe = false;  // true: draw P_leave and schedule the leave; false: the node leaves
  std::uint64_t generation = 0;
  bool operator>(const LeaveEvent& o) const {
    return std::tie(time_s, node, probe) > std::tie(o.time_s, o.node, o.probe);
  }
};

// An action in flight. `aborted` is set when one of its nodes fails (or its service ends); the actor
// running it then stops at its next step without touching the VF, whose state the failure handler
// has already settled.
struct Operation {
  Action action;
  std::uint32_t service = 0;
  bool aborted = false;
  MigrationRecord record;           // for migrations
  std::vector<sg4::CommPtr> comms;  // transfers in progress (the waiting actor holds them too)
};

class EdgeSimulation {
 public:
  EdgeSimulation(const Scenario& scenario, const SimulationOptions& options);
  SimulationResult run();

 private:
  static double now() { return sg4::Engine::get_clock(); }
  static NodeId running_node(const FunctionState& f) { return f.resumed ? f.target : f.node; }

  // ---- edge_simulation.cpp: the processes of the environment, what the probes see, services and nodes

  // Algorithm 1: every probing period, probe, assess, and carry out the controller's plan.
  void orchestrator_loop();

  // The dedicated environment's node events (leaves and overloads), drawn before the run.
  void node_event_loop();
  // The services' arrivals, drawn before the run.
  void arrival_loop();

  // The truth the confusion predictor is scored against: does `node` overload in (from, to]?
  bool overloads_within(NodeId node, double from, double to) const;
  // What a probe round sees now: every node's state and load, every VF's status (a lost VF as running on its
  // node until its reported_lost_from).
  ClusterSnapshot take_snapshot() const;
  // Keeps the snapshot's node readings (SimulationOptions::record_nodes).
  void record(const ClusterSnapshot& snapshot);
  // Whether any VF runs on `node`, or is on its way to or from it.
  bool holds_any_function(NodeId node) const;

  // A service arrives: its chain is drawn, the chains already waiting are tried first (FIFO), then it is
  // admitted whole, or waits (or gives up at once with demand.patience_s = 0).
  void arrive();
  // Places the chain of `s` whole and starts its deployments; false (nothing started) when it has no room.
  bool try_admit(Service& s);
  // Every waiting chain, oldest first: gives up those that have waited demand.patience_s, admits those
  // that fit now. Not re-entered (a call while another is under way returns at once).
  void admit_waiting();
  // The service leaves unplaced after waiting its patience.
  void give_up(Service& s);

  // A VF starts or stops processing frames; the service's downtime follows.
  void set_up(Service& s, FunctionState& f, bool up);

  // The service's lifetime is over: its VFs leave their nodes and its operations stop.
  void end_service(Service& s);

  // Closes the books at the end of the simulation.
  void finish(double end);

  // The node leaves (or an overload takes it down in the dedicated environment): its VFs are lost, the
  // operations that involve it are aborted; it comes back empty after node_recovery_s. Recovery reset: the
  // chains of the lost VFs are reset (reset_chain). Recovery kubernetes: the lost VFs are reported running
  // until kubernetes_recovery's evicted_s, or until the node comes back if that is earlier.
  void fail_node(NodeId node);

  // Recovery reset only (a no-op otherwise): a VF of `s` was lost, so every other VF of it stops too, as the
  // runtime's reset mode stops the whole chain: its operations are aborted, and each VF still running,
  // migrating or arriving is down, lost (on the node it ran on or was arriving at) and leaves the room it
  // held. The controller's next round then cold-migrates the whole chain. May yield (abort_operations).
  void reset_chain(Service& s);

  // ---- generic_environment.cpp: the generic environment (Results B): background jobs, overloads, leaves

  // Every node's background jobs and leaves, in time order. Sleeps until the next event; a change that
  // brings one forward (a VF leaving a node starts a waiting job; a deployment schedules a leave probe)
  // wakes it.
  void generic_environment_loop();

  // Brings the background jobs and the leaves up to now. Every caller that reads or changes a node's
  // tenants calls it first. Not re-entered: what it calls back (an overload, a leave) finds the jobs at now.
  void sync_environment();

  // Draws the node's P_leave from N(p_leave, p_leave_stddev) and schedules its leave: a Poisson process of
  // that probability per probability window, memoryless, so the leave is redrawn at each probe.
  void probe_leave(std::uint32_t node);

  // The paper's "probed 10 s after the deployment of a VF on an edge node (initial or by migration)".
  void schedule_leave_probe(NodeId node);

  // A job or a VF arrived on `node`: every VF there that now takes longer per frame than its chain's fps
  // allows is overloaded. It stalls: it is down, off the node, and Algorithm 2 re-places it. The node still
  // answers, so the probes report the VF lost at once in every recovery mode; reset also resets its chain.
  void check_overloads(NodeId node);

  // Takes room for VF j of `s` on `node` (generic environment); false when it does not fit now (it is
  // never queued). The newcomer may overload the VFs already there.
  bool reserve(Service& s, std::uint32_t j, NodeId node);

  // Frees what VF j of `s` holds on `node` (generic environment); waiting jobs may start.
  void release_from(const Service& s, std::uint32_t j, NodeId node);

  // Frees what VF j holds anywhere (its node and its target).
  void release(const Service& s, std::uint32_t j);

  // ---- operations.cpp: carrying out the controller's actions: deployments and migrations as SimGrid flows

  // Marks every operation that `matches` selects aborted, then cancels their transfers; their actors then stop
  // without touching the VF. All are marked before any cancel, since cancelling yields to other actors.
  void abort_operations(const std::function<bool(const Operation&)>& matches);
  // Starts an actor that carries out one action of a plan (after taking room on the target).
  void start_operation(const Action& action);

  // Sends `bytes` from one host to another as a SimGrid flow; false if the operation was aborted.
  bool transfer(Operation& op, sg4::Host* from, sg4::Host* to, double bytes, double& counter);

  // Sleeps for `seconds`; false if the operation was (or gets) aborted.
  bool pause(Operation& op, double seconds);

  // Time for the orchestrator to tell the previous and next VF of the new address: one round trip.
  double rewire_s(NodeId to) const;

  // The node's semaphore of state copies. Never destroyed: when the run ends, actors may still wait on it,
  // and SimGrid refuses to destroy a semaphore in use (one per node, freed with the process).
  sg4::Semaphore* migration_slot(NodeId node);

  // The body of an operation's actor: a deployment, a cold migration or a live migration.
  void run_operation(Operation& op);

  // Stops the VF (it counts as down until resumed).
  void freeze(Service& s, FunctionState& f, double& frozen_at);

  // The state copy of a live migration by the scenario's protocol, as SimGrid flows between source and
  // target; fills the record's copy and downtime. Returns false when the operation was aborted (the
  // failure handler has settled the VF). On success the VF runs on the target.
  bool move_state(Operation& op, Service& s, FunctionState& f, const Function& spec, sg4::Host* source,
                  sg4::Host* target, double& bytes);

  const Scenario& scenario_;
  const SimulationOptions& options_;
  ProgressFn progress_;
  Rng chain_rng_;
  Topology topology_;
  std::vector<NodeState> nodes_;
  std::vector<sim::NodeEvent> node_events_;
  std::vector<double> arrival_times_;
  bool generic_;
  MigrationProtocol protocol_ = parse_protocol(scenario_.migration.protocol);
  Recovery recovery_;
  KubernetesFailureProfile kubernetes_profile_;  // recovery kubernetes: the control plane's timers
  Brain brain_;  // the scenario's policy and forecaster (never null: scenario_forecaster always gives one)
  // What became of the alarms: confirmed by a probe reading the node above predictor.cpu_threshold_pct within
  // the predictor's horizon, or not.
  AlarmOutcomes alarm_outcomes_{scenario_.control.predictor.horizon_periods};
  void record_alarm_outcomes(const ClusterSnapshot& snapshot);  // after a round that assessed p_fail
  // Generic environment only:
  sim::BackgroundJobsConfig jobs_config_;
  std::unique_ptr<sim::BackgroundLoad> load_;
  std::vector<Rng> leave_rngs_;  // per node: its P_leave draws and leave times
  std::priority_queue<LeaveEvent, std::vector<LeaveEvent>, std::greater<>> leaves_;
  sg4::MutexPtr environment_mutex_;
  sg4::ConditionVariablePtr environment_changed_;
  bool syncing_ = false;
  sim::Platform platform_;
  std::vector<std::unique_ptr<Service>> services_;
  std::deque<std::uint32_t> waiting_;  // services waiting for room, oldest first
  bool admitting_ = false;             // admit_waiting is under way
  std::map<int, std::unique_ptr<Operation>> operations_;
  std::map<NodeId, sg4::Semaphore*> migration_slots_;
  int next_operation_id_ = 0;
  SimulationResult result_;
};

}  // namespace vfo::sim
