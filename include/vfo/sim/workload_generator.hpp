#pragma once
// The generic environment's background jobs (Results B of the paper), drawn per node before the run.
// Per node: k = max(0, floor(N(8, 5))) jobs already on the node at time 0, and an arrival rate
// lambda = max(min_rate, N(5, 2)) jobs per rate_window_s (an hour); after time 0 jobs arrive as a Poisson
// process (exponential gaps). Each job's CPU load, RAM and duration come from the distributions below,
// which the paper does not give (docs/model.md, "Generic environment (Results B): background jobs").
//
// Determinism: a node's draws come from streams named "jobs/node/<id>/params", ".../arrivals" and
// ".../sizes", derived from the scenario's seed, so a node's jobs depend neither on the other nodes nor on
// the order of the calls, and a longer horizon only appends jobs (the earlier ones do not change).
#include <cstdint>
#include <vector>

#include "vfo/model/ids.hpp"
#include "vfo/model/units.hpp"
#include "vfo/sim/node_workload.hpp"
#include "vfo/util/random.hpp"

namespace vfo::sim {

struct BackgroundJobsConfig {
  // k, the jobs on a node at time 0: max(0, floor(N(mean, stddev))) (the paper's k = floor(N(8, 5))).
  double initial_jobs_mean = 8;
  double initial_jobs_stddev = 5;
  double initial_jobs_min = 0;  // k = max(initial_jobs_min, floor(N(mean, stddev)))
  // lambda, the node's arrival rate in jobs per rate_window_s: max(min_rate, N(mean, stddev)) (the paper's
  // lambda = N(5, 2)); min_rate > 0 keeps every node's process alive.
  double rate_mean = 5;
  double rate_stddev = 2;
  double min_rate = 0.1;
  double rate_window_s = units::kSecondsPerHour;
  // A job's CPU load (instructions/s): max(min, N(mean, stddev)): 6 % of a Table 2 node on average, so
  // that about 10 % of nodes overload a Table 3 VF within an hour (docs/model.md).
  double cpu_mean_ips = 6e3;
  double cpu_stddev_ips = 3e3;
  double cpu_min_ips = 1e3;
  // A job's RAM (bytes): max(min, N(mean, stddev)).
  double ram_mean_bytes = units::megabytes(256);
  double ram_stddev_bytes = units::megabytes(128);
  double ram_min_bytes = units::megabytes(16);
  // A job's duration (s): exponential with this mean. 5760 s = E[k] / E[lambda] = 8 / (5 per hour), so by
  // Little's law a node that starts with k jobs keeps about k on average.
  double duration_mean_s = 5760;
  // CPU that admission may commit, as a multiple of the node's speed (NodeWorkload's cpu_overcommit).
  double cpu_overcommit = 2;
  // P_leave of the node: N(mean, stddev) clamped to [0, 1] (the paper's P_leave = N(0.1, 0.005)).
  double p_leave_mean = 0.1;
  double p_leave_stddev = 0.005;
};

// A job and the time it reaches the node.
struct JobArrival {
  double time_s = 0;
  Job job;
};

// One node's background workload over a horizon.
struct NodeJobs {
  int initial_jobs = 0;        // k
  double rate_per_window = 0;  // lambda, jobs per rate_window_s
  // The k initial jobs at time 0, then the Poisson arrivals in (0, horizon_s), by time. Job ids are
  // (node id << 32) | n, n = 0, 1, ... in this order: unique across nodes.
  std::vector<JobArrival> arrivals;
};

// Draws node `node`'s jobs over [0, horizon_s) from the scenario's `seed`. Throws std::invalid_argument for
// a negative horizon or a config whose rate_window_s or duration_mean_s is not > 0.
NodeJobs draw_node_jobs(std::uint64_t seed, NodeId node, double horizon_s, const BackgroundJobsConfig& config = {});

// One job's CPU, RAM and duration, drawn in that order from `rng` (id 0).
Job draw_job(Rng& rng, const BackgroundJobsConfig& config = {});

// A node's P_leave: N(p_leave_mean, p_leave_stddev) clamped to [0, 1].
double draw_p_leave(Rng& rng, const BackgroundJobsConfig& config = {});

}  // namespace vfo::sim
