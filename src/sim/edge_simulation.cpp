// The SimGrid backend (design.md §1): turns the controller's plans into simulated transfers and
// reports what the probes would see. Images and states cross the simulated network as SimGrid flows,
// so concurrent migrations share bandwidth; probes and reports are accounted analytically.
#include <simgrid/s4u.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>

#include "fault_timeline.hpp"
#include "platform.hpp"
#include "vfo/control/controller.hpp"
#include "vfo/forecast/confusion_predictor.hpp"
#include "vfo/migration/precopy.hpp"
#include "vfo/model/units.hpp"
#include "vfo/placement/placer_factory.hpp"
#include "vfo/scenario/generators.hpp"
#include "vfo/sim/simulation.hpp"

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
  bool up = false;  // processing frames
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
};

// An action in flight. `aborted` is set when one of its nodes fails (or its service ends); the actor
// running it then stops at its next step without touching the VF, whose state the failure handler
// has already settled.
struct Operation {
  Action action;
  std::uint32_t service = 0;
  bool aborted = false;
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
  EdgeSimulation(const Scenario& scenario, ProgressFn progress)
      : scenario_(scenario),
        progress_(std::move(progress)),
        placer_(make_placer(scenario.control.placer)),
        chain_rng_(scenario.seed, "chains"),
        controller_config_(controller_config(scenario.control)),
        predictor_([this](NodeId n, double from, double to) { return overloads_within(n, from, to); },
                   scenario.control.predictor.true_positive_rate, scenario.control.predictor.false_positive_rate,
                   derive_seed(scenario.seed, "predictor")),
        controller_(controller_config_, *placer_, &predictor_) {
    Rng topology_rng(scenario.seed, "topology");
    topology_ = generate_topology(scenario.environment, topology_rng);
    nodes_.resize(topology_.nodes.size());
    const auto& env = scenario.environment;
    node_events_ = sim::draw_node_events(env.nodes, env.p_leave, env.p_overload, env.probability_window_s,
                                         scenario.duration_s, derive_seed(scenario.seed, "nodes"));
    for (const auto& e : node_events_) {
      if (e.kind == sim::NodeEvent::Kind::overload) nodes_[e.node.value].overload_times.push_back(e.time_s);
    }
    Rng arrivals(scenario.seed, "arrivals");
    const double rate = scenario.demand.rate_per_hour / units::kSecondsPerHour;
    for (double t = arrivals.exponential(rate); t < scenario.duration_s; t += arrivals.exponential(rate)) {
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
    sg4::Actor::create("node-events", platform_.orchestrator, [this] { node_event_loop(); });
    sg4::Actor::create("arrivals", platform_.orchestrator, [this] { arrival_loop(); });
    engine.run_until(scenario_.duration_s);
    finish(scenario_.duration_s);
    result_.wall_time_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - wall_start).count();
    if (progress_) progress_(1.0);
    return std::move(result_);
  }

 private:
  static double now() { return sg4::Engine::get_clock(); }

  // ---- the three processes of the environment -------------------------------------------------

