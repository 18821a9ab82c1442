#include "vfo/sim/workload_forecaster.hpp"

#include <cmath>
#include <memory>
#include <stdexcept>
#include <string>

#include "vfo/forecast/baselines.hpp"
#include "vfo/forecast/examples.hpp"
#include "vfo/scenario/generators.hpp"
#include "vfo/sim/background_load.hpp"
#include "vfo/util/random.hpp"

namespace vfo::sim {

BackgroundJobsConfig jobs_config(const EnvironmentSpec& environment) {
  const JobsSpec& j = environment.jobs;
  BackgroundJobsConfig c;
  c.initial_jobs_mean = j.initial_jobs.mean;
  c.initial_jobs_stddev = j.initial_jobs.stddev;
  c.initial_jobs_min = j.initial_jobs.min;
  c.rate_mean = j.rate_per_hour.mean;
  c.rate_stddev = j.rate_per_hour.stddev;
  c.min_rate = j.rate_per_hour.min;
  c.cpu_mean_ips = j.cpu_ips.mean;
  c.cpu_stddev_ips = j.cpu_ips.stddev;
  c.cpu_min_ips = j.cpu_ips.min;
  c.ram_mean_bytes = units::megabytes(j.ram_mb.mean);
  c.ram_stddev_bytes = units::megabytes(j.ram_mb.stddev);
  c.ram_min_bytes = units::megabytes(j.ram_mb.min);
  c.duration_mean_s = j.duration_mean_s;
  c.cpu_overcommit = j.cpu_overcommit;
  c.p_leave_mean = environment.p_leave;
  c.p_leave_stddev = environment.p_leave_stddev;
  return c;
}

std::vector<UsageSeries> background_series(const EnvironmentSpec& environment, std::uint64_t seed, int nodes,
                                           double horizon_s, double interval_s) {
  EnvironmentSpec spec = environment;
  spec.nodes = nodes;
  Rng topology_rng(seed, "topology");
  const Topology topology = generate_topology(spec, topology_rng);
  std::vector<Resources> capacities;
  for (const Node& node : topology.nodes) capacities.push_back(node.capacity);
  BackgroundLoad load(capacities, seed, horizon_s, jobs_config(environment));

  std::vector<UsageSeries> series(capacities.size());
  for (std::size_t i = 0; i < series.size(); ++i) {
    series[i].name = "train/" + std::to_string(i);
    series[i].interval_s = interval_s;
  }
  const auto readings = static_cast<std::size_t>(std::ceil(horizon_s / interval_s - 1e-9));
  for (std::size_t k = 0; k < readings; ++k) {
    load.advance_to(static_cast<double>(k) * interval_s);
    for (std::uint32_t i = 0; i < capacities.size(); ++i) {
      const Resources used = load.node(NodeId(i)).used();
      series[i].cpu_pct.push_back(100.0 * used.cpu_ips / capacities[i].cpu_ips);
      series[i].ram_pct.push_back(capacities[i].ram_bytes > 0 ? 100.0 * used.ram_bytes / capacities[i].ram_bytes : 0);
    }
  }
  return series;
}

ForecastModel fit_workload_forecaster(const PredictorSpec& predictor, const EnvironmentSpec& environment,
                                      double interval_s, std::uint64_t seed) {
  const std::uint64_t training_seed = derive_seed(seed, "forecaster-training");
  std::vector<UsageSeries> all = background_series(environment, training_seed, predictor.training_nodes,
                                                   predictor.training_hours * units::kSecondsPerHour, interval_s);
  const auto half = static_cast<std::ptrdiff_t>(all.size() / 2);
  const std::vector<UsageSeries> fit_series(all.begin(), all.begin() + std::max<std::ptrdiff_t>(half, 1));
  const std::vector<UsageSeries> calibration_series(all.begin() + half, all.end());

  ForecastModel model;
  model.spec = WindowSpec{predictor.window, predictor.horizon_periods};
  model.channels = 1;
  model.interval_s = interval_s;
  model.seed = seed;
  if (predictor.method == "ar") {
    model.point = std::make_shared<ArModel>(ArModel::fit(make_examples(fit_series, model.spec, 1), 6));
  } else if (predictor.method == "ewma") {
    model.point = std::make_shared<EwmaModel>(0.3);
  } else if (predictor.method == "ma") {
    model.point = std::make_shared<MovingAverageModel>(predictor.window);
  } else if (predictor.method == "persistence") {
    model.point = std::make_shared<PersistenceModel>();
  } else {
    throw std::invalid_argument("fit_workload_forecaster: unknown method " + predictor.method);
  }
  const Examples calibration = make_examples(calibration_series, model.spec, 1);
  const std::vector<float> predictions =
      model.point->predict(calibration.inputs.data(), calibration.count(), model.spec.window, 1);
  model.calibration =
      OverloadCalibration::fit(predictions, calibration.peaks, 1, OverloadThresholds{predictor.cpu_threshold_pct, 100},
                               derive_seed(seed, "forecaster-calibration"));
  return model;
}

}  // namespace vfo::sim
