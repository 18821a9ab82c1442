// The SimGrid backend (design.md §1): turns the controller's plans into simulated transfers and
// reports what the probes would see. Images and states cross the simulated network as SimGrid flows,
// so concurrent migrations share bandwidth; probes and reports are accounted analytically.
#include <fmt/format.h>
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <queue>

#include "fault_timeline.hpp"
#include "platform.hpp"
#include "vfo/control/controller.hpp"
#include "vfo/forecast/confusion_predictor.hpp"
#include "vfo/forecast/model_forecaster.hpp"
#include "vfo/migration/migration_protocol.hpp"
#include "vfo/migration/precopy.hpp"
#include "vfo/model/units.hpp"
#include "vfo/placement/placer_factory.hpp"
#include "vfo/scenario/generators.hpp"
#include "vfo/sim/background_load.hpp"
#include "vfo/sim/simulation.hpp"
#include "vfo/sim/workload_forecaster.hpp"
#include "vfo/util/input_error.hpp"

namespace vfo {
namespace {

namespace sg4 = simgrid::s4u;

// Bytes of one probe and of one node report (the paper's monitoring message, a = 2 kb).
constexpr double kProbeBytes = 64;
constexpr double kReportBytes = 250;

// Where a VF is in its life, as the simulator (the truth) knows it.
enum class Phase {
  pending,      // its chain has arrived and is not placed yet
  deploying,    // first deployment to `target`
  running,      // processing frames on `node`
  lost,         // its node failed or it never arrived; waits for Algorithm 2
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
  Resources demand;
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
  MigrationRecord record;         // for migrations
  std::vector<sg4::Comm*> comms;  // transfers in progress; each owned by the actor that waits for it
};

ControllerConfig controller_config(const ControlSpec& control) {
  ControllerConfig config;
  config.k = control.k;
  config.live_migration = control.live_migration;
  config.utilisation_cap = control.utilisation_cap;
  config.horizon_s = control.probing_period_s;
  return config;
}

class EdgeSimulation {
 public:
  EdgeSimulation(const Scenario& scenario, const SimulationOptions& options)
      : scenario_(scenario),
        options_(options),
        progress_(options.progress),
        placer_(make_placer(scenario.control.placer)),
        chain_rng_(scenario.seed, "chains"),
        generic_(scenario.environment.kind == "generic"),
        controller_config_(controller_config(scenario.control)),
        forecaster_(make_forecaster()),
        controller_(controller_config_, *placer_, forecaster_.get()) {
    Rng topology_rng(scenario.seed, "topology");
    topology_ = generate_topology(scenario.environment, topology_rng);
    nodes_.resize(topology_.nodes.size());
    const auto& env = scenario.environment;
    if (generic_) {
      std::vector<Resources> capacities;
      for (const Node& node : topology_.nodes) capacities.push_back(node.capacity);
      jobs_config_ = sim::jobs_config(env);
      load_ = std::make_unique<sim::BackgroundLoad>(capacities, derive_seed(scenario.seed, "jobs"), scenario.duration_s,
                                                    jobs_config_);
      for (std::uint32_t i = 0; i < nodes_.size(); ++i) {
        leave_rngs_.emplace_back(scenario.seed, "leave/node/" + std::to_string(i));
        leaves_.push(LeaveEvent{0, i, true, 0});
      }
    } else {
      node_events_ = sim::draw_node_events(env.nodes, env.p_leave, env.p_overload, env.probability_window_s,
                                           scenario.duration_s, derive_seed(scenario.seed, "nodes"));
    }
    for (const auto& e : node_events_) {
      if (e.kind == sim::NodeEvent::Kind::overload) nodes_[e.node.value].overload_times.push_back(e.time_s);
    }
    Rng arrivals(scenario.seed, "arrivals");
    const double rate = scenario.demand.rate_per_hour / units::kSecondsPerHour;
    for (double t = arrivals.exponential(rate); t < scenario.duration_s; t += arrivals.exponential(rate)) {
      if (scenario.demand.max_services > 0 &&
          arrival_times_.size() >= static_cast<std::size_t>(scenario.demand.max_services)) {
        break;
      }
      arrival_times_.push_back(t);
    }
  }

