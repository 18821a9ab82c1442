#include "vfo/sim/workload_generator.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace vfo::sim {
namespace {

std::string node_stream(NodeId node, const char* part) {
  return "jobs/node/" + std::to_string(node.value) + "/" + part;
}

}  // namespace

Job draw_job(Rng& rng, const BackgroundJobsConfig& config) {
  Job job;
  job.cpu_ips = std::max(config.cpu_min_ips, rng.normal(config.cpu_mean_ips, config.cpu_stddev_ips));
  job.ram_bytes = std::max(config.ram_min_bytes, rng.normal(config.ram_mean_bytes, config.ram_stddev_bytes));
  job.duration_s = rng.exponential(1.0 / config.duration_mean_s);
  return job;
}

NodeJobs draw_node_jobs(std::uint64_t seed, NodeId node, double horizon_s, const BackgroundJobsConfig& config) {
  if (!(horizon_s >= 0)) throw std::invalid_argument("draw_node_jobs: horizon_s must be >= 0");
  if (!(config.rate_window_s > 0) || !(config.duration_mean_s > 0)) {
    throw std::invalid_argument("draw_node_jobs: rate_window_s and duration_mean_s must be > 0");
  }
  Rng params(seed, node_stream(node, "params"));
  Rng arrivals(seed, node_stream(node, "arrivals"));
  Rng sizes(seed, node_stream(node, "sizes"));

  NodeJobs out;
  const double k = std::floor(params.normal(config.initial_jobs_mean, config.initial_jobs_stddev));
  out.initial_jobs = static_cast<int>(std::max(std::max(0.0, config.initial_jobs_min), k));
  out.rate_per_window = std::max(config.min_rate, params.normal(config.rate_mean, config.rate_stddev));

  const std::uint64_t id_base = std::uint64_t{node.value} << 32;
  std::uint64_t n = 0;
  auto add = [&](double time_s) {
    Job job = draw_job(sizes, config);
    job.id = id_base | n++;
    out.arrivals.push_back(JobArrival{time_s, job});
  };
  for (int i = 0; i < out.initial_jobs; ++i) add(0.0);
  const double rate_per_s = out.rate_per_window / config.rate_window_s;
  for (double t = arrivals.exponential(rate_per_s); t < horizon_s; t += arrivals.exponential(rate_per_s)) add(t);
  return out;
}

double draw_p_leave(Rng& rng, const BackgroundJobsConfig& config) {
  return std::clamp(rng.normal(config.p_leave_mean, config.p_leave_stddev), 0.0, 1.0);
}

}  // namespace vfo::sim
