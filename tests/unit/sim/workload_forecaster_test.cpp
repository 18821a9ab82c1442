#include "vfo/sim/workload_forecaster.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "vfo/forecast/baselines.hpp"
#include "vfo/model/units.hpp"
#include "vfo/scenario/generators.hpp"
#include "vfo/sim/node_workload.hpp"
#include "vfo/sim/workload_generator.hpp"
#include "vfo/util/random.hpp"

namespace vfo::sim {
namespace {

TEST(WorkloadForecaster, JobsConfigMapsEveryField) {
  EnvironmentSpec env;
  env.jobs.initial_jobs = NormalSpec{1.5, 2.5, 3.5};
  env.jobs.rate_per_hour = NormalSpec{4.5, 5.5, 6.5};
  env.jobs.cpu_ips = NormalSpec{7e3, 8e3, 9e3};
  env.jobs.ram_mb = NormalSpec{10, 11, 12};
  env.jobs.duration_mean_s = 13;
  env.jobs.cpu_overcommit = 14;
  env.p_leave = 0.15;
  env.p_leave_stddev = 0.016;
  const BackgroundJobsConfig c = jobs_config(env);
  EXPECT_EQ(c.initial_jobs_mean, 1.5);
  EXPECT_EQ(c.initial_jobs_stddev, 2.5);
  EXPECT_EQ(c.rate_mean, 4.5);
  EXPECT_EQ(c.rate_stddev, 5.5);
  EXPECT_EQ(c.min_rate, 6.5);
  EXPECT_EQ(c.rate_window_s, units::kSecondsPerHour);  // rate_per_hour is per hour
  EXPECT_EQ(c.cpu_mean_ips, 7e3);
  EXPECT_EQ(c.cpu_stddev_ips, 8e3);
  EXPECT_EQ(c.cpu_min_ips, 9e3);
  EXPECT_EQ(c.ram_mean_bytes, units::megabytes(10));
  EXPECT_EQ(c.ram_stddev_bytes, units::megabytes(11));
  EXPECT_EQ(c.ram_min_bytes, units::megabytes(12));
  EXPECT_EQ(c.duration_mean_s, 13);
  EXPECT_EQ(c.cpu_overcommit, 14);
  EXPECT_EQ(c.p_leave_mean, 0.15);
  EXPECT_EQ(c.p_leave_stddev, 0.016);
}

TEST(WorkloadForecaster, JobsConfigOfTheDefaultScenarioIsTheGeneratorsDefault) {
  const BackgroundJobsConfig c = jobs_config(EnvironmentSpec{});
  const BackgroundJobsConfig d;
  EXPECT_EQ(c.initial_jobs_mean, d.initial_jobs_mean);
  EXPECT_EQ(c.initial_jobs_stddev, d.initial_jobs_stddev);
  EXPECT_EQ(c.rate_mean, d.rate_mean);
  EXPECT_EQ(c.rate_stddev, d.rate_stddev);
  EXPECT_EQ(c.min_rate, d.min_rate);
  EXPECT_EQ(c.rate_window_s, d.rate_window_s);
  EXPECT_EQ(c.cpu_mean_ips, d.cpu_mean_ips);
  EXPECT_EQ(c.cpu_stddev_ips, d.cpu_stddev_ips);
  EXPECT_EQ(c.cpu_min_ips, d.cpu_min_ips);
  EXPECT_EQ(c.ram_mean_bytes, d.ram_mean_bytes);
  EXPECT_EQ(c.ram_stddev_bytes, d.ram_stddev_bytes);
  EXPECT_EQ(c.ram_min_bytes, d.ram_min_bytes);
  EXPECT_EQ(c.duration_mean_s, d.duration_mean_s);
  EXPECT_EQ(c.cpu_overcommit, d.cpu_overcommit);
  EXPECT_EQ(c.p_leave_mean, d.p_leave_mean);
  EXPECT_EQ(c.p_leave_stddev, d.p_leave_stddev);
}

TEST(WorkloadForecaster, BackgroundSeriesHaveOneReadingPerIntervalAndTheirNames) {
  const EnvironmentSpec env;
  const std::vector<UsageSeries> series = background_series(env, 3, 5, 3600, 30);
  ASSERT_EQ(series.size(), 5u);
  for (std::size_t i = 0; i < series.size(); ++i) {
    SCOPED_TRACE(i);
    const UsageSeries& s = series[i];
    EXPECT_EQ(s.name, "train/" + std::to_string(i));
    EXPECT_EQ(s.interval_s, 30);
    EXPECT_EQ(s.start_s, 0);
    EXPECT_EQ(s.cpu_pct.size(), 120u);
    EXPECT_EQ(s.ram_pct.size(), 120u);
    EXPECT_TRUE(s.measured.empty());
    for (std::size_t k = 0; k < s.size(); ++k) {
      EXPECT_GE(s.cpu_pct[k], 0);
      EXPECT_GE(s.ram_pct[k], 0);
      EXPECT_LE(s.ram_pct[k], 100 + 1e-9);  // RAM is never overcommitted
    }
  }
  EXPECT_EQ(background_series(env, 3, 2, 600, 60).front().size(), 10u);
  EXPECT_TRUE(background_series(env, 3, 0, 600, 60).empty());
}

TEST(WorkloadForecaster, BackgroundSeriesReadTheNodesJobs) {
  // Each reading is what a node of the seed's topology, fed its jobs alone, commits at that time.
  EnvironmentSpec env;
  env.jobs.cpu_overcommit = 0.5;  // jobs queue: the reading is what runs, not what arrived
  const std::uint64_t seed = 17;
  const int nodes = 4;
  const double horizon = 2 * 3600.0, interval = 60;
  const std::vector<UsageSeries> series = background_series(env, seed, nodes, horizon, interval);
  ASSERT_EQ(series.size(), static_cast<std::size_t>(nodes));

  EnvironmentSpec topology_spec = env;
  topology_spec.nodes = nodes;
  Rng topology_rng(seed, "topology");
  const Topology topology = generate_topology(topology_spec, topology_rng);
  const BackgroundJobsConfig config = jobs_config(env);
  bool nonzero = false;
  for (int i = 0; i < nodes; ++i) {
    SCOPED_TRACE(i);
    const Resources capacity = topology.nodes[i].capacity;
    const NodeJobs jobs = draw_node_jobs(seed, NodeId(static_cast<std::uint32_t>(i)), horizon, config);
    NodeWorkload w(capacity, config.cpu_overcommit);
    std::size_t next = 0;
    ASSERT_EQ(series[i].size(), 120u);
    for (std::size_t k = 0; k < series[i].size(); ++k) {
      const double t = static_cast<double>(k) * interval;
      while (next < jobs.arrivals.size() && jobs.arrivals[next].time_s <= t) {
        w.submit_job(jobs.arrivals[next].job, jobs.arrivals[next].time_s);
        ++next;
      }
      w.advance_to(t);
      EXPECT_DOUBLE_EQ(series[i].cpu_pct[k], 100.0 * w.used().cpu_ips / capacity.cpu_ips) << "reading " << k;
      EXPECT_DOUBLE_EQ(series[i].ram_pct[k], 100.0 * w.used().ram_bytes / capacity.ram_bytes) << "reading " << k;
      nonzero |= series[i].cpu_pct[k] > 0;
    }
  }
  EXPECT_TRUE(nonzero);
}

// Heavy jobs (40 % of a node each, 6 at time 0): what runs is capped by admission.
EnvironmentSpec heavy_jobs(double cpu_overcommit) {
  EnvironmentSpec env;
  env.jobs.initial_jobs = NormalSpec{6, 0, 0};
  env.jobs.cpu_ips = NormalSpec{4e4, 1e4, 1e3};
  env.jobs.ram_mb = NormalSpec{16, 0, 16};
  env.jobs.cpu_overcommit = cpu_overcommit;
  return env;
}

double max_cpu(const std::vector<UsageSeries>& series) {
  double m = 0;
  for (const UsageSeries& s : series) m = std::max(m, *std::max_element(s.cpu_pct.begin(), s.cpu_pct.end()));
  return m;
}

TEST(WorkloadForecaster, BackgroundCpuExceedsTheSpeedOnlyWhenOvercommitted) {
  const auto overcommitted = background_series(heavy_jobs(3), 5, 10, 3600, 60);
  EXPECT_GT(max_cpu(overcommitted), 150);
  EXPECT_LE(max_cpu(overcommitted), 300 + 1e-9);
  const auto not_overcommitted = background_series(heavy_jobs(1), 5, 10, 3600, 60);
  EXPECT_GT(max_cpu(not_overcommitted), 60);
  EXPECT_LE(max_cpu(not_overcommitted), 100 + 1e-9);
}

TEST(WorkloadForecaster, BackgroundSeriesAreDeterministicPerSeed) {
  const EnvironmentSpec env;
  const auto a = background_series(env, 8, 6, 3600, 30);
  const auto b = background_series(env, 8, 6, 3600, 30);
  const auto c = background_series(env, 9, 6, 3600, 30);
  ASSERT_EQ(a.size(), b.size());
  ASSERT_EQ(a.size(), c.size());
  bool differs = false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].cpu_pct, b[i].cpu_pct);
    EXPECT_EQ(a[i].ram_pct, b[i].ram_pct);
    differs |= a[i].cpu_pct != c[i].cpu_pct;
  }
  EXPECT_TRUE(differs);
}

