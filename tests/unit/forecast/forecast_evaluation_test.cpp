#include "vfo/forecast/forecast_evaluation.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "vfo/forecast/baselines.hpp"

namespace vfo {
namespace {

// Persistence as the model and as its only baseline, without uncertainty: p_fail is 1 exactly when the last
// reading is above 90 %.
ForecastModel persistence_model() {
  ForecastModel m;
  m.point = std::make_shared<PersistenceModel>();
  m.spec = WindowSpec{3, 1};
  m.channels = 1;
  m.interval_s = 300;
  m.calibration = OverloadCalibration(OverloadCalibration::State{1, {90, 90}, {}, {std::vector<float>{0}}});
  m.baselines.push_back({m.point, m.calibration});
  m.base_rate = 0.1;
  return m;
}

// 30 readings of 50 %, but 95 % at steps 20, 21 and 22.
UsageSeries spike() {
  UsageSeries s;
  s.name = "synthetic/spike";
  s.interval_s = 300;
  s.cpu_pct.assign(30, 50);
  s.cpu_pct[20] = s.cpu_pct[21] = s.cpu_pct[22] = 95;
  return s;
}

TEST(ForecastEvaluation, AlarmsOfPersistenceOnASpikeAreTheKnownOnes) {
  const std::vector<UsageSeries> series = {spike()};
  const ForecastModel model = persistence_model();
  const Examples examples = make_examples(series, model.spec, 1);
  ASSERT_EQ(examples.count(), 27u);  // forecasts at steps 2 .. 28
  const Evaluation e = evaluate_forecaster(model, series, examples, EvaluationOptions{});
  ASSERT_EQ(e.methods.size(), 3u);
  EXPECT_EQ(e.methods[0].method, "persistence (model)");
  EXPECT_EQ(e.methods[1].method, "guarded");
  for (const MethodEvaluation& m : e.methods) {
    const AlarmScores& a = m.alarms;
    // Events: the forecasts at 19, 20 and 21 (of steps 20 .. 22). Alarms: at 20, 21 and 22 (95 % read); the
    // one at 22 is false. The episode at 20 could be warned of only by the forecast at 19, which read 50 %.
    EXPECT_EQ(a.events, 3u) << m.method;
    EXPECT_EQ(a.alarms, 3u) << m.method;
    EXPECT_EQ(a.true_alarms, 2u) << m.method;
    EXPECT_DOUBLE_EQ(a.precision, 2.0 / 3) << m.method;
    EXPECT_DOUBLE_EQ(a.recall, 2.0 / 3) << m.method;
    EXPECT_DOUBLE_EQ(a.false_alarms_per_node_hour, 1 / (27 * 300.0 / 3600)) << m.method;
    EXPECT_EQ(a.episodes, 1u) << m.method;
    EXPECT_EQ(a.warned_episodes, 0u) << m.method;
  }
  // The errors: persistence misses each change of level by 45 points, 2 changes in 27 forecasts.
  EXPECT_DOUBLE_EQ(e.methods[0].error[0].mae, 2 * 45.0 / 27);
  EXPECT_EQ(e.guard_answers[0] + e.guard_answers[1], 27u);
}

TEST(ForecastEvaluation, RejectsExamplesThatDoNotComeFromTheSeries) {
  const ForecastModel model = persistence_model();
  Examples examples = make_examples({spike()}, model.spec, 1);
  EXPECT_THROW(evaluate_forecaster(model, {}, examples, EvaluationOptions{}), std::invalid_argument);
  examples.steps.clear();
  EXPECT_THROW(evaluate_forecaster(model, {spike()}, examples, EvaluationOptions{}), std::invalid_argument);
}

}  // namespace
}  // namespace vfo