  SimulationResult run() {
    const auto wall_start = std::chrono::steady_clock::now();
    int argc = 3;
    const char* argv[] = {"vfo", "--log=root.thres:critical", "--log=xbt_cfg.thres:critical"};
    sg4::Engine engine(&argc, const_cast<char**>(argv));
    platform_ = sim::build_platform(topology_);
    sg4::Actor::create("orchestrator", platform_.orchestrator, [this] { orchestrator_loop(); });
    if (generic_) {
      environment_mutex_ = sg4::Mutex::create();
      environment_changed_ = sg4::ConditionVariable::create();
      sg4::Actor::create("environment", platform_.orchestrator, [this] { generic_environment_loop(); });
    } else {
      sg4::Actor::create("node-events", platform_.orchestrator, [this] { node_event_loop(); });
    }
    sg4::Actor::create("arrivals", platform_.orchestrator, [this] { arrival_loop(); });
    engine.run_until(scenario_.duration_s);
    finish(scenario_.duration_s);
    result_.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    if (progress_) progress_(1.0);
    return std::move(result_);
  }

 private:
  static double now() { return sg4::Engine::get_clock(); }

  std::unique_ptr<Forecaster> make_forecaster() {
    const PredictorSpec& p = scenario_.control.predictor;
    if (p.kind == "forecast" && !p.model.empty()) {
      if (options_.model == nullptr) throw InputError("control.predictor.model: " + p.model + ": not loaded");
      if (std::abs(options_.model->interval_s - scenario_.control.probing_period_s) > 1e-9) {
        throw InputError(fmt::format(
            "control.predictor.model: {} reads one reading every {} s, but control.probing_period_s is {} s "
            "(expected a model trained with --interval {})",
            p.model, options_.model->interval_s, scenario_.control.probing_period_s,
            scenario_.control.probing_period_s));
      }
      return std::make_unique<ModelForecaster>(options_.model);
    }
    if (p.kind == "forecast") {
      auto model = std::make_shared<ForecastModel>(
          sim::fit_workload_forecaster(p, scenario_.environment, scenario_.control.probing_period_s, scenario_.seed));
      return std::make_unique<ModelForecaster>(std::move(model));
    }
    return std::make_unique<ConfusionPredictor>(
        [this](NodeId n, double from, double to) { return overloads_within(n, from, to); }, p.true_positive_rate,
        p.false_positive_rate, derive_seed(scenario_.seed, "predictor"));
  }

  // ---- the three processes of the environment -------------------------------------------------

  // Algorithm 1: every probing period, probe, assess, and carry out the controller's plan.
  void orchestrator_loop() {
    const double period = scenario_.control.probing_period_s;
    for (int round = 1;; ++round) {
      const double probe_at = round * period;
      if (probe_at >= scenario_.duration_s) return;
      sg4::this_actor::sleep_until(probe_at + scenario_.control.probe_timeout_s);
      result_.control_bytes += static_cast<double>(nodes_.size()) * (kProbeBytes + kReportBytes);
      sync_environment();
      const ClusterSnapshot snapshot = take_snapshot();
      if (options_.record_nodes) record(snapshot);
      const Plan plan = controller_.round(snapshot);
      for (double p : controller_.last_risk()) result_.alarms += p >= scenario_.control.k;
      ++result_.events;
      for (const Action& a : plan.actions) start_operation(a);
      if (progress_) progress_(std::min(1.0, now() / scenario_.duration_s));
    }
  }

  void node_event_loop() {
    for (const auto& e : node_events_) {
      sg4::this_actor::sleep_until(e.time_s);
      ++result_.events;
      NodeState& node = nodes_[e.node.value];
      if (!node.alive) continue;
      if (e.kind == sim::NodeEvent::Kind::leave) {
        fail_node(e.node);
        continue;
      }
      ++result_.overloads;
      if (holds_any_function(e.node)) {
        ++result_.overload_failures;
        fail_node(e.node);
      } else {
        node.overloaded_until = now() + scenario_.environment.overload_duration_s;
      }
    }
  }

  void arrival_loop() {
    for (double t : arrival_times_) {
      sg4::this_actor::sleep_until(t);
      ++result_.events;
      arrive();
    }
  }

  // ---- the generic environment (Results B) -----------------------------------------------------

  // Every node's background jobs and leaves, in time order. Sleeps until the next event; a change that
  // brings one forward (a VF leaving a node starts a waiting job; a deployment schedules a leave probe)
  // wakes it.
  void generic_environment_loop() {
    std::unique_lock lock(*environment_mutex_);
    while (now() < scenario_.duration_s) {
      const double next_leave = leaves_.empty() ? std::numeric_limits<double>::infinity() : leaves_.top().time_s;
      const double next = std::min(load_->next_event_time(), next_leave);
      if (next > now()) {
        environment_changed_->wait_until(lock, std::min(next, scenario_.duration_s));
        continue;
      }
      sync_environment();
    }
  }

