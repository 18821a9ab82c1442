#include "vfo/forecast/model_forecaster.hpp"

#include <gtest/gtest.h>

#include <memory>
#include <stdexcept>
#include <vector>

#include "vfo/forecast/baselines.hpp"

namespace vfo {
namespace {

// A point model that reports what it was given: its prediction is the window's oldest CPU reading
// (channel 0) and, with two channels, the newest RAM reading.
class OldestCpuModel final : public PointModel {
 public:
  std::string name() const override { return "oldest"; }
  std::vector<float> predict(const float* inputs, std::size_t count, int window, int channels) const override {
    std::vector<float> out;
    for (std::size_t i = 0; i < count; ++i) {
      const float* row = inputs + i * window * channels;
      out.push_back(row[0]);
      if (channels == 2) out.push_back(row[(window - 1) * channels + 1]);
    }
    return out;
  }
};

ClusterSnapshot snapshot(const std::vector<double>& cpu_pct, const std::vector<bool>& answered = {}) {
  ClusterSnapshot s;
  for (std::size_t i = 0; i < cpu_pct.size(); ++i) {
    NodeReport r;
    r.node = NodeId{static_cast<std::uint32_t>(i)};
    r.answered = answered.empty() || answered[i];
    r.capacity = Resources{2.0e9, 4.0e9};
    r.used = Resources{cpu_pct[i] / 100 * 2.0e9, 0.25 * 4.0e9};
    s.nodes.push_back(r);
  }
  return s;
}

std::shared_ptr<ForecastModel> model_of(std::shared_ptr<const PointModel> point, int window, int channels) {
  auto m = std::make_shared<ForecastModel>();
  m->point = std::move(point);
  m->spec.window = window;
  m->channels = channels;
  // No uncertainty: p_fail is 1 exactly when the predicted CPU is above 90 %.
  m->calibration =
      OverloadCalibration(OverloadCalibration::State{channels, {90, 90}, {}, {std::vector<float>(channels, 0)}});
  return m;
}

TEST(ModelForecaster, FeedsEachNodesLastWindowOldestFirstAndPadsShortHistories) {
  ModelForecaster f(model_of(std::make_shared<OldestCpuModel>(), 3, 1));
  // Node 0: 95 then 10, 10, 10: the oldest reading of the window drops out after three more rounds.
  EXPECT_EQ(f.assess(snapshot({95}), 30), (std::vector<double>{1}));  // padded window 95 95 95
  EXPECT_EQ(f.assess(snapshot({10}), 30), (std::vector<double>{1}));  // 95 95 10
  EXPECT_EQ(f.assess(snapshot({10}), 30), (std::vector<double>{1}));  // 95 10 10
  EXPECT_EQ(f.assess(snapshot({10}), 30), (std::vector<double>{0}));  // 10 10 10
  EXPECT_EQ(f.assess(snapshot({99}), 30), (std::vector<double>{0}));  // 10 10 99
}

TEST(ModelForecaster, NodeThatDidNotAnswerGetsZeroAndKeepsItsHistory) {
  ModelForecaster f(model_of(std::make_shared<PersistenceModel>(), 2, 1));
  EXPECT_EQ(f.assess(snapshot({95, 20}), 30), (std::vector<double>{1, 0}));
  EXPECT_EQ(f.assess(snapshot({95, 20}, {false, true}), 30), (std::vector<double>{0, 0}));
  EXPECT_EQ(f.assess(snapshot({50, 97}), 30), (std::vector<double>{0, 1}));
}

TEST(ModelForecaster, ReadsRamAsUsedOverCapacity) {
  // RAM is 25 % on every node; with a RAM threshold of 20 % every node is at risk.
  auto m = model_of(std::make_shared<OldestCpuModel>(), 2, 2);
  m->calibration = OverloadCalibration(OverloadCalibration::State{2, {90, 20}, {}, {std::vector<float>(2, 0)}});
  ModelForecaster f(m);
  EXPECT_EQ(f.assess(snapshot({10, 10}), 30), (std::vector<double>{1, 1}));
}

TEST(ModelForecaster, UsesTheCalibrationsSpread) {
  // Residuals -10 and +10: a prediction of 85 % overloads (> 90 %) in half of them.
  auto m = model_of(std::make_shared<PersistenceModel>(), 1, 1);
  m->calibration = OverloadCalibration(OverloadCalibration::State{1, {90, 90}, {}, {{-10.0f, 10.0f}}});
  ModelForecaster f(m);
  EXPECT_EQ(f.assess(snapshot({85, 70, 101}), 30), (std::vector<double>{0.5, 0, 1}));
}

TEST(ModelForecaster, TenThousandNodesInOneBatch) {
  ModelForecaster f(model_of(std::make_shared<PersistenceModel>(), 4, 1));
  std::vector<double> cpu(10000);
  for (std::size_t i = 0; i < cpu.size(); ++i) cpu[i] = (i % 2 == 0) ? 99 : 1;
  const std::vector<double> p = f.assess(snapshot(cpu), 30);
  ASSERT_EQ(p.size(), cpu.size());
  for (std::size_t i = 0; i < p.size(); ++i) ASSERT_EQ(p[i], i % 2 == 0 ? 1 : 0) << i;
}

TEST(ModelForecaster, PFailWithAddsTheLoadToTheLastPrediction) {
  ModelForecaster f(model_of(std::make_shared<OldestCpuModel>(), 3, 2));
  const auto p = f.assess(snapshot({60, 85}, {true, true}), 30);
  EXPECT_EQ(p, (std::vector<double>{0, 0}));
  // 20 % of 2e9 instructions/s more: node 0 predicts 80 % (below 90), node 1 105 % (above).
  EXPECT_EQ(f.p_fail_with(0, Resources{0.4e9, 0}), 0.0);
  EXPECT_EQ(f.p_fail_with(1, Resources{0.4e9, 0}), 1.0);
  // RAM counts too: 25 % of 4e9 bytes predicted, 70 % more goes past 90 %.
  EXPECT_EQ(f.p_fail_with(0, Resources{0, 2.8e9}), 1.0);
  f.assess(snapshot({60, 85}, {true, false}), 30);
  EXPECT_EQ(f.p_fail_with(1, Resources{2e9, 0}), 0.0);  // a node that did not answer has no prediction
  EXPECT_THROW((void)f.p_fail_with(2, Resources{}), std::out_of_range);
}

// Node 0 cycles 10, 50, 95: the oldest reading of a 3-window is exactly the next one, persistence is always
// wrong. Node 1 ramps by 1 a round: persistence is off by 1, the oldest reading by 3.
TEST(ModelForecaster, GuardedEachNodeAnswersWithTheCandidateThatDoesBestThere) {
  auto model = model_of(std::make_shared<OldestCpuModel>(), 3, 1);
  model->baselines.push_back({std::make_shared<PersistenceModel>(), model->calibration});
  GuardOptions options;
  options.cluster_warmup = 10;  // p_fail from the model's calibration once the cluster has seen 10 outcomes
  ModelForecaster f(model, options);
  const double cycle[3] = {10, 50, 95};
  std::vector<double> p;
  for (int round = 0; round < 30; ++round) {
    p = f.assess(snapshot({cycle[round % 3], 20.0 + round}), 30);
    const bool next_is_95 = round % 3 == 1;
    // Warm-up: persistence answers 50, and nothing has been seen to recalibrate it yet.
    if (round == 1) {
      EXPECT_EQ(p[0], 0);
    }
    // The model, right every time; its p_fail recalibrated a little by persistence's misses in warm-up.
    if (round >= 8 && next_is_95) {
      EXPECT_GT(p[0], 0.9) << round;
    }
  }
  ASSERT_EQ(f.answers().size(), 2u);
  // Node 0: persistence in the first rounds, then the model; node 1: persistence throughout.
  EXPECT_GE(f.answers()[0], 20u);
  EXPECT_GE(f.answers()[1], 30u + 6u);
  EXPECT_EQ(f.answers()[0] + f.answers()[1], 60u);
  // What-if loads go through the answering candidate: node 0's model predicts 10 next, +50 % is still 60.
  EXPECT_LT(*f.p_fail_with(0, Resources{1.0e9, 0}), 0.1);
  EXPECT_GT(*f.p_fail_with(0, Resources{1.7e9, 0}), 0.9);
}

TEST(ModelForecaster, AGuardNeedsPersistenceAmongTheBaselines) {
  EXPECT_THROW(ModelForecaster(model_of(std::make_shared<OldestCpuModel>(), 3, 1), GuardOptions{}),
               std::invalid_argument);
}

// The network (OldestCpuModel) with persistence as its one baseline, both calibrated without uncertainty.
std::shared_ptr<ForecastModel> with_persistence(int window) {
  auto m = model_of(std::make_shared<OldestCpuModel>(), window, 1);
  m->baselines.push_back({std::make_shared<PersistenceModel>(), m->calibration});
  return m;
}

TEST(ModelForecasterCascade, TheNetworkRunsOnlyWhereTheScreenCannotRuleOutAnOverloadAndOnRefresh) {
  ModelForecaster f(with_persistence(3), std::nullopt, CascadeOptions{.screen_p = 0.5, .refresh_rounds = 4});
  EXPECT_EQ(f.assess(snapshot({10, 95, 20}), 30), (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(f.network_forecasts(), 3u);  // every node, the first time
  // Then node 1 every round (persistence says it may overload); nodes 0 and 2 every 4 rounds, their cycles
  // offset by their ids: node 2 at rounds 2 and 6, node 0 at round 4.
  for (int round = 1; round < 4; ++round) f.assess(snapshot({10, 95, 20}), 30);
  EXPECT_EQ(f.network_forecasts(), 3u + 3u + 1u);
  EXPECT_EQ(f.assess(snapshot({10, 95, 20}), 30), (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(f.network_forecasts(), 7u + 2u);
  f.assess(snapshot({10, 95, 20}), 30);
  f.assess(snapshot({10, 95, 20}), 30);
  EXPECT_EQ(f.network_forecasts(), 9u + 1u + 2u);
}

TEST(ModelForecasterCascade, AnAlarmOnlyTheNetworkRaisesIsKeptWhileItLasts) {
  // Node 0 reads 95 once, then 10: persistence rules it out at once, but the network (the window's oldest
  // reading) still sees 95 for two more rounds; the cascade keeps running it there and alarms as the full network.
  ModelForecaster full(model_of(std::make_shared<OldestCpuModel>(), 3, 1));
  ModelForecaster cascade(with_persistence(3), std::nullopt, CascadeOptions{.screen_p = 0.5, .refresh_rounds = 100});
  for (const double cpu : {95.0, 10.0, 10.0, 10.0, 10.0, 10.0}) {
    EXPECT_EQ(cascade.assess(snapshot({cpu}), 30), full.assess(snapshot({cpu}), 30)) << cpu;
  }
  EXPECT_EQ(cascade.network_forecasts(), 4u);  // the first round, two with 95 in the window, and the one after
  EXPECT_EQ(full.network_forecasts(), 6u);
}

TEST(ModelForecasterCascade, GuardedTheNetworkCompetesOnlyWhereItRan) {
  auto m = with_persistence(2);
  ModelForecaster f(m, GuardOptions{.warmup = 1}, CascadeOptions{.screen_p = 0.5, .refresh_rounds = 3});
  std::vector<double> p;
  for (int round = 0; round < 12; ++round) p = f.assess(snapshot({10, round % 2 == 0 ? 95.0 : 50.0}), 30);
  ASSERT_EQ(f.answers().size(), 2u);
  EXPECT_EQ(f.answers()[0] + f.answers()[1], 24u);  // one answer per node and round
  EXPECT_LT(f.network_forecasts(), 24u);
  EXPECT_GT(f.network_forecasts(), 2u);
  EXPECT_LT(p[0], 0.1);  // node 0 never comes near an overload
}

TEST(ModelForecasterCascade, NeedsTheBaselinesAndOptionsInRange) {
  EXPECT_THROW(ModelForecaster(model_of(std::make_shared<OldestCpuModel>(), 3, 1), std::nullopt, CascadeOptions{}),
               std::invalid_argument);
  EXPECT_THROW(ModelForecaster(with_persistence(3), std::nullopt, CascadeOptions{.screen_p = 0}),
               std::invalid_argument);
  EXPECT_THROW(ModelForecaster(with_persistence(3), std::nullopt, CascadeOptions{.refresh_rounds = 0}),
               std::invalid_argument);
}

}  // namespace
}  // namespace vfo
