// EdgeSimulation (edge_simulation.hpp), the generic environment (Results B): every node's background jobs
// and leaves in time order, VF overloads, and the room VFs take on their nodes.
#include <algorithm>
#include <cmath>
#include <limits>

#include "edge_simulation.hpp"
#include "vfo/sim/workload_generator.hpp"

namespace vfo::sim {

void EdgeSimulation::generic_environment_loop() {
  std::unique_lock lock(*environment_mutex_);
  while (now() < scenario_.duration_s) {
    if (syncing_) {  // another actor is inside sync_environment and yielded: let it finish
      sg4::this_actor::yield();
      continue;
    }
    const double next_leave = leaves_.empty() ? std::numeric_limits<double>::infinity() : leaves_.top().time_s;
    const double next = std::min(load_->next_event_time(), next_leave);
    if (next > now()) {
      environment_changed_->wait_until(lock, std::min(next, scenario_.duration_s));
      continue;
    }
    sync_environment();
  }
}

void EdgeSimulation::sync_environment() {
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

void EdgeSimulation::probe_leave(std::uint32_t node) {
  NodeState& n = nodes_[node];
  ++n.leave_generation;
  Rng& rng = leave_rngs_[node];
  const double rate =
      sim::rate_for_probability(sim::draw_p_leave(rng, jobs_config_), scenario_.environment.probability_window_s);
  if (rate <= 0) return;
  const double at = now() + (std::isinf(rate) ? 0.0 : rng.exponential(rate));
  if (at < scenario_.duration_s) leaves_.push(LeaveEvent{at, node, false, n.leave_generation});
}

void EdgeSimulation::schedule_leave_probe(NodeId node) {
  if (!generic_) return;
  leaves_.push(LeaveEvent{now() + scenario_.environment.leave_probe_delay_s, node.value, true, 0});
  environment_changed_->notify_all();
}

void EdgeSimulation::check_overloads(NodeId node) {
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
    const std::uint32_t id = s.record.id;
    abort_operations(
        [id, index](const Operation& op) { return op.service == id && op.action.function.index == index; });
    const NodeId held_on = f.node, held_to = f.target;  // a live migration holds room on both
    f.phase = Phase::lost;
    f.node = node;
    f.resumed = false;
    f.reported_lost_from = now();  // the node answers: Kubernetes too sees the VF fail at once
    set_up(s, f, false);
    release_from(s, index, held_on);
    release_from(s, index, held_to);
    reset_chain(s);
  }
}

bool EdgeSimulation::reserve(Service& s, std::uint32_t j, NodeId node) {
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

void EdgeSimulation::release_from(const Service& s, std::uint32_t j, NodeId node) {
  if (!generic_) return;
  sync_environment();
  if (load_->node(node).remove_vf(sim::vf_key(FunctionRef{s.chain.id, j}), now())) {
    load_->changed(node);
    check_overloads(node);  // the room it leaves may start waiting jobs, which slow the VFs there
    environment_changed_->notify_all();
  }
}

void EdgeSimulation::release(const Service& s, std::uint32_t j) {
  release_from(s, j, s.functions[j].node);
  release_from(s, j, s.functions[j].target);
}

}  // namespace vfo::sim