  // Brings the background jobs and the leaves up to now. Every caller that reads or changes a node's
  // tenants calls it first. Not re-entered: what it calls back (an overload, a leave) finds the jobs at now.
  void sync_environment() {
    if (!generic_ || syncing_) return;
    syncing_ = true;
    const double t = now();
    for (NodeId n : load_->advance_to(t)) {
      ++result_.events;
      check_overloads(n);
    }
    while (!leaves_.empty() && leaves_.top().time_s <= t) {
      const LeaveEvent e = leaves_.top();
      leaves_.pop();
      NodeState& node = nodes_[e.node];
      if (!node.alive) continue;
      if (e.probe) {
        probe_leave(e.node);
      } else if (e.generation == node.leave_generation) {
        ++result_.events;
        fail_node(NodeId(e.node));
      }
    }
    syncing_ = false;
  }

  // Draws the node's P_leave from N(p_leave, p_leave_stddev) and schedules its leave: a Poisson process of
  // that probability per probability window, memoryless, so the leave is redrawn at each probe.
  void probe_leave(std::uint32_t node) {
    NodeState& n = nodes_[node];
    ++n.leave_generation;
    Rng& rng = leave_rngs_[node];
    const double rate =
        sim::rate_for_probability(sim::draw_p_leave(rng, jobs_config_), scenario_.environment.probability_window_s);
    if (rate <= 0) return;
    const double at = now() + (std::isinf(rate) ? 0.0 : rng.exponential(rate));
    if (at < scenario_.duration_s) leaves_.push(LeaveEvent{at, node, false, n.leave_generation});
  }

  // The paper's "probed 10 s after the deployment of a VF on an edge node (initial or by migration)".
  void schedule_leave_probe(NodeId node) {
    if (!generic_) return;
    leaves_.push(LeaveEvent{now() + scenario_.environment.leave_probe_delay_s, node.value, true, 0});
    environment_changed_->notify_all();
  }

  static NodeId running_node(const FunctionState& f) { return f.resumed ? f.target : f.node; }

  // A job or a VF arrived on `node`: every VF there that now takes longer per frame than its chain's fps
  // allows is overloaded. It stalls: it is down, off the node, and Algorithm 2 re-places it.
  void check_overloads(NodeId node) {
    const sim::NodeWorkload& w = load_->node(node);
    if (w.vfs() == 0) return;
    for (std::uint64_t key : w.vf_keys()) {
      Service& s = *services_[key >> 32];
      const auto index = static_cast<std::uint32_t>(key & 0xffffffffu);
      FunctionState& f = s.functions[index];
      if (!f.up || running_node(f) != node) continue;
      if (!w.overloaded(key, s.chain.functions[index].load_ipf, s.chain.fps)) continue;
      ++result_.overloads;
      ++result_.overload_failures;
      for (auto& [id, op] : operations_) {
        if (op->service == s.record.id && op->action.function.index == index) abort(*op);
      }
      release(s, index);
      f.phase = Phase::lost;
      f.node = node;
      f.resumed = false;
      set_up(s, f, false);
    }
  }

  // Takes room for VF j of `s` on `node` (generic environment); false when it does not fit now (it is
  // never queued). The newcomer may overload the VFs already there.
  bool reserve(Service& s, std::uint32_t j, NodeId node) {
    if (!generic_) return true;
    sync_environment();
    const std::uint64_t key = sim::vf_key(FunctionRef{s.chain.id, j});
    sim::NodeWorkload& w = load_->node(node);
    if (w.hosts_vf(key)) return true;
    if (!nodes_[node.value].alive || !w.admit_vf(key, s.functions[j].demand, now())) return false;
    load_->changed(node);
    check_overloads(node);
    return true;
  }

  // Frees what VF j of `s` holds on `node` (generic environment); waiting jobs may start.
  void release_from(const Service& s, std::uint32_t j, NodeId node) {
    if (!generic_) return;
    sync_environment();
    if (load_->node(node).remove_vf(sim::vf_key(FunctionRef{s.chain.id, j}), now())) {
      load_->changed(node);
      environment_changed_->notify_all();
    }
  }

