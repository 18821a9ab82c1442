#include "vfo/sim/background_load.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <tuple>

namespace vfo::sim {

bool BackgroundLoad::Entry::operator>(const Entry& other) const {
  return std::tie(time, arrival, node) > std::tie(other.time, other.arrival, other.node);
}

BackgroundLoad::BackgroundLoad(const std::vector<Resources>& capacities, std::uint64_t seed, double horizon_s,
                               const BackgroundJobsConfig& config)
    : next_arrival_(capacities.size(), 0), up_(capacities.size(), 1) {
  workloads_.reserve(capacities.size());
  arrivals_.reserve(capacities.size());
  for (std::uint32_t i = 0; i < capacities.size(); ++i) {
    workloads_.emplace_back(capacities[i], config.cpu_overcommit);
    arrivals_.push_back(draw_node_jobs(seed, NodeId(i), horizon_s, config).arrivals);
    if (!arrivals_.back().empty()) queue_.push(Entry{arrivals_.back().front().time_s, i, true});
  }
}

void BackgroundLoad::push_completion(std::uint32_t node) {
  const double t = workloads_[node].next_event_time();
  if (std::isfinite(t)) queue_.push(Entry{t, node, false});
}

void BackgroundLoad::changed(NodeId node) {
  push_completion(node.value);
}

double BackgroundLoad::next_event_time() {
  while (!queue_.empty()) {
    const Entry& top = queue_.top();
    if (top.arrival || workloads_[top.node].next_event_time() == top.time) return top.time;
    queue_.pop();  // a completion that an earlier change moved
  }
  return std::numeric_limits<double>::infinity();
}

std::vector<NodeId> BackgroundLoad::advance_to(double t) {
  if (!(t >= now_)) throw std::invalid_argument("BackgroundLoad::advance_to: time goes backwards");
  std::vector<std::uint32_t> touched;
  while (!queue_.empty() && queue_.top().time <= t) {
    const Entry e = queue_.top();
    queue_.pop();
    NodeWorkload& w = workloads_[e.node];
    if (!e.arrival) {
      if (w.next_event_time() != e.time) continue;  // stale
      w.advance_to(e.time);
    } else {
      auto& list = arrivals_[e.node];
      const JobArrival& a = list[next_arrival_[e.node]++];
      w.advance_to(e.time);
      if (up_[e.node] != 0) {
        w.submit_job(a.job, e.time);
      } else {
        ++lost_jobs_;
      }
      if (next_arrival_[e.node] < list.size()) queue_.push(Entry{list[next_arrival_[e.node]].time_s, e.node, true});
    }
    push_completion(e.node);
    touched.push_back(e.node);
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  std::vector<NodeId> out;
  out.reserve(touched.size());
  for (std::uint32_t n : touched) {
    workloads_[n].advance_to(t);
    out.emplace_back(n);
  }
  now_ = t;
  return out;
}

void BackgroundLoad::set_down(NodeId node, double t) {
  workloads_.at(node.value).clear(t);
  up_.at(node.value) = 0;
}

void BackgroundLoad::set_up(NodeId node, double t) {
  workloads_.at(node.value).advance_to(t);
  up_.at(node.value) = 1;
}

}  // namespace vfo::sim
