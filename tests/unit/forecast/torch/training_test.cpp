#include "vfo/forecast/training.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "support/input_error.hpp"
#include "vfo/forecast/baselines.hpp"
#include "vfo/util/input_error.hpp"
#include "vfo/util/random.hpp"

namespace vfo {
namespace {

// `count` series of x_{t+1} = 0.7 x_t + 15 + N(0, 5) (stationary mean 50), with RAM = CPU / 2 when asked.
std::vector<UsageSeries> ar1_series(int count, int length, bool ram, std::uint64_t seed = 7) {
  std::vector<UsageSeries> out;
  Rng rng(seed);
  for (int s = 0; s < count; ++s) {
    UsageSeries u;
    u.name = "synthetic:" + std::to_string(s);
    u.interval_s = 300;
    double x = 50;
    for (int t = 0; t < length; ++t) {
      x = 0.7 * x + 15 + rng.normal(0, 5);
      u.cpu_pct.push_back(x);
      if (ram) u.ram_pct.push_back(x / 2);
    }
    out.push_back(std::move(u));
  }
  return out;
}

TEST(SplitSeries, EverySeriesInExactlyOneSplitWhateverTheOrder) {
  std::vector<UsageSeries> series = ar1_series(200, 3, false);
  const SeriesSplit a = split_series(series, 5, {});
  EXPECT_EQ(a.train.size() + a.validation.size() + a.test.size(), series.size());
  std::reverse(series.begin(), series.end());
  const SeriesSplit b = split_series(series, 5, {});
  std::set<std::string> test_a, test_b;
  for (const auto& s : a.test) test_a.insert(s.name);
  for (const auto& s : b.test) test_b.insert(s.name);
  EXPECT_EQ(test_a, test_b);
  EXPECT_GT(a.test.size(), 10u);
  EXPECT_GT(a.validation.size(), 10u);
}

TEST(SampleSeries, KeepsTheSameSeriesWhateverTheOrderAndKeepsOrder) {
  std::vector<UsageSeries> series = ar1_series(50, 2, false);
  const std::vector<UsageSeries> a = sample_series(series, 10, 3);
  ASSERT_EQ(a.size(), 10u);
  std::reverse(series.begin(), series.end());
  const std::vector<UsageSeries> b = sample_series(series, 10, 3);
  std::set<std::string> na, nb;
  for (const auto& s : a) na.insert(s.name);
  for (const auto& s : b) nb.insert(s.name);
  EXPECT_EQ(na, nb);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end(), [](const auto& x, const auto& y) {
    return std::stoi(x.name.substr(10)) < std::stoi(y.name.substr(10));
  }));
  EXPECT_EQ(sample_series(series, 0, 3).size(), 50u);
  EXPECT_NE(na, [&] {
    std::set<std::string> nc;
    for (const auto& s : sample_series(series, 10, 4)) nc.insert(s.name);
    return nc;
  }());
}

TEST(TrainForecastModel, ArRecoversTheProcessAndCalibratesOnValidation) {
  ForecastTrainOptions o;
  o.method = "ar";
  o.ar_order = 2;
  o.spec = {4, 1};
  o.thresholds = {60, 90};
  TrainingReport report;
  const ForecastModel m = train_forecast_model(ar1_series(60, 200, false), o, &report);
  EXPECT_EQ(m.point->name(), "ar2");
  EXPECT_EQ(m.channels, 1);
  EXPECT_EQ(m.interval_s, 300);
  EXPECT_EQ(report.series[0] + report.series[1] + report.series[2], 60u);
  EXPECT_EQ(report.examples[0], report.series[0] * (200 - 4));
  const auto& c = dynamic_cast<const ArModel&>(*m.point).coefficients()[0];
  EXPECT_NEAR(c[2], 0.7, 0.03);  // newest reading
  EXPECT_NEAR(c[1], 0.0, 0.03);
  EXPECT_NEAR(c[0], 15, 2.0);
  // x_{t+1} ~ N(prediction, 5): a prediction at the threshold overloads about half the time, 10 below rarely.
  const float at_threshold[] = {60.0f};
  const float below[] = {50.0f};
  EXPECT_NEAR(m.calibration.probability(at_threshold), 0.5, 0.1);
  EXPECT_LT(m.calibration.probability(below), 0.05);
}

TEST(TrainForecastModel, TwoChannelsWhenEverySeriesHasRam) {
  ForecastTrainOptions o;
  o.method = "persistence";
  EXPECT_EQ(train_forecast_model(ar1_series(30, 40, true), o).channels, 2);
  o.channels = 1;
  EXPECT_EQ(train_forecast_model(ar1_series(30, 40, true), o).channels, 1);
}

TEST(TrainForecastModel, ClearErrorsForDataItCannotUse) {
  ForecastTrainOptions o;
  o.method = "ma";
  o.channels = 2;
  EXPECT_THROW(train_forecast_model(ar1_series(30, 40, false), o), InputError);
  o.channels = 0;
  o.spec.window = 50;  // longer than every series
  EXPECT_THAT(test::input_error_of([&] { train_forecast_model(ar1_series(30, 40, false), o); }),
              ::testing::HasSubstr("split has no example"));
  EXPECT_THROW(train_forecast_model({}, o), InputError);
}

}  // namespace
}  // namespace vfo
