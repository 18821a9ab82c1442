#include "vfo/sim/node_workload.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>

namespace vfo::sim {

NodeWorkload::NodeWorkload(Resources capacity, double cpu_overcommit)
    : capacity_(capacity), cpu_overcommit_(cpu_overcommit) {
  if (!(capacity.cpu_ips > 0) || !(capacity.ram_bytes >= 0)) {
    throw std::invalid_argument("NodeWorkload: speed must be > 0 and RAM >= 0");
  }
  if (!(cpu_overcommit > 0)) throw std::invalid_argument("NodeWorkload: cpu_overcommit must be > 0");
}

void NodeWorkload::check_time(double t) const {
  if (std::isnan(t) || t < now_) throw std::invalid_argument("NodeWorkload: time must not go back");
}

Resources NodeWorkload::admission_capacity() const {
  return Resources{capacity_.cpu_ips * cpu_overcommit_, capacity_.ram_bytes};
}

Resources NodeWorkload::used() const {
  Resources sum;
  for (const auto& r : running_) sum += Resources{r.job.cpu_ips, r.job.ram_bytes};
  for (const auto& v : vfs_) sum += v.need;
  return sum;
}

bool NodeWorkload::fits(const Resources& need) const {
  return (used() + need).fits_within(admission_capacity());
}

void NodeWorkload::start(const Job& job, double t) {
  running_.push_back(RunningJob{job, t + job.duration_s, next_seq_++});
}

void NodeWorkload::start_waiting(double t) {
  while (!queue_.empty() && fits(Resources{queue_.front().cpu_ips, queue_.front().ram_bytes})) {
    start(queue_.front(), t);
    queue_.pop_front();
  }
}

void NodeWorkload::advance_to(double t) {
  check_time(t);
  for (;;) {
    // The running job that ends first (ties: the one started first, as running_ is in start order).
    auto first = running_.end();
    for (auto it = running_.begin(); it != running_.end(); ++it) {
      if (it->end_s <= t && (first == running_.end() || it->end_s < first->end_s)) first = it;
    }
    if (first == running_.end()) break;
    const double end = first->end_s;
    running_.erase(first);
    now_ = std::max(now_, end);
    start_waiting(now_);
  }
  now_ = t;
}

bool NodeWorkload::submit_job(const Job& job, double t) {
  advance_to(t);
  const Resources need{job.cpu_ips, job.ram_bytes};
  if (!need.fits_within(admission_capacity())) return false;
  if (queue_.empty() && fits(need)) {
    start(job, t);
  } else {
    queue_.push_back(job);
  }
  return true;
}

std::vector<std::uint64_t> NodeWorkload::vf_keys() const {
  std::vector<std::uint64_t> keys;
  keys.reserve(vfs_.size());
  for (const HostedVf& vf : vfs_) keys.push_back(vf.key);
  return keys;
}

bool NodeWorkload::hosts_vf(std::uint64_t key) const {
  return std::any_of(vfs_.begin(), vfs_.end(), [&](const HostedVf& v) { return v.key == key; });
}

bool NodeWorkload::admit_vf(std::uint64_t key, Resources need, double t) {
  advance_to(t);
  if (hosts_vf(key)) throw std::invalid_argument("NodeWorkload: VF already hosted");
  if (!fits(need)) return false;
  vfs_.push_back(HostedVf{key, need});
  return true;
}

bool NodeWorkload::remove_vf(std::uint64_t key, double t) {
  advance_to(t);
  const auto it = std::find_if(vfs_.begin(), vfs_.end(), [&](const HostedVf& v) { return v.key == key; });
  if (it == vfs_.end()) return false;
  vfs_.erase(it);
  start_waiting(t);
  return true;
}

void NodeWorkload::clear(double t) {
  advance_to(t);
  running_.clear();
  queue_.clear();
  vfs_.clear();
}

std::vector<std::uint64_t> NodeWorkload::running_job_ids() const {
  std::vector<std::uint64_t> ids;
  ids.reserve(running_.size());
  for (const auto& r : running_) ids.push_back(r.job.id);
  return ids;
}

double NodeWorkload::next_event_time() const {
  double next = std::numeric_limits<double>::infinity();
  for (const auto& r : running_) next = std::min(next, r.end_s);
  return next;
}

double NodeWorkload::time_per_frame(std::uint64_t key, double load_ipf) const {
  if (load_ipf <= 0) return 0;
  std::vector<double> caps;
  caps.reserve(running_.size() + vfs_.size());
  for (const auto& r : running_) caps.push_back(std::max(0.0, r.job.cpu_ips));
  for (const auto& v : vfs_) {
    if (v.key != key) caps.push_back(std::max(0.0, v.need.cpu_ips));
  }
  std::sort(caps.begin(), caps.end());
  // Water-filling: tenants whose cap is below the current equal share take their cap; the VF and the
  // remaining tenants split what is left equally.
  double remaining = capacity_.cpu_ips;
  std::size_t sharing = caps.size() + 1;  // the VF itself is never capped
  for (double c : caps) {
    if (c > remaining / static_cast<double>(sharing)) break;
    remaining -= c;
    --sharing;
  }
  const double share = remaining / static_cast<double>(sharing);
  return load_ipf / share;
}

bool NodeWorkload::overloaded(std::uint64_t key, double load_ipf, double fps) const {
  return time_per_frame(key, load_ipf) > 1.0 / fps;
}

std::pair<double, double> NodeWorkload::utilisation_pct() const {
  const Resources u = used();
  const double cpu = std::min(100.0, 100.0 * u.cpu_ips / capacity_.cpu_ips);
  const double ram = capacity_.ram_bytes > 0 ? 100.0 * u.ram_bytes / capacity_.ram_bytes : 0.0;
  return {cpu, ram};
}

}  // namespace vfo::sim