class WorkloadForecasterMethod : public ::testing::TestWithParam<const char*> {};

TEST_P(WorkloadForecasterMethod, FitsAModelThatRanksHighLoadRiskier) {
  PredictorSpec predictor;
  predictor.kind = "forecast";
  predictor.method = GetParam();
  predictor.window = 8;
  predictor.horizon_periods = 4;
  const EnvironmentSpec env;
  const double interval = 30;
  const ForecastModel model = fit_workload_forecaster(predictor, env, interval, 11);
  ASSERT_NE(model.point, nullptr);
  EXPECT_EQ(model.spec.window, 8);
  EXPECT_EQ(model.spec.horizon, 4);
  EXPECT_EQ(model.channels, 1);
  EXPECT_EQ(model.interval_s, interval);
  EXPECT_EQ(model.horizon_s(), 4 * interval);
  EXPECT_EQ(model.calibration.channels(), 1);
  EXPECT_EQ(model.calibration.state().thresholds.cpu_pct, predictor.cpu_threshold_pct);

  const std::string method = GetParam();
  const std::string expected_name = method == "ar"     ? "ar6"
                                    : method == "ewma" ? "ewma0.3"
                                    : method == "ma"   ? "ma8"
                                                       : "persistence";
  EXPECT_EQ(model.point->name(), expected_name);

  const float low = 40, high = 150;
  const double p_low = model.calibration.probability(&low);
  const double p_high = model.calibration.probability(&high);
  EXPECT_GE(p_high, p_low);
  EXPECT_LT(p_low, 0.1);
  EXPECT_GT(p_high, 0.5);  // a predicted 150 % of the speed is over the 100 % threshold

  // Its predictions read a window of readings: a flat 40 % stays near 40 %.
  const std::vector<float> flat(8, 40.0f);
  const std::vector<float> predicted = model.point->predict(flat.data(), 1, 8, 1);
  ASSERT_EQ(predicted.size(), 1u);
  EXPECT_NEAR(predicted[0], 40, 5);
}

