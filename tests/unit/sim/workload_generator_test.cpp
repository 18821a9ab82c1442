#include "vfo/sim/workload_generator.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

namespace vfo::sim {
namespace {

bool same_jobs(const NodeJobs& a, const NodeJobs& b) {
  if (a.initial_jobs != b.initial_jobs || a.rate_per_window != b.rate_per_window) return false;
  if (a.arrivals.size() != b.arrivals.size()) return false;
  for (std::size_t i = 0; i < a.arrivals.size(); ++i) {
    const auto& x = a.arrivals[i];
    const auto& y = b.arrivals[i];
    if (x.time_s != y.time_s || x.job.id != y.job.id || x.job.cpu_ips != y.job.cpu_ips ||
        x.job.ram_bytes != y.job.ram_bytes || x.job.duration_s != y.job.duration_s) {
      return false;
    }
  }
  return true;
}

TEST(WorkloadGenerator, SameSeedAndNodeGiveTheSameJobsWhateverTheCallOrder) {
  const auto a = draw_node_jobs(42, NodeId(3), 7200);
  draw_node_jobs(42, NodeId(4), 7200);  // another node drawn in between changes nothing
  const auto b = draw_node_jobs(42, NodeId(3), 7200);
  EXPECT_TRUE(same_jobs(a, b));
  EXPECT_FALSE(same_jobs(a, draw_node_jobs(43, NodeId(3), 7200)));
}

TEST(WorkloadGenerator, InitialJobsComeFirstThenArrivalsInTimeOrderWithUniqueIds) {
  const auto jobs = draw_node_jobs(7, NodeId(5), 36000);
  ASSERT_GE(jobs.arrivals.size(), static_cast<std::size_t>(jobs.initial_jobs));
  for (std::size_t i = 0; i < jobs.arrivals.size(); ++i) {
    const auto& a = jobs.arrivals[i];
    EXPECT_EQ(a.job.id, (std::uint64_t{5} << 32) | i);
    if (i < static_cast<std::size_t>(jobs.initial_jobs)) {
      EXPECT_EQ(a.time_s, 0);
    } else {
      EXPECT_GT(a.time_s, 0);
      EXPECT_LT(a.time_s, 36000);
      EXPECT_GE(a.time_s, jobs.arrivals[i - 1].time_s);
    }
  }
}

TEST(WorkloadGenerator, NodesAreIndependent) {
  // Different nodes draw different parameters and jobs from the same seed.
  int same_k = 0;
  for (std::uint32_t n = 0; n < 50; ++n) {
    const auto a = draw_node_jobs(1, NodeId(n), 3600);
    const auto b = draw_node_jobs(1, NodeId(n + 1), 3600);
    EXPECT_NE(a.rate_per_window, b.rate_per_window);
    if (a.initial_jobs == b.initial_jobs) ++same_k;
  }
  EXPECT_LT(same_k, 15);  // k takes about 15 values with a fair spread: ~8% of pairs match by chance
}

TEST(WorkloadGenerator, LongerHorizonOnlyAppendsJobs) {
  const auto short_run = draw_node_jobs(9, NodeId(2), 3600);
  const auto long_run = draw_node_jobs(9, NodeId(2), 36000);
  ASSERT_LE(short_run.arrivals.size(), long_run.arrivals.size());
  for (std::size_t i = 0; i < short_run.arrivals.size(); ++i) {
    EXPECT_EQ(short_run.arrivals[i].time_s, long_run.arrivals[i].time_s);
    EXPECT_EQ(short_run.arrivals[i].job.cpu_ips, long_run.arrivals[i].job.cpu_ips);
  }
}

TEST(WorkloadGenerator, ArrivalCountMatchesTheRateOverALongHorizon) {
  const double hours = 2000;
  const auto jobs = draw_node_jobs(11, NodeId(0), hours * 3600);
  const double arrivals = static_cast<double>(jobs.arrivals.size()) - jobs.initial_jobs;
  const double expected = jobs.rate_per_window * hours;  // Poisson: sd = sqrt(expected)
  EXPECT_NEAR(arrivals, expected, 4 * std::sqrt(expected));
}

TEST(WorkloadGenerator, ParametersFollowThePaperAndAreClamped) {
  double k_sum = 0, rate_sum = 0;
  int k_zero = 0;
  const int nodes = 4000;
  for (int n = 0; n < nodes; ++n) {
    const auto jobs = draw_node_jobs(5, NodeId(n), 0);
    EXPECT_GE(jobs.initial_jobs, 0);
    EXPECT_GE(jobs.rate_per_window, 0.1);
    k_sum += jobs.initial_jobs;
    rate_sum += jobs.rate_per_window;
    if (jobs.initial_jobs == 0) ++k_zero;
  }
  // E[max(0, floor(N(8, 5)))] = 7.65 (floor takes 0.5 off, the clamp adds 0.15 back); E[lambda] ~ 5.
  EXPECT_NEAR(k_sum / nodes, 7.65, 0.25);
  EXPECT_NEAR(rate_sum / nodes, 5.0, 0.1);
  EXPECT_GT(k_zero, 0);  // P(N(8, 5) < 1) = 8 %: the clamp is exercised

  BackgroundJobsConfig config;
  config.rate_mean = -100;  // every draw below the floor
  config.initial_jobs_mean = -100;
  const auto clamped = draw_node_jobs(5, NodeId(0), 3600, config);
  EXPECT_EQ(clamped.initial_jobs, 0);
  EXPECT_EQ(clamped.rate_per_window, config.min_rate);
}

TEST(WorkloadGenerator, JobSizesAreClampedAndHaveTheConfiguredMeans) {
  BackgroundJobsConfig config;
  Rng rng(3);
  double cpu = 0, ram = 0, duration = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    const Job job = draw_job(rng, config);
    EXPECT_GE(job.cpu_ips, config.cpu_min_ips);
    EXPECT_GE(job.ram_bytes, config.ram_min_bytes);
    EXPECT_GT(job.duration_s, 0);
    cpu += job.cpu_ips;
    ram += job.ram_bytes;
    duration += job.duration_s;
  }
  EXPECT_NEAR(cpu / n, config.cpu_mean_ips, 0.03 * config.cpu_mean_ips);
  EXPECT_NEAR(ram / n, config.ram_mean_bytes, 0.03 * config.ram_mean_bytes);
  EXPECT_NEAR(duration / n, config.duration_mean_s, 0.03 * config.duration_mean_s);
}

TEST(WorkloadGenerator, PLeaveIsNormalAroundTenPercentAndClamped) {
  Rng rng(8);
  double sum = 0;
  for (int i = 0; i < 10000; ++i) {
    const double p = draw_p_leave(rng);
    EXPECT_GE(p, 0);
    EXPECT_LE(p, 1);
    sum += p;
  }
  EXPECT_NEAR(sum / 10000, 0.1, 0.001);
  BackgroundJobsConfig wide;
  wide.p_leave_stddev = 10;
  bool low = false, high = false;
  for (int i = 0; i < 200; ++i) {
    const double p = draw_p_leave(rng, wide);
    low |= p == 0;
    high |= p == 1;
  }
  EXPECT_TRUE(low && high);
}

TEST(WorkloadGenerator, RejectsBadHorizonAndConfig) {
  EXPECT_THROW(draw_node_jobs(1, NodeId(0), -1), std::invalid_argument);
  BackgroundJobsConfig config;
  config.duration_mean_s = 0;
  EXPECT_THROW(draw_node_jobs(1, NodeId(0), 10, config), std::invalid_argument);
}

}  // namespace
}  // namespace vfo::sim
