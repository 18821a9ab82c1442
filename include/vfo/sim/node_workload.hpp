#pragma once
// One edge node's tenants in the generic environment (Results B of the paper): background jobs, which
// wait in a FIFO queue when they do not fit, and the VFs placed on the node, which are never queued.
// Pure and clock-free: the caller moves time forward (advance_to, or the time argument of each call).
// Not thread-safe. docs/model.md, "Generic environment (Results B): background jobs", gives the model.
//
// Admission. A job or a VF fits when what runs (jobs and VFs) plus its own need stays within the
// admission capacity: RAM = the node's RAM, CPU = cpu_overcommit x the node's speed. RAM is never
// overcommitted; CPU is time-shared, so cpu_overcommit may exceed 1 (1 = the paper's literal "until the
// necessary resources are free").
//
// Queue. Strict FIFO with head-of-line blocking: a job that arrives while others wait goes behind them
// even if it would fit, and a waiting job starts only when it is at the head and fits. The head is tried
// at each job completion and each VF removal, in that order of time. A VF that fits is admitted at once,
// even while jobs wait (it takes the room they wait for); a VF that does not fit is refused.
//
// CPU sharing and VF slowdown (equal priority, the paper's "a VF has the same priority as the other
// jobs"): the CPU is shared max-min fairly, as Linux CFS shares it between processes of equal weight. Every
// other tenant is a process that runs at most at its CPU demand (a job: its cpu_ips; a VF: its load x fps).
// A VF processes a frame as a burst that would take the whole CPU; it gets the fair share L, the largest
// rate such that sum_i min(c_i, L) + L = speed over the other tenants i (L = speed when there are none).
// Its time per frame is load_ipf / L: every co-located job lengthens it, and L >= speed / (tenants), so no
// VF starves. The VF is overloaded when its time per frame exceeds 1/fps: a pipeline stage slower than
// 1/fps cannot keep up with the chain's frame rate. With cpu_overcommit = 1, L >= the VF's own demand
// load x fps, so no VF ever overloads: overloads need cpu_overcommit > 1.
#include <cstdint>
#include <deque>
#include <utility>
#include <vector>

#include "vfo/model/ids.hpp"
#include "vfo/model/resources.hpp"

namespace vfo::sim {

// A background job (not a VF): what it takes while it runs, and for how long once started.
struct Job {
  std::uint64_t id = 0;
  double cpu_ips = 0;     // CPU load: instructions/s it runs at (at most) while it runs
  double ram_bytes = 0;   // RAM it holds while it runs
  double duration_s = 0;  // time it runs once started (it is not slowed by sharing)
};

// A stable 64-bit key for a VF: chain in the high 32 bits, index in the low 32.
constexpr std::uint64_t vf_key(FunctionRef f) {
  return (std::uint64_t{f.chain.value} << 32) | f.index;
}

class NodeWorkload {
 public:
  // `capacity`: the node's speed (instructions/s, > 0) and RAM (bytes, >= 0); `cpu_overcommit` (> 0)
  // scales the CPU that admission may commit. Time starts at 0. Throws std::invalid_argument.
  explicit NodeWorkload(Resources capacity, double cpu_overcommit = 1.0);

  // Moves time to t: completes the running jobs whose end is <= t in order of end (ties: start order) and
  // starts waiting jobs (FIFO, head-of-line) at each completion time. Throws std::invalid_argument when
  // t < now() or t is NaN.
  void advance_to(double t);

  // At time t (advance_to(t) first): starts the job if no job waits and it fits, else queues it. Returns
  // false, and drops the job, when it could not fit even on an empty node (it would block the queue).
  bool submit_job(const Job& job, double t);

  // At time t: admits the VF if it fits now (it is never queued). Throws std::invalid_argument when `key`
  // is already hosted. `need` is the VF's Function::demand(fps).
  bool admit_vf(std::uint64_t key, Resources need, double t);
  // At time t: removes the VF (false when it is not hosted) and starts waiting jobs that now fit.
  bool remove_vf(std::uint64_t key, double t);
  // At time t: drops every job (running and waiting) and every VF: the node left and comes back empty.
  void clear(double t);

  double now() const { return now_; }
  const Resources& capacity() const { return capacity_; }
  // What admission may commit: {cpu_overcommit x speed, RAM}.
  Resources admission_capacity() const;
  // Demand of what runs: running jobs plus hosted VFs (CPU may exceed the speed when overcommitted).
  Resources used() const;
  std::size_t running() const { return running_.size(); }
  std::size_t queued() const { return queue_.size(); }
  std::size_t vfs() const { return vfs_.size(); }
  bool hosts_vf(std::uint64_t key) const;
  // Keys of the hosted VFs, in admission order.
  std::vector<std::uint64_t> vf_keys() const;
  // Ids of the running jobs, in start order.
  std::vector<std::uint64_t> running_job_ids() const;
  // Earliest end of a running job (the only time the state changes by itself); +inf when none runs.
  double next_event_time() const;

  // Seconds a VF of `load_ipf` instructions per frame takes per frame here now, sharing the CPU with every
  // tenant but the VF `key` itself (all tenants when `key` is not hosted): load_ipf / L, see above.
  double time_per_frame(std::uint64_t key, double load_ipf) const;
  // time_per_frame(key, load_ipf) > 1 / fps.
  bool overloaded(std::uint64_t key, double load_ipf, double fps) const;

  // (CPU %, RAM %) of the node, as a probe reads them: CPU = min(100, 100 x used().cpu / speed) (a CPU
  // cannot be busier than 100 %), RAM = 100 x used().ram / RAM (0 when the node has no RAM).
  std::pair<double, double> utilisation_pct() const;

 private:
  struct RunningJob {
    Job job;
    double end_s = 0;
    std::uint64_t start_seq = 0;
  };
  struct HostedVf {
    std::uint64_t key = 0;
    Resources need;
  };

  bool fits(const Resources& need) const;
  void start(const Job& job, double t);
  void start_waiting(double t);
  void check_time(double t) const;

  Resources capacity_;
  double cpu_overcommit_ = 1;
  double now_ = 0;
  std::uint64_t next_seq_ = 0;
  std::vector<RunningJob> running_;  // in start order
  std::deque<Job> queue_;
  std::vector<HostedVf> vfs_;
};

}  // namespace vfo::sim
