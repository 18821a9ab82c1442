#include "vfo/forecast/baselines.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

#include "vfo/util/random.hpp"

namespace vfo {
namespace {

using ::testing::ElementsAre;
using ::testing::FloatEq;

// Two examples, window 4, channels CPU and RAM, laid out as Examples::inputs (step by step, CPU then
// RAM):
//   example 0: CPU 10 20 30 40, RAM 50 40 60 80
//   example 1: CPU  0  0  8  4, RAM  1  2  3  4
const std::vector<float> kInputs = {10, 50, 20, 40, 30, 60, 40, 80,  //
                                    0,  1,  0,  2,  8,  3,  4,  4};

std::vector<float> predict(const PointModel& m) {
  return m.predict(kInputs.data(), 2, 4, 2);
}

TEST(Baseline, PersistenceIsTheLastReading) {
  PersistenceModel m;
  EXPECT_EQ(m.name(), "persistence");
  EXPECT_THAT(predict(m), ElementsAre(40, 80, 4, 4));
  EXPECT_THROW(m.predict(kInputs.data(), 2, 0, 2), std::invalid_argument);
}

TEST(Baseline, MovingAverageOfTheLastNReadings) {
  MovingAverageModel ma2(2);
  EXPECT_EQ(ma2.name(), "ma2");
  // (30 + 40) / 2 = 35, (60 + 80) / 2 = 70, (8 + 4) / 2 = 6, (3 + 4) / 2 = 3.5
  EXPECT_THAT(predict(ma2), ElementsAre(35, 70, 6, 3.5));
  // n = 12 > window 4 averages the whole window:
  // (10+20+30+40)/4 = 25, (50+40+60+80)/4 = 57.5, (0+0+8+4)/4 = 3, (1+2+3+4)/4 = 2.5
  MovingAverageModel ma12(12);
  EXPECT_EQ(ma12.name(), "ma12");
  EXPECT_THAT(predict(ma12), ElementsAre(25, 57.5, 3, 2.5));
  EXPECT_THROW(MovingAverageModel(0), std::invalid_argument);
}

TEST(Baseline, EwmaOverTheWindow) {
  EwmaModel m(0.5);
  // CPU 0: s = 10 -> .5*20 + .5*10 = 15 -> .5*30 + .5*15 = 22.5 -> .5*40 + .5*22.5 = 31.25
  // RAM 0: s = 50 -> .5*40 + .5*50 = 45 -> .5*60 + .5*45 = 52.5 -> .5*80 + .5*52.5 = 66.25
  // CPU 1: s = 0 -> 0 -> .5*8 = 4 -> .5*4 + .5*4 = 4
  // RAM 1: s = 1 -> 1.5 -> .5*3 + .5*1.5 = 2.25 -> .5*4 + .5*2.25 = 3.125
  EXPECT_THAT(predict(m), ElementsAre(31.25, 66.25, 4, 3.125));
  // alpha 0.3, CPU 0: s = 10 -> .3*20 + .7*10 = 13 -> .3*30 + .7*13 = 18.1 -> .3*40 + .7*18.1 = 24.67
  EXPECT_THAT(EwmaModel(0.3).predict(kInputs.data(), 1, 4, 2)[0], FloatEq(24.67f));
  EXPECT_EQ(EwmaModel(0.3).name(), "ewma0.3");
  EXPECT_EQ(EwmaModel(0.25).name(), "ewma0.25");
  EXPECT_EQ(EwmaModel(1).name(), "ewma1");
  EXPECT_THAT(EwmaModel(1).predict(kInputs.data(), 2, 4, 2), ElementsAre(40, 80, 4, 4));  // = persistence
  EXPECT_THROW(EwmaModel(0), std::invalid_argument);
  EXPECT_THROW(EwmaModel(1.5), std::invalid_argument);
}

TEST(Baseline, ArWithGivenCoefficients) {
  // CPU: 1 + 0.5 * (second newest) + 0.25 * (newest); RAM: -2 + newest.
  ArModel m({{1, 0.5, 0.25}, {-2, 0, 1}});
  EXPECT_EQ(m.name(), "ar2");
  EXPECT_EQ(m.order(), 2);
  // example 0: 1 + 0.5*30 + 0.25*40 = 26, -2 + 80 = 78; example 1: 1 + 0.5*8 + 0.25*4 = 6, -2 + 4 = 2
  EXPECT_THAT(predict(m), ElementsAre(26, 78, 6, 2));
  // Not clamped to [0, 100].
  EXPECT_THAT(ArModel({{-100, 0}, {0, 2}}).predict(kInputs.data(), 1, 4, 2), ElementsAre(-100, 160));
  EXPECT_THROW(m.predict(kInputs.data(), 1, 1, 2), std::invalid_argument);  // window < p
  EXPECT_THROW(m.predict(kInputs.data(), 1, 8, 1), std::invalid_argument);  // fitted on 2 channels
  using Coefficients = std::vector<std::vector<double>>;
  EXPECT_THROW(ArModel(Coefficients{}), std::invalid_argument);
  EXPECT_THROW(ArModel(Coefficients{{1}}), std::invalid_argument);
  EXPECT_THROW(ArModel(Coefficients{{1, 2}, {1, 2, 3}}), std::invalid_argument);
}

// Series of x_t = c + sum_j a[j] * x_{t-1-j} + N(0, sigma) (a[0] weighs the newest reading), each
// starting from random readings in [0, 100].
std::vector<UsageSeries> simulate_ar(double c, const std::vector<double>& a, double sigma, int series, int length,
                                     Rng& rng) {
  std::vector<UsageSeries> out(static_cast<std::size_t>(series));
  for (UsageSeries& s : out) {
    std::vector<double>& x = s.cpu_pct;
    for (std::size_t t = 0; t < a.size(); ++t) x.push_back(rng.uniform(0, 100));
    while (x.size() < static_cast<std::size_t>(length)) {
      double next = c + (sigma > 0 ? rng.normal(0, sigma) : 0.0);
      for (std::size_t j = 0; j < a.size(); ++j) next += a[j] * x[x.size() - 1 - j];
      x.push_back(next);
    }
  }
  return out;
}

TEST(Baseline, ArRecoversANoiselessAr2Exactly) {
  // x_t = 20 + 0.5 x_{t-1} - 0.25 x_{t-2}, 16 readings from each of 500 random integer starts: the
  // coefficients are dyadic, so every reading is exact in float (Examples' type) and the relation holds
  // exactly in the examples.
  Rng rng(2024);
  std::vector<UsageSeries> series(500);
  for (UsageSeries& s : series) {
    s.cpu_pct = {std::floor(rng.uniform(0, 100)), std::floor(rng.uniform(0, 100))};
    while (s.cpu_pct.size() < 16) {
      const std::size_t t = s.cpu_pct.size();
      s.cpu_pct.push_back(20 + 0.5 * s.cpu_pct[t - 1] - 0.25 * s.cpu_pct[t - 2]);
    }
    for (double x : s.cpu_pct) ASSERT_EQ(static_cast<double>(static_cast<float>(x)), x);
  }
  const ArModel m = ArModel::fit(make_examples(series, {.window = 4, .horizon = 1}, 1), 2);
  EXPECT_EQ(m.name(), "ar2");
  ASSERT_EQ(m.coefficients().size(), 1u);
  // intercept, then the weights of the oldest (x_{t-2}) and newest (x_{t-1}) readings.
  using ::testing::DoubleNear;
  EXPECT_THAT(m.coefficients()[0], ElementsAre(DoubleNear(20, 1e-6), DoubleNear(-0.25, 1e-6), DoubleNear(0.5, 1e-6)));
}

TEST(Baseline, ArIsDirectToTheHorizon) {
  // x_t = 10 + 0.5 x_{t-1}, so two steps ahead x_{t+2} = 10 + 0.5 (10 + 0.5 x_t) = 15 + 0.25 x_t.
  Rng rng(5);
  const auto series = simulate_ar(10, {0.5}, 0, 300, 12, rng);
  const ArModel m = ArModel::fit(make_examples(series, {.window = 3, .horizon = 2}, 1), 1);
  EXPECT_THAT(m.coefficients()[0], ElementsAre(::testing::DoubleNear(15, 1e-6), ::testing::DoubleNear(0.25, 1e-6)));
}

TEST(Baseline, ArRecoversANoisyAr2PerChannel) {
  // CPU: x_t = 10 + 0.5 x_{t-1} + 0.2 x_{t-2} + N(0, 2); RAM: y_t = 5 + 0.9 y_{t-1} + N(0, 1), fitted as AR(2).
  Rng rng(77);
  auto series = simulate_ar(10, {0.5, 0.2}, 2, 1, 40000, rng);
  series[0].ram_pct = simulate_ar(5, {0.9}, 1, 1, 40000, rng)[0].cpu_pct;
  const ArModel m = ArModel::fit(make_examples(series, {.window = 6, .horizon = 1}, 2), 2);
  ASSERT_EQ(m.coefficients().size(), 2u);
  using ::testing::DoubleNear;
  EXPECT_THAT(m.coefficients()[0], ElementsAre(DoubleNear(10, 1.0), DoubleNear(0.2, 0.02), DoubleNear(0.5, 0.02)));
  EXPECT_THAT(m.coefficients()[1], ElementsAre(DoubleNear(5, 1.0), DoubleNear(0, 0.02), DoubleNear(0.9, 0.02)));
}

TEST(Baseline, ArFitsConstantInputsWithTheMean) {
  // Inputs all 50, targets 40 and 60: the weights are 0 and the intercept the mean target, 50.
  Examples e;
  e.window = 2;
  e.channels = 1;
  e.inputs = {50, 50, 50, 50};
  e.targets = {40, 60};
  e.peaks = e.targets;
  e.series = {0, 0};
  const ArModel m = ArModel::fit(e, 2);
  EXPECT_THAT(m.coefficients()[0], ElementsAre(::testing::DoubleNear(50, 1e-9), 0, 0));
  EXPECT_THROW(ArModel::fit(e, 0), std::invalid_argument);
  EXPECT_THROW(ArModel::fit(e, 3), std::invalid_argument);  // p > window
  Examples empty;
  empty.window = 2;
  empty.channels = 1;
  EXPECT_THROW(ArModel::fit(empty, 1), std::invalid_argument);
}

TEST(Baseline, StandardSet) {
  Rng rng(1);
  const Examples train = make_examples(simulate_ar(10, {0.5}, 1, 1, 100, rng), {.window = 12, .horizon = 1}, 1);
  std::vector<std::string> names;
  for (const auto& m : standard_baselines(train, 12)) names.push_back(m->name());
  EXPECT_THAT(names, ElementsAre("persistence", "ma12", "ewma0.3", "ar6"));
  names.clear();
  for (const auto& m : standard_baselines(train, 4)) names.push_back(m->name());
  EXPECT_THAT(names, ElementsAre("persistence", "ma4", "ewma0.3", "ar4"));
}

}  // namespace
}  // namespace vfo