  // Frees what VF j holds anywhere (its node and its target).
  void release(const Service& s, std::uint32_t j) {
    release_from(s, j, s.functions[j].node);
    release_from(s, j, s.functions[j].target);
  }

  // ---- what the probes see ---------------------------------------------------------------------

  bool overloads_within(NodeId node, double from, double to) const {
    const auto& times = nodes_[node.value].overload_times;
    auto it = std::upper_bound(times.begin(), times.end(), from);
    return it != times.end() && *it <= to;
  }

  ClusterSnapshot take_snapshot() const {
    ClusterSnapshot s;
    s.now = now();
    s.nodes.reserve(nodes_.size());
    for (std::size_t i = 0; i < nodes_.size(); ++i) {
      const NodeId id(static_cast<std::uint32_t>(i));
      const Node& node = topology_.nodes[i];
      NodeReport r{id,
                   nodes_[i].alive,
                   node.capacity,
                   Resources{},
                   node.capacity.cpu_ips,
                   node.uplink.bandwidth_bps,
                   node.uplink.latency_s};
      if (nodes_[i].overloaded_until > s.now) r.used.cpu_ips = r.capacity.cpu_ips;  // reports itself saturated
      if (generic_) r.used = load_->node(id).used();  // jobs and VFs (reserved ones included)
      s.nodes.push_back(r);
    }
    for (const auto& service : services_) {
      if (service->ended) continue;
      for (std::uint32_t j = 0; j < service->functions.size(); ++j) {
        const FunctionState& f = service->functions[j];
        const Function& spec = service->chain.functions[j];
        FunctionReport r{FunctionRef{service->chain.id, j},
                         f.node,
                         FunctionStatus::moving,
                         f.target,
                         f.demand,
                         spec.load_ipf,
                         spec.output_bytes_per_frame,
                         service->chain.fps};
        const Resources counted = generic_ ? Resources{} : f.demand;  // generic: in the node's load already
        switch (f.phase) {
          case Phase::running:
            r.status = FunctionStatus::running;
            s.nodes[f.node.value].used += counted;
            break;
          case Phase::lost:
            r.status = FunctionStatus::lost;
            break;
          case Phase::live_moving:
          case Phase::frozen:
            s.nodes[f.node.value].used += counted;
            s.nodes[f.target.value].used += counted;
            break;
          case Phase::deploying:
          case Phase::cold_moving:
            s.nodes[f.target.value].used += counted;
            break;
          case Phase::pending:
          case Phase::ended:
            continue;
        }
        s.functions.push_back(r);
      }
    }
    return s;
  }

  void record(const ClusterSnapshot& snapshot) {
    for (const NodeReport& r : snapshot.nodes) {
      if (!r.answered) continue;
      const double ram = r.capacity.ram_bytes > 0 ? 100.0 * r.used.ram_bytes / r.capacity.ram_bytes : 0.0;
      result_.node_readings.push_back(
          NodeReading{snapshot.now, r.node.value, 100.0 * r.used.cpu_ips / r.capacity.cpu_ips, ram});
    }
  }

  bool holds_any_function(NodeId node) const {
    for (const auto& service : services_) {
      if (service->ended) continue;
      for (const auto& f : service->functions) {
        const bool on =
            (f.phase == Phase::running || f.phase == Phase::live_moving || f.phase == Phase::frozen) && f.node == node;
        const bool incoming = (f.phase == Phase::deploying || f.phase == Phase::cold_moving ||
                               f.phase == Phase::live_moving || f.phase == Phase::frozen) &&
                              f.target == node;
        if (on || incoming) return true;
      }
    }
    return false;
  }

  // ---- services ----------------------------------------------------------------------------------

  void arrive() {
    auto service = std::make_unique<Service>();
    const auto id = static_cast<std::uint32_t>(services_.size());
    service->chain = generate_chain(ChainId(id), scenario_.chains, chain_rng_, static_cast<int>(nodes_.size()));
    service->record.id = id;
    service->record.arrival_s = now();
    service->record.functions = static_cast<int>(service->chain.functions.size());
    for (const auto& f : service->chain.functions) {
      FunctionState state;
      state.demand = f.demand(service->chain.fps);
      service->functions.push_back(state);
    }
    service->down = static_cast<int>(service->functions.size());
    services_.push_back(std::move(service));
    Service& s = *services_.back();
    sync_environment();
    const ClusterSnapshot snapshot = take_snapshot();
    const auto placement_start = std::chrono::steady_clock::now();
    const Plan plan = controller_.admit(s.chain, snapshot);
    s.record.placement_wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - placement_start).count();
    if (!plan.rejected_because.empty()) {
      s.record.rejected = true;
      s.ended = true;
      for (auto& f : s.functions) f.phase = Phase::ended;
      return;
    }
    for (const Action& a : plan.actions) start_operation(a);
  }

