#include "vfo/forecast/forecast_guard.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

namespace vfo {
namespace {

// Candidates: 0 = a network, 1 = persistence, 2 = another baseline; one channel, horizon 1.
GuardOptions three_candidates() {
  GuardOptions o;
  o.persistence = 1;
  o.warmup = 3;
  return o;
}

// Feeds `steps` steps where the truth is always 50 and candidate c predicts 50 + errors[c].
void feed(ForecastGuard& guard, long& step, int steps, const std::vector<float>& errors, CalibrationCounts* cluster) {
  const std::vector<double> p(errors.size(), 0.0);
  for (int i = 0; i < steps; ++i, ++step) {
    std::vector<float> predictions;
    for (const float e : errors) predictions.push_back(50 + e);
    const float target = 50;
    guard.resolve(step - 1, &target, false, cluster);
    guard.forecast(step, predictions.data(), p.data(), cluster);
  }
}

TEST(ForecastGuard, AnswersWithPersistenceUntilItHasSeenEnough) {
  ForecastGuard guard(three_candidates(), 3);
  long step = 0;
  feed(guard, step, 3, {1, 5, 9}, nullptr);  // forecasts 0, 1, 2; outcomes of 0 and 1 known
  EXPECT_EQ(guard.scored(), 2);
  EXPECT_EQ(guard.leader(), 1u);
  feed(guard, step, 1, {1, 5, 9}, nullptr);
  EXPECT_EQ(guard.scored(), 3);
  EXPECT_EQ(guard.leader(), 0u);  // the network's error 1 beats persistence's 5
  EXPECT_DOUBLE_EQ(guard.error(0), 1);
  EXPECT_DOUBLE_EQ(guard.error(1), 5);
}

TEST(ForecastGuard, NeverPrefersACandidateThatIsWorseThanPersistence) {
  ForecastGuard guard(three_candidates(), 3);
  long step = 0;
  feed(guard, step, 50, {8, 2, 2}, nullptr);  // the third ties persistence: persistence stays
  EXPECT_EQ(guard.leader(), 1u);
}

TEST(ForecastGuard, RecentErrorsWeighMoreSoTheLeaderChangesWhenTheNodeDoes) {
  ForecastGuard guard(three_candidates(), 3);
  long step = 0;
  feed(guard, step, 40, {1, 4, 6}, nullptr);
  EXPECT_EQ(guard.leader(), 0u);
  feed(guard, step, 40, {9, 4, 2}, nullptr);  // the network goes wrong on this node; the third does best
  EXPECT_EQ(guard.leader(), 2u);
}

TEST(ForecastGuard, UnresolvedForecastsAreDroppedAndUnknownStepsIgnored) {
  GuardOptions o = three_candidates();
  o.horizon = 2;
  ForecastGuard guard(o, 3);
  const std::vector<float> predictions = {50, 51, 52};
  const std::vector<double> p = {0, 0, 0};
  const float target = 50;
  guard.forecast(10, predictions.data(), p.data(), nullptr);
  guard.forecast(11, predictions.data(), p.data(), nullptr);
  guard.resolve(9, &target, false, nullptr);  // no forecast at 9
  EXPECT_EQ(guard.scored(), 0);
  guard.resolve(11, &target, false, nullptr);  // 10's outcome was never measured: dropped, 11 scored
  EXPECT_EQ(guard.scored(), 1);
  guard.resolve(10, &target, false, nullptr);
  EXPECT_EQ(guard.scored(), 1);
  EXPECT_THROW(guard.forecast(11, predictions.data(), p.data(), nullptr), std::invalid_argument);
}

TEST(ForecastGuard, RecalibratesPFailOnWhatFollowedOnTheNodeAndInTheCluster) {
  GuardOptions o = three_candidates();
  o.warmup = 1000;  // persistence answers throughout
  o.node_prior = 10;
  o.cluster_prior = 10;
  ForecastGuard guard(o, 3);
  CalibrationCounts cluster;
  const std::vector<float> predictions = {50, 50, 50};
  const std::vector<double> p = {0.15, 0.15, 0.15};  // the offline calibration says 15 %
  const float target = 50;
  // Before any outcome the answer is the offline p.
  EXPECT_DOUBLE_EQ(guard.forecast(0, predictions.data(), p.data(), &cluster).p_fail, 0.15);
  // Every 0.15 forecast was followed by an overload, 90 times.
  for (long s = 1; s <= 90; ++s) {
    guard.resolve(s - 1, &target, true, &cluster);
    guard.forecast(s, predictions.data(), p.data(), &cluster);
  }
  guard.resolve(90, &target, true, &cluster);
  const double cluster_p = (91 + 10 * 0.15) / (91 + 10.0);
  const double expected = (91 + 10 * cluster_p) / (91 + 10.0);
  EXPECT_NEAR(guard.forecast(91, predictions.data(), p.data(), &cluster).p_fail, expected, 1e-12);
  // Another bin of p keeps its offline value; another node starts from the cluster's rate of the bin.
  const std::vector<double> low = {0.5, 0.5, 0.5};
  EXPECT_DOUBLE_EQ(guard.forecast(92, predictions.data(), low.data(), &cluster).p_fail, 0.5);
  ForecastGuard newcomer(o, 3);
  EXPECT_NEAR(newcomer.forecast(0, predictions.data(), p.data(), &cluster).p_fail, cluster_p, 1e-12);
}

TEST(ForecastGuard, PFailComesFromTheCandidateWithTheBestBrierScoreInTheCluster) {
  GuardOptions o = three_candidates();
  o.cluster_warmup = 20;
  CalibrationCounts cluster;
  ForecastGuard a(o, 3), b(o, 3);
  const std::vector<float> predictions = {50, 50, 50};
  const float target = 50;
  // Every horizon overloads; the network says 0.3, persistence 0, the third 0.9: the third's p is best.
  const std::vector<double> p = {0.3, 0.0, 0.9};
  for (long s = 0; s < 15; ++s) {
    // Node a resolves first: at step s the cluster knows 2 s - 1 outcomes when a forecasts, 2 s when b does.
    a.resolve(s - 1, &target, true, &cluster);
    EXPECT_EQ(a.forecast(s, predictions.data(), p.data(), &cluster).p_candidate, 2 * s - 1 >= 20 ? 2u : 1u) << s;
    b.resolve(s - 1, &target, true, &cluster);
    EXPECT_EQ(b.forecast(s, predictions.data(), p.data(), &cluster).p_candidate, 2 * s >= 20 ? 2u : 1u) << s;
  }
  EXPECT_EQ(cluster.best_probabilities(1, 3, 20), 2u);
  EXPECT_EQ(cluster.best_probabilities(1, 3, 1000), 1u);  // still warming up
}

TEST(ForecastGuard, BinsOfRawP) {
  EXPECT_EQ(CalibrationCounts::bin_of(0), 0u);
  EXPECT_EQ(CalibrationCounts::bin_of(0.001), 1u);
  EXPECT_EQ(CalibrationCounts::bin_of(0.5), 7u);
  EXPECT_EQ(CalibrationCounts::bin_of(1), CalibrationCounts::kBins - 1);
}

TEST(ForecastGuard, RejectsBadOptions) {
  GuardOptions o = three_candidates();
  EXPECT_THROW(ForecastGuard(o, 1), std::invalid_argument);  // persistence 1 is not among 1 candidate
  o.horizon = 0;
  EXPECT_THROW(ForecastGuard(o, 3), std::invalid_argument);
  o = three_candidates();
  o.error_half_life = 0;
  EXPECT_THROW(ForecastGuard(o, 3), std::invalid_argument);
}

}  // namespace
}  // namespace vfo
