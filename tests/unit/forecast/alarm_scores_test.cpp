#include "vfo/forecast/alarm_scores.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace vfo {
namespace {

// 20 steps of one node at 300 s; overload episodes at steps 10-11 and 16. One forecast a step (0..18), horizon
// 1: forecast s speaks of step s + 1. Alarms (p >= 0.5) at steps 3 (false), 7, 8, 9 (a run that warns of the
// episode at 10, 3 steps ahead); step 10's forecast (of step 11) says 0.2 and step 15's (of 16) 0.1: missed.
AlarmTrack known_track() {
  AlarmTrack t;
  t.exceeds.assign(20, 0);
  t.exceeds[10] = t.exceeds[11] = t.exceeds[16] = 1;
  for (int s = 0; s <= 18; ++s) {
    t.steps.push_back(s);
    t.outcomes.push_back(t.exceeds[s + 1]);
    const bool alarm = s == 3 || s == 7 || s == 8 || s == 9;
    t.p.push_back(alarm ? 0.6 : (s == 10 ? 0.2 : (s == 15 ? 0.1 : 0.0)));
  }
  return t;
}

TEST(AlarmScores, CountsAlarmsEventsAndEpisodesOfAKnownTrack) {
  const AlarmScores s = score_alarms({known_track()}, 0.5, 1, 300, 0.1);
  EXPECT_EQ(s.forecasts, 19u);
  EXPECT_EQ(s.events, 3u);  // forecasts at 9, 10 and 15
  EXPECT_EQ(s.alarms, 4u);
  EXPECT_EQ(s.true_alarms, 1u);
  EXPECT_DOUBLE_EQ(s.precision, 0.25);
  EXPECT_DOUBLE_EQ(s.recall, 1.0 / 3);
  // 3 false alarms in 19 forecasts of 300 s.
  EXPECT_DOUBLE_EQ(s.false_alarms_per_node_hour, 3 / (19 * 300.0 / 3600));
  EXPECT_EQ(s.episodes, 2u);
  EXPECT_EQ(s.warned_episodes, 1u);
  EXPECT_DOUBLE_EQ(s.mean_lead_s, 900);  // the run 7, 8, 9 before step 10
  EXPECT_DOUBLE_EQ(s.median_lead_s, 900);
}

TEST(AlarmScores, BrierSkillIsAgainstTheBaseRate) {
  const AlarmTrack t = known_track();
  const AlarmScores s = score_alarms({t}, 0.5, 1, 300, 0.1);
  double brier = 0, base = 0;
  for (std::size_t i = 0; i < t.p.size(); ++i) {
    brier += (t.p[i] - t.outcomes[i]) * (t.p[i] - t.outcomes[i]);
    base += (0.1 - t.outcomes[i]) * (0.1 - t.outcomes[i]);
  }
  EXPECT_DOUBLE_EQ(s.brier, brier / 19);
  EXPECT_DOUBLE_EQ(s.base_rate_brier, base / 19);
  EXPECT_NEAR(s.brier_skill, 1 - brier / base, 1e-12);
}

TEST(AlarmScores, ALeadStopsAtTheEndOfTheEpisodeBefore) {
  // Episodes at 2-3 and 5; alarms at every step: the warning of the episode at 5 starts at 4, after the first
  // episode ended, so its lead is 1 step. The first episode's run starts at step 0: lead 2.
  AlarmTrack t;
  t.exceeds = {0, 0, 1, 1, 0, 1, 0};
  for (int s = 0; s < 6; ++s) {
    t.steps.push_back(s);
    t.outcomes.push_back(t.exceeds[s + 1]);
    t.p.push_back(1.0);
  }
  const AlarmScores s = score_alarms({t}, 0.5, 1, 60, 0);
  EXPECT_EQ(s.episodes, 2u);
  EXPECT_EQ(s.warned_episodes, 2u);
  EXPECT_DOUBLE_EQ(s.mean_lead_s, (2 * 60 + 1 * 60) / 2.0);
}

TEST(AlarmScores, WithALongerHorizonAnEarlierForecastCanWarn) {
  // Horizon 3: the forecast at step 1 speaks of (1, 4] and warns of the episode at 4; at 2 and 3 it is silent.
  AlarmTrack t;
  t.exceeds = {0, 0, 0, 0, 1, 0};
  t.steps = {0, 1, 2, 3};
  t.outcomes = {0, 1, 1, 1};
  t.p = {0, 0.9, 0, 0};
  const AlarmScores s = score_alarms({t}, 0.5, 3, 60, 0);
  EXPECT_EQ(s.warned_episodes, 1u);
  EXPECT_DOUBLE_EQ(s.mean_lead_s, 180);
  // With horizon 1 only the forecast at step 3 could have warned, and it did not.
  const AlarmScores one = score_alarms({t}, 0.5, 1, 60, 0);
  EXPECT_EQ(one.episodes, 1u);
  EXPECT_EQ(one.warned_episodes, 0u);
  EXPECT_TRUE(std::isnan(one.mean_lead_s));
}

TEST(AlarmScores, UndefinedScoresAreNaN) {
  AlarmTrack t;
  t.exceeds = {0, 0, 0};
  t.steps = {0, 1};
  t.outcomes = {0, 0};
  t.p = {0.1, 0.2};
  const AlarmScores s = score_alarms({t}, 0.5, 1, 60, 0.5);
  EXPECT_TRUE(std::isnan(s.precision));
  EXPECT_TRUE(std::isnan(s.recall));
  EXPECT_TRUE(std::isnan(s.roc_auc));
  EXPECT_DOUBLE_EQ(s.false_alarms_per_node_hour, 0);
  EXPECT_EQ(s.episodes, 0u);
}

TEST(AlarmScores, RejectsInconsistentTracks) {
  AlarmTrack t = known_track();
  t.steps[3] = 2;
  EXPECT_THROW(score_alarms({t}, 0.5, 1, 300, 0), std::invalid_argument);
  t = known_track();
  t.steps.back() = 20;  // no reading there
  EXPECT_THROW(score_alarms({t}, 0.5, 1, 300, 0), std::invalid_argument);
  t = known_track();
  t.p[0] = 1.5;
  EXPECT_THROW(score_alarms({t}, 0.5, 1, 300, 0), std::invalid_argument);
  EXPECT_THROW(score_alarms({known_track()}, 0.5, 0, 300, 0), std::invalid_argument);
}

TEST(RocAuc, CountsOrderedPairsAndHalvesTies) {
  EXPECT_DOUBLE_EQ(roc_auc({0.1, 0.4, 0.35, 0.8}, {0, 0, 1, 1}), 0.75);
  EXPECT_DOUBLE_EQ(roc_auc({0.5, 0.5}, {0, 1}), 0.5);
  EXPECT_DOUBLE_EQ(roc_auc({0.9, 0.1}, {1, 0}), 1.0);
  EXPECT_TRUE(std::isnan(roc_auc({0.9, 0.1}, {1, 1})));
  EXPECT_THROW(roc_auc({0.9}, {2}), std::invalid_argument);
}

TEST(PrecisionRecall, OnePointPerDistinctThresholdAndTheBestF1) {
  const auto curve = precision_recall_curve({0.9, 0.8, 0.8, 0.1}, {1, 0, 1, 0});
  ASSERT_EQ(curve.size(), 3u);
  EXPECT_DOUBLE_EQ(curve[0].threshold, 0.9);
  EXPECT_DOUBLE_EQ(curve[0].precision, 1);
  EXPECT_DOUBLE_EQ(curve[0].recall, 0.5);
  EXPECT_DOUBLE_EQ(curve[1].threshold, 0.8);
  EXPECT_DOUBLE_EQ(curve[1].precision, 2.0 / 3);
  EXPECT_DOUBLE_EQ(curve[1].recall, 1);
  EXPECT_DOUBLE_EQ(curve[2].precision, 0.5);
  EXPECT_DOUBLE_EQ(best_f1_threshold(curve), 0.8);  // F1 0.8 against 0.667 and 0.667
  EXPECT_TRUE(precision_recall_curve({0.5}, {0}).empty());
  EXPECT_TRUE(std::isnan(best_f1_threshold({})));
}

TEST(PrecisionRecall, ThinsToTheAskedNumberOfPointsKeepingTheLowestThreshold) {
  std::vector<double> p;
  std::vector<int> outcomes;
  for (int i = 0; i < 1000; ++i) {
    p.push_back(i / 1000.0);
    outcomes.push_back(i % 3 == 0 ? 1 : 0);
  }
  const auto curve = precision_recall_curve(p, outcomes, 50);
  ASSERT_EQ(curve.size(), 50u);
  EXPECT_DOUBLE_EQ(curve.front().threshold, 0.999);
  EXPECT_DOUBLE_EQ(curve.back().threshold, 0.0);
  EXPECT_DOUBLE_EQ(curve.back().recall, 1.0);
}

}  // namespace
}  // namespace vfo