  // A VF starts or stops processing frames; the service's downtime follows.
  void set_up(Service& s, FunctionState& f, bool up) {
    if (f.up == up) return;
    f.up = up;
    s.down += up ? -1 : 1;
    if (!s.whole_once) {
      if (s.down == 0) {
        s.whole_once = true;
        s.record.start_s = now();
        s.record.deploy_s = now() - s.record.arrival_s;
        const double end = now() + scenario_.demand.lifetime_s;
        s.record.end_s = end;
        const std::uint32_t id = s.record.id;
        sg4::Actor::create("service-end", platform_.orchestrator, [this, id, end] {
          sg4::this_actor::sleep_until(end);
          end_service(*services_[id]);
        });
      }
      return;
    }
    if (s.ended) return;
    if (!up && s.down == 1) s.down_since = now();
    if (up && s.down == 0) s.record.downtime_s += now() - s.down_since;
  }

  void end_service(Service& s) {
    if (s.ended) return;
    ++result_.events;
    if (s.down > 0) s.record.downtime_s += now() - s.down_since;
    s.ended = true;
    for (std::uint32_t j = 0; j < s.functions.size(); ++j) {
      release(s, j);
      s.functions[j].phase = Phase::ended;
    }
    for (auto& [id, op] : operations_) {
      if (op->service == s.record.id) abort(*op);
    }
  }

  // Closes the books at the end of the simulation.
  void finish(double end) {
    result_.scenario = scenario_.name;
    result_.seed = scenario_.seed;
    result_.nodes = static_cast<int>(nodes_.size());
    result_.sim_time_s = end;
    double sum_pct = 0;
    int deployed = 0;
    double functions = 0;
    for (auto& service : services_) {
      if (service->whole_once) {
        ++deployed;
        functions += static_cast<double>(service->functions.size());
        result_.deploy_placement_s += service->record.placement_wall_s;
        result_.deploy_transfer_s += service->record.deploy_s;
      }
      Service& s = *service;
      ServiceRecord& r = s.record;
      if (r.rejected) {
        ++result_.rejected_services;
      } else if (s.whole_once) {
        if (!s.ended && s.down > 0) r.downtime_s += end - s.down_since;
        r.end_s = std::min(r.end_s, end);
        const double lifetime = r.end_s - r.start_s;
        r.downtime_pct = lifetime > 0 ? 100.0 * r.downtime_s / lifetime : 0.0;
        if (lifetime > 0) {
          ++result_.services;
          sum_pct += r.downtime_pct;
        }
      }
      result_.service_records.push_back(r);
    }
    result_.downtime_pct = result_.services > 0 ? sum_pct / result_.services : 0.0;
    // The paper's Fig. 9b steps: every node's report reaches the orchestrator over its link, and so do the
    // chain's nodes' reports each probing round (a = 2 kb each); placement and transfer as measured above.
    const Link& link = topology_.orchestrator_link;
    const double round_trip = 2 * (link.latency_s + scenario_.environment.link_latency_ms / 1e3);
    result_.deploy_probe_s = round_trip + static_cast<double>(nodes_.size()) * kReportBytes / link.bandwidth_bps;
    if (deployed > 0) {
      result_.deploy_placement_s /= deployed;
      result_.deploy_transfer_s /= deployed;
      result_.monitoring_s = round_trip + functions / deployed * kReportBytes / link.bandwidth_bps;
    }
    if (load_) result_.lost_jobs = static_cast<int>(load_->lost_jobs());
  }

  // ---- nodes -----------------------------------------------------------------------------------

