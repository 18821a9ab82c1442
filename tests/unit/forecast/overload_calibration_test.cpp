#include "vfo/forecast/overload_calibration.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

#include "vfo/forecast/baselines.hpp"
#include "vfo/forecast/examples.hpp"
#include "vfo/forecast/metrics.hpp"
#include "vfo/util/random.hpp"

namespace vfo {
namespace {

using ::testing::ElementsAre;
using State = OverloadCalibration::State;

TEST(OverloadCalibration, ProbabilityFromAHandMadeState) {
  // CPU only, threshold 90; predictions <= 50 use bin 0, the others bin 1.
  const OverloadCalibration cal(State{1, {.cpu_pct = 90, .ram_pct = 0}, {50}, {{-5, 0, 5, 10}, {-20, -10, 0, 10, 20}}});
  const auto p = [&](float cpu) { return cal.probability(&cpu); };
  EXPECT_DOUBLE_EQ(p(45), 0.0);   // bin 0: needs r > 45, none
  EXPECT_DOUBLE_EQ(p(50), 0.0);   // the edge belongs to bin 0: r > 40, none
  EXPECT_DOUBLE_EQ(p(85), 0.4);   // bin 1: r > 5 -> 10, 20: 2 of 5
  EXPECT_DOUBLE_EQ(p(80), 0.2);   // r > 10 -> 20 only (80 + 10 = 90 is not over 90): 1 of 5
  EXPECT_DOUBLE_EQ(p(100), 0.6);  // r > -10 -> 0, 10, 20
  EXPECT_DOUBLE_EQ(p(200), 1.0);
  EXPECT_THAT(cal.probabilities({45, 85, 80}), ElementsAre(0.0, 0.4, 0.2));
}

TEST(OverloadCalibration, EitherChannelOverloads) {
  // One bin of residual vectors (CPU, RAM): (5, -5), (-5, 5), (0, 0), (12, 12); thresholds 90 and 80.
  const OverloadCalibration cal(State{2, {.cpu_pct = 90, .ram_pct = 80}, {}, {{5, -5, -5, 5, 0, 0, 12, 12}}});
  // Prediction (88, 76) has headroom 2 (CPU) and 4 (RAM): (5,-5) by CPU, (-5,5) by RAM, (12,12) by
  // both (counted once), (0,0) not: 3 of 4. By CPU alone it would be 2 of 4.
  const float x[] = {88, 76};
  EXPECT_DOUBLE_EQ(cal.probability(x), 0.75);
  EXPECT_THAT(cal.probabilities({88, 76, 0, 0, 88, 0}), ElementsAre(0.75, 0.0, 0.5));
  EXPECT_THROW(cal.probabilities({88, 76, 1}), std::invalid_argument);
}

TEST(OverloadCalibration, DefaultHasNoUncertainty) {
  const OverloadCalibration cal;
  EXPECT_EQ(cal.channels(), 1);
  EXPECT_THAT(cal.probabilities({95, 90, 10}), ElementsAre(1.0, 0.0, 0.0));
}

TEST(OverloadCalibration, InconsistentStatesAreRejected) {
  const auto make = [](State s) { return OverloadCalibration(std::move(s)); };
  const OverloadThresholds t;
  EXPECT_NO_THROW(make({1, t, {1, 2}, {{0}, {0}, {0}}}));
  EXPECT_THROW(make({3, t, {}, {{0, 0, 0}}}), std::invalid_argument);          // channels
  EXPECT_THROW(make({1, t, {}, {}}), std::invalid_argument);                   // no bin
  EXPECT_THROW(make({1, t, {1}, {{0}}}), std::invalid_argument);               // edges != bins - 1
  EXPECT_THROW(make({1, t, {2, 1}, {{0}, {0}, {0}}}), std::invalid_argument);  // not increasing
  EXPECT_THROW(make({1, t, {1, 1}, {{0}, {0}, {0}}}), std::invalid_argument);  // not strictly
  EXPECT_THROW(make({1, t, {}, {{}}}), std::invalid_argument);                 // empty bin
  EXPECT_THROW(make({2, t, {}, {{0, 0, 0}}}), std::invalid_argument);          // half a vector
  EXPECT_THROW(make({1, t, {}, {{std::numeric_limits<float>::quiet_NaN()}}}), std::invalid_argument);
  EXPECT_THROW(make({1, {.cpu_pct = std::numeric_limits<double>::infinity(), .ram_pct = 90}, {}, {{0}}}),
               std::invalid_argument);
}

TEST(OverloadCalibration, FitRejectsBadData) {
  const OverloadThresholds t;
  EXPECT_THROW(OverloadCalibration::fit({}, {}, 1, t, 1), std::invalid_argument);
  EXPECT_THROW(OverloadCalibration::fit({1, 2}, {1}, 1, t, 1), std::invalid_argument);
  EXPECT_THROW(OverloadCalibration::fit({1, 2, 3}, {1, 2, 3}, 2, t, 1), std::invalid_argument);
  EXPECT_THROW(OverloadCalibration::fit({1}, {1}, 3, t, 1), std::invalid_argument);
  EXPECT_THROW(OverloadCalibration::fit({1}, {1}, 1, t, 1, 0), std::invalid_argument);
  EXPECT_THROW(OverloadCalibration::fit({1}, {1}, 1, t, 1, 10, 0), std::invalid_argument);
  EXPECT_THROW(OverloadCalibration::fit({1}, {std::numeric_limits<float>::infinity()}, 1, t, 1), std::invalid_argument);
}

TEST(OverloadCalibration, FitBinsByQuantilesAndSubsamples) {
  // Predictions 0..99 (shuffled), residual of example i = i / 1000 so each residual names its example.
  std::vector<float> predictions, peaks;
  for (int k = 0; k < 100; ++k) {
    const int i = (k * 37) % 100;
    predictions.push_back(static_cast<float>(i));
    peaks.push_back(static_cast<float>(i) + static_cast<float>(i) / 1000);
  }
  const auto cal = OverloadCalibration::fit(predictions, peaks, 1, {}, 9, 4, 10);
  const State& s = cal.state();
  EXPECT_THAT(s.bin_upper_edges, ElementsAre(24.5, 49.5, 74.5));  // midpoints between 24|25, 49|50, 74|75
  ASSERT_EQ(s.residuals.size(), 4u);
  for (std::size_t b = 0; b < 4; ++b) {
    ASSERT_EQ(s.residuals[b].size(), 10u);  // 25 examples per bin, 10 kept
    std::vector<float> sorted = s.residuals[b];
    std::sort(sorted.begin(), sorted.end());
    EXPECT_EQ(std::adjacent_find(sorted.begin(), sorted.end()), sorted.end());  // without replacement
    for (float r : sorted) {
      EXPECT_GE(r * 1000, 25.0f * b - 0.01f);  // only examples of the bin
      EXPECT_LT(r * 1000, 25.0f * (b + 1) - 0.5f);
    }
  }
  // The same seed gives the same subsample, another seed another one.
  EXPECT_EQ(OverloadCalibration::fit(predictions, peaks, 1, {}, 9, 4, 10).state().residuals, s.residuals);
  EXPECT_NE(OverloadCalibration::fit(predictions, peaks, 1, {}, 10, 4, 10).state().residuals, s.residuals);
  // Without a cap every residual is kept.
  EXPECT_EQ(OverloadCalibration::fit(predictions, peaks, 1, {}, 9, 4).state().residuals[0].size(), 25u);
}

TEST(OverloadCalibration, FitMergesTiedPredictions) {
  // 60 predictions of 5 and 40 of 7 cannot make 4 bins: a bin never shares a value with the next.
  std::vector<float> predictions(60, 5.0f), peaks(100, 0.0f);
  predictions.resize(100, 7.0f);
  const auto cal = OverloadCalibration::fit(predictions, peaks, 1, {}, 1, 4);
  EXPECT_THAT(cal.state().bin_upper_edges, ElementsAre(6.0));
  EXPECT_EQ(cal.state().residuals[0].size(), 60u);
  EXPECT_EQ(cal.state().residuals[1].size(), 40u);
  // All equal: one bin.
  const auto one = OverloadCalibration::fit(std::vector<float>(50, 3.0f), std::vector<float>(50, 4.0f), 1, {}, 1);
  EXPECT_TRUE(one.state().bin_upper_edges.empty());
  EXPECT_EQ(one.state().residuals.size(), 1u);
}

TEST(OverloadCalibration, StateRebuildsTheSameCalibration) {
  Rng rng(3);
  std::vector<float> predictions, peaks;
  for (int i = 0; i < 2000; ++i) {
    predictions.push_back(static_cast<float>(rng.uniform(0, 100)));
    peaks.push_back(predictions.back() + static_cast<float>(rng.normal(0, 10)));
  }
  const auto cal = OverloadCalibration::fit(predictions, peaks, 1, {.cpu_pct = 80, .ram_pct = 90}, 4);
  const OverloadCalibration copy(cal.state());
  EXPECT_EQ(copy.probabilities(predictions), cal.probabilities(predictions));
}

// --- Calibration against a known truth ---------------------------------------------------------------

// P(N(mean, sigma) > threshold).
double exceed(double mean, double sigma, double threshold) {
  return 0.5 * std::erfc((threshold - mean) / (sigma * std::sqrt(2.0)));
}

// x_{t+1} = a x_t + c + N(0, sigma(x_t)), from the stationary mean c / (1 - a).
struct Ar1 {
  double a, c;
  std::function<double(double)> sigma;
  double mean(double x) const { return a * x + c; }
};

std::vector<double> simulate(const Ar1& m, int steps, Rng& rng) {
  std::vector<double> x = {m.c / (1 - m.a)};
  while (static_cast<int>(x.size()) < steps) x.push_back(rng.normal(m.mean(x.back()), m.sigma(x.back())));
  return x;
}

UsageSeries usage(std::vector<double> cpu, std::vector<double> ram = {}) {
  UsageSeries s;
  s.cpu_pct = std::move(cpu);
  s.ram_pct = std::move(ram);
  return s;
}

double mean_abs_difference(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0;
  for (std::size_t i = 0; i < a.size(); ++i) sum += std::abs(a[i] - b[i]);
  return sum / static_cast<double>(a.size());
}

TEST(OverloadCalibration, MatchesTheTrueProbabilityOfAFittedAr1) {
  // x_{t+1} = 0.8 x_t + 12 + N(0, 8): mean 60, sd 8 / sqrt(1 - 0.64) = 13.3; P(x > 80) is about 7%.
  const Ar1 truth{0.8, 12, [](double) { return 8.0; }};
  const OverloadThresholds thr{.cpu_pct = 80, .ram_pct = 90};
  Rng rng(42);
  const WindowSpec spec{.window = 2, .horizon = 1};
  const Examples train = make_examples({usage(simulate(truth, 20000, rng))}, spec, 1);
  const Examples validation = make_examples({usage(simulate(truth, 50000, rng))}, spec, 1);
  const Examples test = make_examples({usage(simulate(truth, 20000, rng))}, spec, 1);

  const ArModel model = ArModel::fit(train, 1);
  const auto predict = [&](const Examples& e) { return model.predict(e.inputs.data(), e.count(), 2, 1); };
  const auto cal = OverloadCalibration::fit(predict(validation), validation.peaks, 1, thr, 7);

  const std::vector<double> p = cal.probabilities(predict(test));
  std::vector<double> p_true;
  for (std::size_t e = 0; e < test.count(); ++e) p_true.push_back(exceed(truth.mean(test.inputs[2 * e + 1]), 8, 80));
  const std::vector<int> outcomes = overload_outcomes(test, thr);
  EXPECT_LT(mean_abs_difference(p, p_true), 0.03);
  EXPECT_NEAR(brier_score(p, outcomes), brier_score(p_true, outcomes), 0.005);
}

TEST(OverloadCalibration, BinsFollowALevelDependentSpread) {
  // The noise grows with the level: sd 2 + 0.1 x_t. One bin of residuals cannot follow it, binning can.
  const Ar1 truth{0.8, 12, [](double x) { return 2 + 0.1 * std::max(x, 0.0); }};
  const OverloadThresholds thr{.cpu_pct = 80, .ram_pct = 90};
  Rng rng(43);
  const WindowSpec spec{.window = 1, .horizon = 1};
  const Examples validation = make_examples({usage(simulate(truth, 50000, rng))}, spec, 1);
  const Examples test = make_examples({usage(simulate(truth, 20000, rng))}, spec, 1);
  const auto exact = [&](const Examples& e) {  // the model: the exact conditional mean
    std::vector<float> out;
    for (float x : e.inputs) out.push_back(static_cast<float>(truth.mean(x)));
    return out;
  };
  std::vector<double> p_true;
  for (float x : test.inputs) p_true.push_back(exceed(truth.mean(x), truth.sigma(x), 80));
  const std::vector<int> outcomes = overload_outcomes(test, thr);

  const auto binned = OverloadCalibration::fit(exact(validation), validation.peaks, 1, thr, 8);
  const auto pooled = OverloadCalibration::fit(exact(validation), validation.peaks, 1, thr, 8, 1, 256, 0);
  const std::vector<double> p = binned.probabilities(exact(test));
  const double binned_error = mean_abs_difference(p, p_true);
  EXPECT_LT(binned_error, 0.03);
  EXPECT_NEAR(brier_score(p, outcomes), brier_score(p_true, outcomes), 0.005);
  EXPECT_LT(binned_error, mean_abs_difference(pooled.probabilities(exact(test)), p_true));
}

TEST(OverloadCalibration, TwoChannelsOverloadOnEither) {
  // Independent CPU x_{t+1} = 0.8 x_t + 12 + N(0, 8) (threshold 80) and RAM y_{t+1} = 0.9 y_t + 7 +
  // N(0, 4) (mean 70, sd 9.2; threshold 85): p = 1 - P(x <= 80) P(y <= 85).
  const Ar1 cpu{0.8, 12, [](double) { return 8.0; }};
  const Ar1 ram{0.9, 7, [](double) { return 4.0; }};
  const OverloadThresholds thr{.cpu_pct = 80, .ram_pct = 85};
  Rng rng(44);
  const auto examples = [&](int steps) {
    auto x = simulate(cpu, steps, rng);
    return make_examples({usage(std::move(x), simulate(ram, steps, rng))}, {.window = 1, .horizon = 1}, 2);
  };
  const Examples validation = examples(50000);
  const Examples test = examples(20000);
  const auto exact = [&](const Examples& e) {
    std::vector<float> out;
    for (std::size_t i = 0; i < e.inputs.size(); i += 2) {
      out.push_back(static_cast<float>(cpu.mean(e.inputs[i])));
      out.push_back(static_cast<float>(ram.mean(e.inputs[i + 1])));
    }
    return out;
  };
  std::vector<double> p_true, p_cpu_only;
  for (std::size_t i = 0; i < test.inputs.size(); i += 2) {
    const double p_cpu = exceed(cpu.mean(test.inputs[i]), 8, 80);
    const double p_ram = exceed(ram.mean(test.inputs[i + 1]), 4, 85);
    p_true.push_back(1 - (1 - p_cpu) * (1 - p_ram));
    p_cpu_only.push_back(p_cpu);
  }
  ASSERT_GT(mean_abs_difference(p_true, p_cpu_only), 0.03);  // the RAM matters here

  const auto cal = OverloadCalibration::fit(exact(validation), validation.peaks, 2, thr, 9);
  const std::vector<double> p = cal.probabilities(exact(test));
  const std::vector<int> outcomes = overload_outcomes(test, thr);
  EXPECT_LT(mean_abs_difference(p, p_true), 0.03);
  EXPECT_NEAR(brier_score(p, outcomes), brier_score(p_true, outcomes), 0.005);
}

}  // namespace
}  // namespace vfo
