#pragma once
// What `vfo forecast eval` measures, without its files: a saved model, its baselines and the guarded forecaster
// built from them, scored on the same examples as point forecasts (MAE, RMSE), as probabilities (Brier) and as
// alarms at the controller's threshold K (alarm_scores.hpp).
#include <cstddef>
#include <string>
#include <vector>

#include "vfo/forecast/alarm_scores.hpp"
#include "vfo/forecast/examples.hpp"
#include "vfo/forecast/forecast_guard.hpp"
#include "vfo/forecast/forecast_model.hpp"
#include "vfo/forecast/metrics.hpp"
#include "vfo/forecast/usage_series.hpp"

namespace vfo {

struct EvaluationOptions {
  double k = 0.5;      // alarm when p_fail >= k
  GuardOptions guard;  // its horizon, channels and persistence are the model's
};

struct MethodEvaluation {
  std::string method;              // "lstm (model)", "guarded", "persistence", "ma12", ...
  std::vector<float> predictions;  // count x channels
  std::vector<double> p_fail;      // one per example
  ErrorStats error[2];             // per channel (CPU, RAM)
  AlarmScores alarms;              // also the Brier score and its skill
  std::vector<PrecisionRecallPoint> curve;
};

struct Evaluation {
  std::vector<MethodEvaluation> methods;  // the model, the guarded forecaster, then each baseline
  // How often the guard answered with each candidate (the model, then the baselines).
  std::vector<std::size_t> guard_answers;
  std::vector<int> outcomes;  // per example: 1 when its horizon overloaded
  double event_rate = 0;      // the mean of outcomes
};

// Scores `model` on `examples`, cut from `series` by make_examples with the model's spec and channels. The
// guard runs over the series in lockstep, step by step, as over the nodes of one cluster: a forecast is scored
// `horizon` steps after it was made, and the cluster's recalibration counts only what was scored by then.
// Throws std::invalid_argument when the examples are empty, have no steps, or do not fit `series`.
Evaluation evaluate_forecaster(const ForecastModel& model, const std::vector<UsageSeries>& series,
                               const Examples& examples, const EvaluationOptions& options);

}  // namespace vfo