  void fail_node(NodeId node) {
    ++result_.node_failures;
    nodes_[node.value].alive = false;
    for (auto& service : services_) {
      if (service->ended) continue;
      for (std::uint32_t j = 0; j < service->functions.size(); ++j) {
        FunctionState& f = service->functions[j];
        const bool on_node = f.phase == Phase::running || f.phase == Phase::live_moving || f.phase == Phase::frozen;
        const bool runs_here = on_node && running_node(f) == node;
        // Post-copy: the VF runs on the target, but the pages not yet pulled are lost with the source.
        const bool pages_here = f.phase == Phase::live_moving && f.resumed && f.node == node;
        const bool arriving = f.target == node;
        if (runs_here || pages_here) {
          release(*service, j);
          f.phase = Phase::lost;
          f.node = node;
          f.resumed = false;
          set_up(*service, f, false);
        } else if (arriving && (f.phase == Phase::deploying || f.phase == Phase::cold_moving)) {
          f.phase = Phase::lost;
          f.node = node;
        } else if (arriving && (f.phase == Phase::live_moving || f.phase == Phase::frozen)) {
          f.phase = Phase::running;  // the source still runs it (or resumes it): the migration is off
          set_up(*service, f, true);
        }
      }
    }
    if (generic_) {
      load_->set_down(node, now());
      ++nodes_[node.value].leave_generation;
    }
    for (auto& [id, op] : operations_) {
      if (op->action.to == node || (op->action.kind == Action::Kind::live_migrate && op->action.from == node)) {
        abort(*op);
      }
    }
    const double back = now() + scenario_.environment.node_recovery_s;
    sg4::Actor::create("node-recovery", platform_.orchestrator, [this, node, back] {
      sg4::this_actor::sleep_until(back);
      nodes_[node.value].alive = true;
      nodes_[node.value].overloaded_until = -1;
      ++result_.events;
      if (generic_) {
        sync_environment();
        load_->set_up(node, now());
        leaves_.push(LeaveEvent{now(), node.value, true, 0});
        environment_changed_->notify_all();
      }
    });
  }

  // ---- carrying out actions --------------------------------------------------------------------

  void abort(Operation& op) {
    if (op.aborted) return;
    op.aborted = true;
    for (sg4::Comm* comm : op.comms) comm->cancel();
  }

  void start_operation(const Action& action) {
    Service& s = *services_[action.function.chain.value];
    FunctionState& f = s.functions[action.function.index];
    f.target = action.to;
    if (!reserve(s, action.function.index, action.to)) {
      // Generic environment: the node filled up with jobs since the probe. A VF is never queued: a
      // deployment's VF waits for Algorithm 2 at the next round; a live migration is off.
      if (action.kind == Action::Kind::deploy) {
        f.phase = Phase::lost;
        f.node = action.to;
      }
      return;
    }
    switch (action.kind) {
      case Action::Kind::deploy:
        f.phase = Phase::deploying;
        break;
      case Action::Kind::cold_migrate:
        f.phase = Phase::cold_moving;
        break;
      case Action::Kind::live_migrate:
        f.phase = Phase::live_moving;
        break;
    }
    const int id = next_operation_id_++;
    auto op = std::make_unique<Operation>();
    op->action = action;
    op->service = s.record.id;
    op->record.live = action.kind == Action::Kind::live_migrate;
    op->record.protocol = op->record.live ? scenario_.migration.protocol : "cold";
    op->record.service = s.record.id;
    op->record.function = action.function.index;
    op->record.from = (op->record.live ? action.from : f.node).value;
    op->record.to = action.to.value;
    op->record.start_s = now();
    Operation* raw = op.get();
    operations_.emplace(id, std::move(op));
    sg4::Actor::create("op", platform_.orchestrator, [this, id, raw] {
      run_operation(*raw);
      operations_.erase(id);
    });
  }

  // Sends `bytes` from one host to another as a SimGrid flow; false if the operation was aborted.
  bool transfer(Operation& op, sg4::Host* from, sg4::Host* to, double bytes, double& counter) {
    if (op.aborted) return false;
    if (bytes < 1) return true;
    const sg4::CommPtr comm = sg4::Comm::sendto_async(from, to, static_cast<std::uint64_t>(bytes));
    op.comms.push_back(comm.get());
    ++result_.events;
    const auto forget = [&] { op.comms.erase(std::find(op.comms.begin(), op.comms.end(), comm.get())); };
    try {
      comm->wait();
    } catch (const simgrid::Exception&) {
      counter += bytes - comm->get_remaining();
      forget();
      return false;
    }
    forget();
    counter += bytes;
    return !op.aborted;
  }

  bool pause(Operation& op, double seconds) {
    if (op.aborted) return false;
    sg4::this_actor::sleep_for(seconds);
    return !op.aborted;
  }

