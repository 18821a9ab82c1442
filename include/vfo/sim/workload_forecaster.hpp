#pragma once
// The generic environment's QoS assessment (control.predictor.kind: forecast): vfo's forecaster (a point
// model and its overload calibration, src/forecast), fitted before the run on the background load of
// nodes drawn like the scenario's but from a stream of their own, so it never sees the run it assesses.
#include <cstdint>
#include <vector>

#include "vfo/forecast/forecast_model.hpp"
#include "vfo/forecast/usage_series.hpp"
#include "vfo/scenario/scenario.hpp"
#include "vfo/sim/workload_generator.hpp"

namespace vfo::sim {

// The scenario's environment.jobs and p_leave, as the job generator takes them.
BackgroundJobsConfig jobs_config(const EnvironmentSpec& environment);

// `nodes` nodes drawn as environment.nodes are (speed, RAM), each running its background jobs only
// (draw_node_jobs from `seed`), probed every interval_s over [0, horizon_s): CPU = committed CPU / speed and
// RAM = held RAM / RAM, in percent (CPU may exceed 100 when the node is overcommitted). Series "train/<i>".
std::vector<UsageSeries> background_series(const EnvironmentSpec& environment, std::uint64_t seed, int nodes,
                                           double horizon_s, double interval_s);

// The model the simulator's ModelForecaster uses: predictor.method fitted on the first half of
// background_series(environment, derive_seed(seed, "forecaster-training"), predictor.training_nodes,
// training_hours, interval_s), and calibrated (one CPU channel, threshold predictor.cpu_threshold_pct) on the
// other half, window predictor.window, horizon predictor.horizon_periods intervals (p_fail: the peak within it).
ForecastModel fit_workload_forecaster(const PredictorSpec& predictor, const EnvironmentSpec& environment,
                                      double interval_s, std::uint64_t seed);

}  // namespace vfo::sim