  // Algorithm 1: every probing period, probe, assess, and carry out the controller's plan.
  void orchestrator_loop() {
    const double period = scenario_.control.probing_period_s;
    for (int round = 1;; ++round) {
      const double probe_at = round * period;
      if (probe_at >= scenario_.duration_s) return;
      sg4::this_actor::sleep_until(probe_at + scenario_.control.probe_timeout_s);
      result_.control_bytes += static_cast<double>(nodes_.size()) * (kProbeBytes + kReportBytes);
      const ClusterSnapshot snapshot = take_snapshot();
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
        switch (f.phase) {
          case Phase::running:
            r.status = FunctionStatus::running;
            s.nodes[f.node.value].used += f.demand;
            break;
          case Phase::lost:
            r.status = FunctionStatus::lost;
            break;
          case Phase::live_moving:
          case Phase::frozen:
            s.nodes[f.node.value].used += f.demand;
            s.nodes[f.target.value].used += f.demand;
            break;
          case Phase::deploying:
          case Phase::cold_moving:
            s.nodes[f.target.value].used += f.demand;
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
    service->chain = generate_chain(ChainId(id), scenario_.chains, chain_rng_);
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
    const Plan plan = controller_.admit(s.chain, take_snapshot());
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
    for (auto& f : s.functions) f.phase = Phase::ended;
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
    for (auto& service : services_) {
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
  }

  // ---- nodes -----------------------------------------------------------------------------------

  void fail_node(NodeId node) {
    ++result_.node_failures;
    nodes_[node.value].alive = false;
    for (auto& service : services_) {
      if (service->ended) continue;
      for (auto& f : service->functions) {
        const bool on =
            f.node == node && (f.phase == Phase::running || f.phase == Phase::live_moving || f.phase == Phase::frozen);
        const bool arriving = f.target == node;
        if (on) {
          f.phase = Phase::lost;
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

  const sg4::SemaphorePtr& migration_slot(NodeId node) {
    auto& slot = migration_slots_[node];
    if (!slot) slot = sg4::Semaphore::create(static_cast<unsigned>(scenario_.migration.max_concurrent_per_node));
    return slot;
  }

  void run_operation(Operation& op) {
    const Action& a = op.action;
    Service& s = *services_[op.service];
    FunctionState& f = s.functions[a.function.index];
    const Function& spec = s.chain.functions[a.function.index];
    const auto& m = scenario_.migration;
    sg4::Host* target = platform_.nodes[a.to.value];
    double bytes = 0;
    const auto account = [&] {
      s.record.migration_bytes += bytes;
      result_.migration_bytes += bytes;
    };

    if (a.kind != Action::Kind::live_migrate) {
      // Deploy and cold migration (Algorithm 2): place, send the image from the orchestrator, start, rewire.
      const bool ok = pause(op, scenario_.control.placement_s) &&
                      transfer(op, platform_.orchestrator, target, spec.image_bytes, bytes) &&
                      pause(op, m.start_s + rewire_s(a.to));
      if (a.kind == Action::Kind::deploy) {
        result_.deploy_bytes += bytes;
      } else {
        account();
      }
      if (!ok) {
        if (a.kind == Action::Kind::cold_migrate) ++result_.aborted_migrations;
        return;
      }
      f.phase = Phase::running;
      f.node = a.to;
      if (a.kind == Action::Kind::cold_migrate) {
        ++result_.cold_migrations;
        ++s.record.cold_migrations;
      }
      set_up(s, f, true);
      return;
    }

    // Live migration (Algorithm 3): the target pulls the VF's image from the registry (the orchestrator)
    // and starts it; then the source copies the state in pre-copy rounds while the VF still runs;
    // then freeze, last round, switch, rewire. Only the state crosses the source's link.
    sg4::Host* source = platform_.nodes[a.from.value];
    PrecopyMigration precopy(spec.state_bytes, spec.dirty_rate_bps,
                             PrecopyConfig{m.max_rounds, units::megabytes(m.stop_mb)});
    bool ok = pause(op, scenario_.control.placement_s) &&
              transfer(op, platform_.orchestrator, target, spec.image_bytes, bytes) && pause(op, m.start_s);
    // At most `max_concurrent_per_node` states leave one node at a time (as OpenStack's
    // max_concurrent_live_migrations): concurrent pre-copies would split the uplink until none converges.
    const sg4::SemaphorePtr& slot = migration_slot(a.from);
    const bool holding_slot = ok;
    if (holding_slot) slot->acquire();
    while (ok) {
      const double t0 = now();
      ok = transfer(op, source, target, precopy.next_round_bytes(), bytes);
      if (ok && precopy.finish_round(now() - t0)) break;
    }
    if (ok) {
      f.phase = Phase::frozen;
      set_up(s, f, false);
      ok = transfer(op, source, target, precopy.freeze_bytes(), bytes) && pause(op, m.switch_s + rewire_s(a.to));
    }
    if (holding_slot) slot->release();
    account();
    if (!ok) {
      ++result_.aborted_migrations;
      return;
    }
    f.phase = Phase::running;
    f.node = a.to;
    ++result_.live_migrations;
    ++s.record.live_migrations;
    set_up(s, f, true);
  }

  const Scenario& scenario_;
  ProgressFn progress_;
  std::unique_ptr<Placer> placer_;  // never null: the loader accepts known names only
  Rng chain_rng_;
  Topology topology_;
  std::vector<NodeState> nodes_;
  std::vector<sim::NodeEvent> node_events_;
  std::vector<double> arrival_times_;
  ControllerConfig controller_config_;
  ConfusionPredictor predictor_;
  Controller controller_;
  sim::Platform platform_;
  std::vector<std::unique_ptr<Service>> services_;
  std::map<int, std::unique_ptr<Operation>> operations_;
  std::map<NodeId, sg4::SemaphorePtr> migration_slots_;
  int next_operation_id_ = 0;
  SimulationResult result_;
};

}  // namespace

SimulationResult run_simulation(const Scenario& scenario, const ProgressFn& progress) {
  EdgeSimulation simulation(scenario, progress);
  return simulation.run();
}

}  // namespace vfo