  // Time for the orchestrator to tell the previous and next VF of the new address: one round trip.
  double rewire_s(NodeId to) const {
    return 2.0 * (topology_.orchestrator_link.latency_s + topology_.nodes[to.value].uplink.latency_s);
  }

  // The node's semaphore of state copies. Never destroyed: when the run ends, actors may still wait on it,
  // and SimGrid refuses to destroy a semaphore in use (one per node, freed with the process).
  sg4::Semaphore* migration_slot(NodeId node) {
    sg4::Semaphore*& slot = migration_slots_[node];
    if (slot == nullptr) {
      slot = sg4::Semaphore::create(static_cast<unsigned>(scenario_.migration.max_concurrent_per_node)).detach();
    }
    return slot;
  }

  void run_operation(Operation& op) {
    const Action& a = op.action;
    Service& s = *services_[op.service];
    FunctionState& f = s.functions[a.function.index];
    const Function& spec = s.chain.functions[a.function.index];
    const auto& m = scenario_.migration;
    sg4::Host* target = platform_.nodes[a.to.value];
    MigrationRecord& record = op.record;
    double bytes = 0;
    const auto close = [&](bool ok) {
      if (a.kind == Action::Kind::deploy) {
        result_.deploy_bytes += bytes;
        return;
      }
      s.record.migration_bytes += bytes;
      result_.migration_bytes += bytes;
      record.bytes = bytes;
      record.total_s = now() - record.start_s;
      record.aborted = !ok;
      if (!ok) ++result_.aborted_migrations;
      result_.migration_records.push_back(record);
    };
    // The VF runs on the target from now on: it may be slowed there, and the target's leave is probed.
    const auto arrived = [&] {
      f.phase = Phase::running;
      f.node = a.to;
      f.resumed = false;
      set_up(s, f, true);
      schedule_leave_probe(a.to);
      if (generic_) check_overloads(a.to);
    };

    if (a.kind != Action::Kind::live_migrate) {
      // Deploy and cold migration (Algorithm 2): place, send the image from the orchestrator, start, rewire.
      const bool ok = pause(op, scenario_.control.placement_s) &&
                      transfer(op, platform_.orchestrator, target, spec.image_bytes, bytes) &&
                      pause(op, m.start_s + rewire_s(a.to));
      record.prepare_s = record.downtime_s = now() - record.start_s;
      close(ok);
      if (!ok) return;
      if (a.kind == Action::Kind::cold_migrate) {
        ++result_.cold_migrations;
        ++s.record.cold_migrations;
      }
      arrived();
      return;
    }

    // Live migration (Algorithm 3): the target pulls the VF's image from the registry (the orchestrator)
    // and starts it; then the state moves by the scenario's protocol. Only the state crosses the source's
    // link.
    sg4::Host* source = platform_.nodes[a.from.value];
    bool ok = pause(op, scenario_.control.placement_s) &&
              transfer(op, platform_.orchestrator, target, spec.image_bytes, bytes) && pause(op, m.start_s);
    // At most `max_concurrent_per_node` states leave one node at a time (as OpenStack's
    // max_concurrent_live_migrations): concurrent pre-copies would split the uplink until none converges.
    sg4::Semaphore* slot = migration_slot(a.from);
    const bool holding_slot = ok;
    if (holding_slot) slot->acquire();
    ok = ok && !op.aborted;
    record.prepare_s = now() - record.start_s;
    ok = ok && move_state(op, s, f, spec, source, target, bytes);
    if (holding_slot) slot->release();
    close(ok);
    if (!ok) return;
    release_from(s, a.function.index, a.from);
    ++result_.live_migrations;
    ++s.record.live_migrations;
    arrived();
  }

  // Stops the VF (it counts as down until resumed).
  void freeze(Service& s, FunctionState& f, double& frozen_at) {
    f.phase = Phase::frozen;
    set_up(s, f, false);
    frozen_at = now();
  }

