#pragma once
// The background jobs of every node of the generic environment (Results B), in one clock-free event
// queue: each node's jobs are drawn before the run (draw_node_jobs) and fed to its NodeWorkload in time
// order, together with the jobs' completions. The simulator sleeps until next_event_time(), calls
// advance_to() and checks the VFs of the nodes it returns for overload. Not thread-safe.
#include <cstdint>
#include <queue>
#include <vector>

#include "vfo/model/ids.hpp"
#include "vfo/model/resources.hpp"
#include "vfo/sim/node_workload.hpp"
#include "vfo/sim/workload_generator.hpp"

namespace vfo::sim {

class BackgroundLoad {
 public:
  // capacities[i] is NodeId(i)'s speed and RAM; its jobs over [0, horizon_s) come from
  // draw_node_jobs(seed, NodeId(i), horizon_s, config) and its NodeWorkload admits with
  // config.cpu_overcommit. Every node starts up.
  BackgroundLoad(const std::vector<Resources>& capacities, std::uint64_t seed, double horizon_s,
                 const BackgroundJobsConfig& config);

  std::size_t nodes() const { return workloads_.size(); }

  // The earliest job arrival or completion not yet processed, on any node; +inf when none is left.
  double next_event_time();

  // Processes every arrival and completion at a time <= t, in time order (ties: completions of a node
  // before its arrivals, nodes by id), then moves every touched node to t. A job that reaches a node that
  // is down is lost. Returns the nodes where something happened, ascending and unique. Throws
  // std::invalid_argument when t is earlier than a time already reached.
  std::vector<NodeId> advance_to(double t);

  // The node's tenants. Call advance_to(t) before changing them at time t, and changed(node) after, so
  // that a completion the change brings forward is not missed.
  NodeWorkload& node(NodeId node) { return workloads_.at(node.value); }
  const NodeWorkload& node(NodeId node) const { return workloads_.at(node.value); }
  void changed(NodeId node);

  // The node leaves at t: its jobs and VFs are dropped and jobs that arrive until set_up are lost.
  // Call advance_to(t) first (as for any change at t).
  void set_down(NodeId node, double t);
  // The node is back, empty, at t. Call advance_to(t) first.
  void set_up(NodeId node, double t);
  bool is_up(NodeId node) const { return up_.at(node.value) != 0; }

  // Jobs a node lost by being down, over the run so far.
  std::uint64_t lost_jobs() const { return lost_jobs_; }

 private:
  struct Entry {
    double time = 0;
    std::uint32_t node = 0;
    bool arrival = false;  // false: a completion
    bool operator>(const Entry& other) const;
  };
  void push_completion(std::uint32_t node);

  std::vector<NodeWorkload> workloads_;
  std::vector<std::vector<JobArrival>> arrivals_;
  std::vector<std::size_t> next_arrival_;
  std::vector<std::uint8_t> up_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;  // may hold stale completions
  double now_ = 0;
  std::uint64_t lost_jobs_ = 0;
};

}  // namespace vfo::sim
