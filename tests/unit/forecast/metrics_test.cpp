#include "vfo/forecast/metrics.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <vector>

namespace vfo {
namespace {

using ::testing::ElementsAre;

TEST(Metrics, MaeAndRmsePerChannel) {
  // Three examples of (CPU, RAM).
  const std::vector<float> predictions = {1, 10, 2, 20, 3, 30};
  const std::vector<float> targets = {2, 10, 2, 24, 0, 27};
  // CPU errors: -1, 0, 3 -> MAE 4/3, RMSE sqrt((1 + 0 + 9) / 3)
  const ErrorStats cpu = error_stats(predictions, targets, 2, 0);
  EXPECT_EQ(cpu.count, 3u);
  EXPECT_DOUBLE_EQ(cpu.mae, 4.0 / 3);
  EXPECT_DOUBLE_EQ(cpu.rmse, std::sqrt(10.0 / 3));
  // RAM errors: 0, -4, 3 -> MAE 7/3, RMSE sqrt((0 + 16 + 9) / 3)
  const ErrorStats ram = error_stats(predictions, targets, 2, 1);
  EXPECT_DOUBLE_EQ(ram.mae, 7.0 / 3);
  EXPECT_DOUBLE_EQ(ram.rmse, std::sqrt(25.0 / 3));
  // One channel: errors -1, 0, 0, -4, 3, 3 over six -> MAE 11/6, RMSE sqrt((1+0+0+16+9+9)/6)
  const ErrorStats one = error_stats(predictions, targets, 1, 0);
  EXPECT_EQ(one.count, 6u);
  EXPECT_DOUBLE_EQ(one.mae, 11.0 / 6);
  EXPECT_DOUBLE_EQ(one.rmse, std::sqrt(35.0 / 6));

  EXPECT_EQ(error_stats({}, {}, 2, 1).count, 0u);
  EXPECT_THROW(error_stats(predictions, {1, 2}, 2, 0), std::invalid_argument);
  EXPECT_THROW(error_stats(predictions, targets, 2, 2), std::invalid_argument);
  EXPECT_THROW(error_stats({1, 2, 3}, {1, 2, 3}, 2, 0), std::invalid_argument);
}

TEST(Metrics, BrierScore) {
  // (0.9-1)^2 + (0.2-0)^2 + (0.5-1)^2 + (0-0)^2 = 0.01 + 0.04 + 0.25 + 0 = 0.30, over 4 -> 0.075
  EXPECT_DOUBLE_EQ(brier_score({0.9, 0.2, 0.5, 0.0}, {1, 0, 1, 0}), 0.075);
  EXPECT_DOUBLE_EQ(brier_score({1.0, 0.0}, {1, 0}), 0.0);
  EXPECT_THROW(brier_score({}, {}), std::invalid_argument);
  EXPECT_THROW(brier_score({0.5}, {1, 0}), std::invalid_argument);
  EXPECT_THROW(brier_score({0.5}, {2}), std::invalid_argument);
}

TEST(Metrics, ReliabilityTable) {
  const std::vector<double> p = {0.05, 0.3, 0.35, 0.9, 1.0, 0.0};
  const std::vector<int> o = {0, 1, 0, 1, 1, 0};
  const auto table = reliability_table(p, o, 5);
  ASSERT_EQ(table.size(), 5u);
  // [0, .2): 0.05, 0.0 -> mean 0.025, observed 0/2
  // [.2, .4): 0.3, 0.35 -> mean 0.325, observed 1/2
  // [.4, .6) and [.6, .8): empty
  // [.8, 1]: 0.9, 1.0 (p == 1 lands in the last bin) -> mean 0.95, observed 2/2
  const std::size_t counts[] = {2, 2, 0, 0, 2};
  const double means[] = {0.025, 0.325, 0, 0, 0.95};
  const double observed[] = {0, 0.5, 0, 0, 1};
  for (std::size_t b = 0; b < 5; ++b) {
    SCOPED_TRACE(b);
    EXPECT_DOUBLE_EQ(table[b].lo, b * 0.2);
    EXPECT_DOUBLE_EQ(table[b].hi, (b + 1) * 0.2);
    EXPECT_EQ(table[b].count, counts[b]);
    EXPECT_DOUBLE_EQ(table[b].mean_probability, means[b]);
    EXPECT_DOUBLE_EQ(table[b].observed_frequency, observed[b]);
  }
  EXPECT_EQ(reliability_table({}, {}).size(), 10u);  // the default, all empty
  EXPECT_THROW(reliability_table({1.1}, {1}), std::invalid_argument);
  EXPECT_THROW(reliability_table({-0.1}, {1}), std::invalid_argument);
  EXPECT_THROW(reliability_table({0.5}, {1}, 0), std::invalid_argument);
  EXPECT_THROW(reliability_table({0.5}, {3}), std::invalid_argument);
  EXPECT_THROW(reliability_table({0.5, 0.5}, {1}), std::invalid_argument);
}

TEST(Metrics, OverloadOutcomesUseStrictThresholdsOnAnyChannel) {
  Examples e;
  e.window = 1;
  e.channels = 2;
  e.inputs = {0, 0, 0, 0, 0, 0, 0, 0};
  e.series = {0, 0, 0, 0};
  // (CPU, RAM) peaks: CPU over; both at the threshold (not over); RAM over; both just under.
  e.peaks = {95, 10, 90, 90, 50, 91, 89.9f, 89.9f};
  e.targets = e.peaks;
  EXPECT_THAT(overload_outcomes(e, {.cpu_pct = 90, .ram_pct = 90}), ElementsAre(1, 0, 1, 0));
  EXPECT_THAT(overload_outcomes(e, {.cpu_pct = 40, .ram_pct = 100}), ElementsAre(1, 1, 1, 1));
  // With one channel only the CPU counts.
  Examples cpu_only = e;
  cpu_only.channels = 1;
  cpu_only.peaks = {95, 90, 50, 89.9f};
  EXPECT_THAT(overload_outcomes(cpu_only, {.cpu_pct = 90, .ram_pct = 0}), ElementsAre(1, 0, 0, 0));
  cpu_only.peaks.pop_back();
  EXPECT_THROW(overload_outcomes(cpu_only, {}), std::invalid_argument);
}

}  // namespace
}  // namespace vfo