  // The state copy of a live migration by the scenario's protocol, as SimGrid flows between source and
  // target; fills the record's copy and downtime. Returns false when the operation was aborted (the
  // failure handler has settled the VF). On success the VF runs on the target.
  bool move_state(Operation& op, Service& s, FunctionState& f, const Function& spec, sg4::Host* source,
                  sg4::Host* target, double& bytes) {
    const auto& m = scenario_.migration;
    MigrationRecord& record = op.record;
    const double copy_start = now();
    const double switch_s = m.switch_s + rewire_s(op.action.to);
    double frozen_at = 0;
    bool ok = true;
    if (protocol_ == MigrationProtocol::precopy || protocol_ == MigrationProtocol::stop_and_copy) {
      // Pre-copy: rounds while the VF runs, until the dirty rest is small or the cap is hit; stop-and-copy
      // has no round.
      PrecopyMigration precopy(spec.state_bytes, spec.dirty_rate_bps,
                               PrecopyConfig{m.max_rounds, units::megabytes(m.stop_mb)});
      double freeze_bytes = spec.state_bytes;
      if (protocol_ == MigrationProtocol::precopy) {
        while (ok) {
          const double t0 = now();
          ok = transfer(op, source, target, precopy.next_round_bytes(), bytes);
          if (ok && precopy.finish_round(now() - t0)) break;
        }
        record.rounds = precopy.rounds();
        freeze_bytes = precopy.freeze_bytes();
      }
      record.copy_s = now() - copy_start;
      if (!ok) return false;
      freeze(s, f, frozen_at);
      ok = transfer(op, source, target, freeze_bytes, bytes) && pause(op, switch_s);
      record.downtime_s = now() - frozen_at;
      return ok;
    }

    // Post-copy: freeze only the CPU context, resume on the target, then the pages come over: faulted
    // ones while the VF stalls (one round trip each, besides their bytes), the rest pushed or pulled while
    // it runs. The phases are migration_on_link's over this pair's nominal link; their bytes go as flows.
    const Link& from = topology_.nodes[op.action.from.value].uplink;
    const Link& to = topology_.nodes[op.action.to.value].uplink;
    const double bandwidth = std::min(from.bandwidth_bps, to.bandwidth_bps);
    MigrationInputs inputs;
    inputs.state_bytes = spec.state_bytes;
    inputs.dirty_rate_bps = spec.dirty_rate_bps;
    inputs.page_bytes = m.page_kb * 1024;
    inputs.working_set_fraction = m.working_set_fraction;
    inputs.prepaging_fraction = m.prepaging_fraction;
    inputs.switch_s = switch_s;
    const MigrationTimeline plan = migration_on_link(protocol_, inputs, bandwidth, 2 * (from.latency_s + to.latency_s));
    record.faults = plan.faults;
    freeze(s, f, frozen_at);
    ok = transfer(op, source, target, kPostcopyContextBytes, bytes) && pause(op, switch_s);
    if (!ok) return false;
    record.downtime_s = now() - frozen_at;
    f.phase = Phase::live_moving;
    f.resumed = true;  // running on the target; the source still holds pages
    set_up(s, f, true);
    for (const MigrationPhase& phase : plan.phases) {
      if (phase.kind == MigrationPhase::Kind::push) {
        ok = transfer(op, source, target, phase.bytes, bytes);
      } else if (phase.kind == MigrationPhase::Kind::fault_service) {
        // The VF waits on its faults (it counts as down); the time beyond the pages' bytes is their round
        // trips, with the link idle.
        const double stall_start = now();
        set_up(s, f, false);
        ok = transfer(op, source, target, phase.bytes, bytes) &&
             pause(op, std::max(0.0, phase.duration_s - phase.bytes / bandwidth));
        if (ok) set_up(s, f, true);
        record.stall_s += now() - stall_start;
      }
      if (!ok) return false;
    }
    record.copy_s = now() - copy_start - record.downtime_s - record.stall_s;
    return true;
  }

  const Scenario& scenario_;
  const SimulationOptions& options_;
  ProgressFn progress_;
  std::unique_ptr<Placer> placer_;  // never null: the loader accepts known names only
  Rng chain_rng_;
  Topology topology_;
  std::vector<NodeState> nodes_;
  std::vector<sim::NodeEvent> node_events_;
  std::vector<double> arrival_times_;
  bool generic_;
  MigrationProtocol protocol_ = parse_protocol(scenario_.migration.protocol);
  ControllerConfig controller_config_;
  std::unique_ptr<Forecaster> forecaster_;  // never null
  Controller controller_;
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
  std::map<int, std::unique_ptr<Operation>> operations_;
  std::map<NodeId, sg4::Semaphore*> migration_slots_;
  int next_operation_id_ = 0;
  SimulationResult result_;
};

}  // namespace

SimulationResult run_simulation(const Scenario& scenario, const SimulationOptions& options) {
  EdgeSimulation simulation(scenario, options);
  return simulation.run();
}

}  // namespace vfo
