#include "vfo/scenario/study_size.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "vfo/scenario/scenario_loader.hpp"

namespace vfo {
namespace {

using ::testing::HasSubstr;

TEST(StudySize, CountsWhatTheSimulatorDrawsForTheWholeRun) {
  const Scenario s = load_scenario(std::string(VFO_SOURCE_DIR) + "/scenarios/quickstart.yaml");
  const StudySize size = estimate_study_size(s);
  EXPECT_EQ(size.nodes, 500);
  // Two Poisson processes per node with P(an event within the hour) = 0.1, over one hour.
  EXPECT_NEAR(size.node_events, 500 * 2 * -std::log(0.9), 1e-9);
  EXPECT_NEAR(size.services, 83, 1e-9);         // normal demand, one hour
  EXPECT_NEAR(size.functions, 83 * 8.0, 1e-9);  // chains of 8 VFs on average
  EXPECT_EQ(size.jobs, 0);                      // dedicated environment
  EXPECT_EQ(size.training_readings, 0);         // the confusion predictor is not trained
  EXPECT_GT(size.bytes, 0);
  EXPECT_LT(size.bytes, 1e9);
  EXPECT_EQ(size.dominant_key, "environment.nodes");
  EXPECT_THAT(size.describe(), HasSubstr("5e+02 nodes"));
}

TEST(StudySize, ScalesWithEachDriverAndNamesTheOneThatDominates) {
  Scenario s;
  s.duration_s = 7200;
  s.environment.nodes = 10;
  s.environment.p_leave = 1;  // an event at the start of every window
  s.environment.p_overload = 0;
  s.environment.probability_window_s = 1e-3;
  StudySize size = estimate_study_size(s);
  EXPECT_NEAR(size.node_events, 10 * 7200 / 1e-3, 1);
  EXPECT_EQ(size.dominant_key, "environment.probability_window_s");

  s.environment.p_leave = 0;
  s.chains.functions_per_node = 0.5;  // Fig. 9b: every chain has nodes / 2 VFs
  size = estimate_study_size(s);
  EXPECT_NEAR(size.functions, size.services * 5, 1e-9);

  s.environment.kind = "generic";
  s.environment.jobs.initial_jobs.mean = 1000;
  s.environment.jobs.rate_per_hour.mean = 0;
  s.control.predictor.kind = "forecast";
  s.control.predictor.training_nodes = 100;
  s.control.predictor.training_hours = 10;
  s.control.probing_period_s = 30;
  size = estimate_study_size(s);
  EXPECT_NEAR(size.jobs, 10 * 1000, 1e-9);
  EXPECT_NEAR(size.training_readings, 100 * 10 * 120, 1e-9);
}

}  // namespace
}  // namespace vfo