INSTANTIATE_TEST_SUITE_P(WorkloadForecaster, WorkloadForecasterMethod,
                         ::testing::Values("ar", "ewma", "ma", "persistence"),
                         [](const ::testing::TestParamInfo<const char*>& info) { return std::string(info.param); });

TEST(WorkloadForecaster, FitIsDeterministicAndFollowsTheThreshold) {
  PredictorSpec predictor;
  predictor.kind = "forecast";
  predictor.method = "ar";
  predictor.training_nodes = 60;
  predictor.training_hours = 3;
  const EnvironmentSpec env;
  const ForecastModel a = fit_workload_forecaster(predictor, env, 30, 5);
  const ForecastModel b = fit_workload_forecaster(predictor, env, 30, 5);
  EXPECT_EQ(a.seed, 5u);
  EXPECT_EQ(a.calibration.state().bin_upper_edges, b.calibration.state().bin_upper_edges);
  EXPECT_EQ(a.calibration.state().residuals, b.calibration.state().residuals);
  const auto* ar_a = dynamic_cast<const ArModel*>(a.point.get());
  const auto* ar_b = dynamic_cast<const ArModel*>(b.point.get());
  ASSERT_NE(ar_a, nullptr);
  ASSERT_NE(ar_b, nullptr);
  EXPECT_EQ(ar_a->coefficients(), ar_b->coefficients());

  // A lower threshold makes the same prediction riskier.
  PredictorSpec strict = predictor;
  strict.cpu_threshold_pct = 50;
  const ForecastModel s = fit_workload_forecaster(strict, env, 30, 5);
  EXPECT_EQ(s.calibration.state().thresholds.cpu_pct, 50);
  const float x = 45;
  EXPECT_GT(s.calibration.probability(&x), a.calibration.probability(&x));
}

}  // namespace
}  // namespace vfo::sim

namespace {

TEST(WorkloadForecaster, InitialJobsMinIsHonoured) {
  vfo::EnvironmentSpec env;
  env.jobs.initial_jobs = vfo::NormalSpec{0, 0, 3};
  const vfo::sim::BackgroundJobsConfig config = vfo::sim::jobs_config(env);
  EXPECT_EQ(config.initial_jobs_min, 3);
  EXPECT_EQ(vfo::sim::draw_node_jobs(1, vfo::NodeId(0), 100, config).initial_jobs, 3);
}

TEST(WorkloadForecaster, BackgroundSeriesCountReadingsWithoutDrift) {
  const auto series = vfo::sim::background_series(vfo::EnvironmentSpec{}, 5, 2, 1.0, 0.1);
  ASSERT_EQ(series.size(), 2u);
  EXPECT_EQ(series[0].cpu_pct.size(), 10u);
}

}  // namespace
