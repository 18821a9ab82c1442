// EdgeSimulation (edge_simulation.hpp): construction, the run, the processes of the environment, what the
// probes see, services and nodes.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <string>
#include <utility>

#include "edge_simulation.hpp"
#include "vfo/scenario/generators.hpp"
#include "vfo/sim/scenario_forecaster.hpp"
#include "vfo/sim/workload_forecaster.hpp"
#include "vfo/util/input_error.hpp"

namespace vfo::sim {

namespace {

// control.kubernetes_profile (default, v1.32 or tuned, as the loader accepts) with the tuned toleration.
KubernetesFailureProfile kubernetes_profile(const ControlSpec& control) {
  if (control.kubernetes_profile == "v1.32") return KubernetesFailureProfile::v1_32_profile();
  if (control.kubernetes_profile != "tuned") return KubernetesFailureProfile::default_profile();
  return KubernetesFailureProfile::tuned_profile(control.kubernetes_toleration_s);  // in [0, 10]: the loader checks
}

}  // namespace

EdgeSimulation::EdgeSimulation(const Scenario& scenario, const SimulationOptions& options)
    : scenario_(scenario),
      options_(options),
      progress_(options.progress),
      chain_rng_(scenario.seed, "chains"),
      generic_(scenario.environment.kind == "generic"),
      recovery_(scenario.control.recovery),
      kubernetes_profile_(kubernetes_profile(scenario.control)),
      brain_(scenario.control, scenario_forecaster(scenario, options, [this](NodeId n, double from, double to) {
               return overloads_within(n, from, to);
             })) {
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

SimulationResult EdgeSimulation::run() {
  const auto wall_start = std::chrono::steady_clock::now();
  if (progress_) progress_(0.0);  // at once: building a large platform takes a while before the first round
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

void EdgeSimulation::record_alarm_outcomes(const ClusterSnapshot& snapshot) {
  std::vector<bool> overloaded(snapshot.nodes.size());
  for (std::size_t i = 0; i < snapshot.nodes.size(); ++i) {
    overloaded[i] = snapshot.nodes[i].answered &&
                    cpu_utilisation_pct(snapshot.nodes[i]) > scenario_.control.predictor.cpu_threshold_pct;
  }
  alarm_outcomes_.round(brain_.controller().last_risk(), overloaded, scenario_.control.k);
  result_.confirmed_alarms = static_cast<int>(alarm_outcomes_.confirmed());
  result_.unconfirmed_alarms = static_cast<int>(alarm_outcomes_.unconfirmed());
}

void EdgeSimulation::orchestrator_loop() {
  const double period = scenario_.control.probing_period_s;
  for (int round = 1;; ++round) {
    const double probe_at = round * period;
    if (probe_at >= scenario_.duration_s) return;
    sg4::this_actor::sleep_until(probe_at + scenario_.control.probe_timeout_s);
    result_.control_bytes += static_cast<double>(nodes_.size()) * (kProbeBytes + kReportBytes);
    sync_environment();
    const ClusterSnapshot snapshot = take_snapshot();
    if (options_.record_nodes) record(snapshot);
    const Plan plan = brain_.controller().round(snapshot);
    for (double p : brain_.controller().last_risk()) result_.alarms += p >= scenario_.control.k;
    if (!brain_.controller().last_risk().empty()) record_alarm_outcomes(snapshot);
    ++result_.events;
    for (const Action& a : plan.actions) start_operation(a);
    admit_waiting();
    if (progress_) progress_(std::min(1.0, now() / scenario_.duration_s));
  }
}

void EdgeSimulation::node_event_loop() {
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

void EdgeSimulation::arrival_loop() {
  for (double t : arrival_times_) {
    sg4::this_actor::sleep_until(t);
    ++result_.events;
    arrive();
  }
}

bool EdgeSimulation::overloads_within(NodeId node, double from, double to) const {
  const auto& times = nodes_[node.value].overload_times;
  auto it = std::upper_bound(times.begin(), times.end(), from);
  return it != times.end() && *it <= to;
}

ClusterSnapshot EdgeSimulation::take_snapshot() const {
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
          if (s.now < f.reported_lost_from) {  // recovery kubernetes: not evicted yet
            r.status = FunctionStatus::running;
            s.nodes[f.node.value].used += counted;
          } else {
            r.status = FunctionStatus::lost;
          }
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

void EdgeSimulation::record(const ClusterSnapshot& snapshot) {
  for (const NodeReport& r : snapshot.nodes) {
    if (!r.answered) continue;
    const double ram = r.capacity.ram_bytes > 0 ? 100.0 * r.used.ram_bytes / r.capacity.ram_bytes : 0.0;
    result_.node_readings.push_back(
        NodeReading{snapshot.now, r.node.value, 100.0 * r.used.cpu_ips / r.capacity.cpu_ips, ram});
  }
}

bool EdgeSimulation::holds_any_function(NodeId node) const {
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

void EdgeSimulation::arrive() {
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
  admit_waiting();  // the chains that came first have the first claim on the room
  if (try_admit(*services_[id])) return;
  if (scenario_.demand.patience_s > 0) {
    waiting_.push_back(id);
  } else {
    give_up(*services_[id]);
  }
}

bool EdgeSimulation::try_admit(Service& s) {
  sync_environment();
  const ClusterSnapshot snapshot = take_snapshot();
  const auto placement_start = std::chrono::steady_clock::now();
  const Plan plan = brain_.controller().admit(s.chain, snapshot);
  s.record.placement_wall_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - placement_start).count();
  if (!plan.rejected_because.empty()) return false;
  s.record.wait_s = now() - s.record.arrival_s;
  for (const Action& a : plan.actions) start_operation(a);
  return true;
}

void EdgeSimulation::admit_waiting() {
  if (admitting_ || waiting_.empty()) return;
  admitting_ = true;
  // Taken out first: admitting may yield, and an arrival meanwhile joins waiting_ behind these.
  const std::deque<std::uint32_t> queue = std::exchange(waiting_, {});
  std::deque<std::uint32_t> still;
  for (std::uint32_t id : queue) {
    Service& s = *services_[id];
    if (now() - s.record.arrival_s >= scenario_.demand.patience_s) {
      give_up(s);
    } else if (!try_admit(s)) {
      still.push_back(id);
    }
  }
  waiting_.insert(waiting_.begin(), still.begin(), still.end());
  admitting_ = false;
}

void EdgeSimulation::give_up(Service& s) {
  ++result_.events;
  s.record.given_up = true;
  s.record.wait_s = scenario_.demand.patience_s;
  s.ended = true;
  for (auto& f : s.functions) f.phase = Phase::ended;
}

void EdgeSimulation::set_up(Service& s, FunctionState& f, bool up) {
  if (f.up == up) return;
  f.up = up;
  f.ever_up = f.ever_up || up;
  s.down += up ? -1 : 1;
  if (!s.whole_once) {
    if (s.down == 0) {
      s.whole_once = true;
      s.record.start_s = now();
      s.record.deploy_s = now() - s.record.arrival_s - s.record.wait_s;  // from its placement
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

void EdgeSimulation::end_service(Service& s) {
  if (s.ended) return;
  ++result_.events;
  if (s.down > 0) s.record.downtime_s += now() - s.down_since;
  s.ended = true;
  const std::uint32_t id = s.record.id;
  abort_operations([id](const Operation& op) { return op.service == id; });
  for (std::uint32_t j = 0; j < s.functions.size(); ++j) {
    s.functions[j].phase = Phase::ended;
    release(s, j);
  }
}

void EdgeSimulation::finish(double end) {
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
    const bool waiting = std::find(waiting_.begin(), waiting_.end(), r.id) != waiting_.end();
    if (r.given_up) {
      ++result_.given_up_services;
      r.downtime_s = r.wait_s;
      r.downtime_pct = 100;
      sum_pct += r.downtime_pct;
    } else if (waiting) {
      ++result_.waiting_services;
      r.wait_s = end - r.arrival_s;
      r.downtime_s = r.wait_s;
    } else {
      ++result_.admitted_services;
      if (r.wait_s > 0) ++result_.waited_services;
    }
    if (s.whole_once) {
      if (!s.ended && s.down > 0) r.downtime_s += end - s.down_since;
      r.downtime_s += r.wait_s;
      r.end_s = std::min(r.end_s, end);
      const double span = r.wait_s + r.end_s - r.start_s;
      r.downtime_pct = span > 0 ? 100.0 * r.downtime_s / span : 0.0;
      if (r.end_s > r.start_s) {
        ++result_.services;
        sum_pct += r.downtime_pct;
      }
    }
    result_.service_records.push_back(r);
  }
  const int counted = result_.services + result_.given_up_services;
  result_.downtime_pct = counted > 0 ? sum_pct / counted : 0.0;
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

void EdgeSimulation::fail_node(NodeId node) {
  ++result_.node_failures;
  nodes_[node.value].alive = false;
  if (generic_) {
    load_->set_down(node, now());  // first: releasing its VFs must not start jobs on it
    ++nodes_[node.value].leave_generation;
  }
  // Operations first (no VF state changes before they are all marked): what follows may yield.
  abort_operations([node](const Operation& op) {
    return op.action.to == node || (op.action.kind == Action::Kind::live_migrate && op.action.from == node);
  });
  // Until when the probes go on reporting the node's VFs as running on it.
  const double reported_lost_from =
      recovery_ == Recovery::kubernetes ? kubernetes_recovery(kubernetes_profile_, now(), 0).evicted_s : now();
  std::vector<std::uint32_t> broken;                    // the services that lost a VF here, in order
  for (std::size_t i = 0; i < services_.size(); ++i) {  // by index: an arrival may grow services_ meanwhile
    Service* service = services_[i].get();
    if (service->ended) continue;
    bool lost_here = false;
    for (std::uint32_t j = 0; j < service->functions.size(); ++j) {
      FunctionState& f = service->functions[j];
      const bool on_node = f.phase == Phase::running || f.phase == Phase::live_moving || f.phase == Phase::frozen;
      const bool runs_here = on_node && running_node(f) == node;
      // Post-copy: the VF runs on the target, but the pages not yet pulled are lost with the source.
      const bool pages_here = f.phase == Phase::live_moving && f.resumed && f.node == node;
      const bool arriving = f.target == node;
      if (runs_here || pages_here) {
        const NodeId held_on = f.node, held_to = f.target;  // a live migration holds room on both
        f.phase = Phase::lost;
        f.node = node;
        f.resumed = false;
        f.reported_lost_from = reported_lost_from;
        set_up(*service, f, false);
        release_from(*service, j, held_on);
        release_from(*service, j, held_to);
        lost_here = true;
      } else if (arriving && (f.phase == Phase::deploying || f.phase == Phase::cold_moving)) {
        f.phase = Phase::lost;
        f.node = node;
        f.reported_lost_from = reported_lost_from;
        lost_here = true;
      } else if (arriving && (f.phase == Phase::live_moving || f.phase == Phase::frozen)) {
        f.phase = Phase::running;  // the source still runs it (or resumes it): the migration is off
        set_up(*service, f, true);
      }
    }
    if (lost_here) broken.push_back(service->record.id);
  }
  for (std::uint32_t id : broken) reset_chain(*services_[id]);
  const double back = now() + scenario_.environment.node_recovery_s;
  sg4::Actor::create("node-recovery", platform_.orchestrator, [this, node, back] {
    sg4::this_actor::sleep_until(back);
    nodes_[node.value].alive = true;
    nodes_[node.value].overloaded_until = -1;
    ++result_.events;
    // Recovery kubernetes: the node is back, empty, before its VFs were evicted: they are reported lost now.
    for (const auto& service : services_) {
      for (FunctionState& f : service->functions) {
        if (f.phase == Phase::lost && f.node == node) f.reported_lost_from = std::min(f.reported_lost_from, now());
      }
    }
    if (generic_) {
      sync_environment();
      load_->set_up(node, now());
      leaves_.push(LeaveEvent{now(), node.value, true, 0});
      environment_changed_->notify_all();
    }
  });
}

void EdgeSimulation::reset_chain(Service& s) {
  if (recovery_ != Recovery::reset || s.ended) return;
  const std::uint32_t id = s.record.id;
  abort_operations([id](const Operation& op) { return op.service == id; });
  if (s.ended) return;  // it ended while the transfers were cancelled
  for (std::uint32_t j = 0; j < s.functions.size(); ++j) {
    FunctionState& f = s.functions[j];
    switch (f.phase) {
      case Phase::running:
      case Phase::live_moving:
      case Phase::frozen: {
        const NodeId held_on = f.node, held_to = f.target;  // a live migration holds room on both
        const bool migrating = f.phase != Phase::running;
        f.node = running_node(f);
        f.phase = Phase::lost;
        f.resumed = false;
        f.reported_lost_from = now();
        set_up(s, f, false);
        release_from(s, j, held_on);
        if (migrating) release_from(s, j, held_to);
        break;
      }
      case Phase::deploying:
      case Phase::cold_moving:
        f.phase = Phase::lost;
        f.node = f.target;
        f.reported_lost_from = now();
        release_from(s, j, f.target);
        break;
      case Phase::pending:
      case Phase::lost:
      case Phase::ended:
        break;
    }
  }
}

}  // namespace vfo::sim

vfo::SimulationResult vfo::run_simulation(const Scenario& scenario, const SimulationOptions& options) {
  sim::EdgeSimulation simulation(scenario, options);
  return simulation.run();
}
