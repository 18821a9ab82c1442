#include "vfo/report/sample_summary.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <stdexcept>

namespace vfo::report {
namespace {

// Closed forms: one degree of freedom is the Cauchy distribution, tan(pi (p - 1/2)) = 1 / tan(pi (1 - p)) (the
// second form keeps its digits near p = 1); two have t_p = (2p - 1) / sqrt(2 p (1 - p)).
double cauchy_quantile(double p) {
  return p < 0.75 ? std::tan(std::numbers::pi * (p - 0.5)) : 1 / std::tan(std::numbers::pi * (1 - p));
}
double two_dof_quantile(double p) {
  return (2 * p - 1) / std::sqrt(2 * p * (1 - p));
}

TEST(StudentT, QuantileMatchesPublishedTables) {
  EXPECT_NEAR(student_t_quantile(0.975, 1), 12.706, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 2), 4.303, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 3), 3.182, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 4), 2.776, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 9), 2.262, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 19), 2.093, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.975, 1000), 1.962, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.995, 10), 3.169, 5e-4);
  EXPECT_NEAR(student_t_quantile(0.9, 3), 1.638, 5e-4);
  // Many degrees of freedom: the normal distribution's 1.959964.
  EXPECT_NEAR(student_t_quantile(0.975, 1e8), 1.959964, 1e-6);
}

TEST(StudentT, QuantileMatchesClosedFormsToFullPrecision) {
  for (double p : {0.5000001, 0.6, 0.75, 0.9, 0.975, 0.995, 0.9999999}) {
    EXPECT_NEAR(student_t_quantile(p, 1), cauchy_quantile(p), 1e-11 * std::abs(cauchy_quantile(p))) << p;
    EXPECT_NEAR(student_t_quantile(p, 2), two_dof_quantile(p), 1e-11 * std::abs(two_dof_quantile(p))) << p;
    // Symmetry.
    EXPECT_DOUBLE_EQ(student_t_quantile(1 - p, 7), -student_t_quantile(p, 7)) << p;
  }
  EXPECT_EQ(student_t_quantile(0.5, 3), 0.0);
}

TEST(StudentT, CdfMatchesClosedFormsAndInvertsTheQuantile) {
  for (double t : {-30.0, -2.0, -0.1, 0.0, 0.3, 1.0, 12.706, 1e6}) {
    EXPECT_NEAR(student_t_cdf(t, 1), 0.5 + std::atan(t) / std::numbers::pi, 1e-13) << t;
    EXPECT_NEAR(student_t_cdf(t, 2), 0.5 + t / (2 * std::sqrt(2 + t * t)), 1e-13) << t;
  }
  for (double dof : {0.5, 2.5, 7.0, 33.3, 400.0}) {
    for (double p : {0.001, 0.2, 0.5, 0.8, 0.975}) {
      EXPECT_NEAR(student_t_cdf(student_t_quantile(p, dof), dof), p, 1e-12) << p << " " << dof;
    }
  }
}

TEST(StudentT, OutsideTheDomainIsAnError) {
  EXPECT_THROW(student_t_quantile(0, 3), std::domain_error);
  EXPECT_THROW(student_t_quantile(1, 3), std::domain_error);
  EXPECT_THROW(student_t_quantile(std::nan(""), 3), std::domain_error);
  EXPECT_THROW(student_t_quantile(0.9, 0), std::domain_error);
  EXPECT_THROW(student_t_cdf(1, -1), std::domain_error);
}

TEST(SampleSummary, MeanSdAndTInterval) {
  // 1, 2, 3, 4: mean 2.5, sd sqrt(5/3), half-width t(0.975, 3) sd / 2 with t(0.975, 3) = 3.182446.
  const SampleSummary s = summarize({1, 2, 3, 4});
  EXPECT_EQ(s.n, 4u);
  EXPECT_DOUBLE_EQ(s.mean, 2.5);
  EXPECT_DOUBLE_EQ(s.sd, std::sqrt(5.0 / 3.0));
  EXPECT_NEAR(s.ci95, 3.182446 * std::sqrt(5.0 / 3.0) / 2, 1e-6);
  EXPECT_TRUE(s.has_ci());
  EXPECT_NEAR(s.low(), 2.5 - s.ci95, 1e-15);
  EXPECT_NEAR(s.high(), 2.5 + s.ci95, 1e-15);
  // Twenty values: t(0.975, 19) = 2.093024.
  std::vector<double> twenty;
  for (int i = 0; i < 20; ++i) twenty.push_back(i % 2 == 0 ? 1.0 : 3.0);  // mean 2, sd sqrt(20/19)
  const SampleSummary t = summarize(twenty);
  EXPECT_NEAR(t.ci95, 2.093024 * std::sqrt(20.0 / 19.0) / std::sqrt(20.0), 1e-6);
}

TEST(SampleSummary, OneValueHasNoIntervalAndNoneHasNoMean) {
  const SampleSummary one = summarize({7});
  EXPECT_EQ(one.n, 1u);
  EXPECT_EQ(one.mean, 7);
  EXPECT_EQ(one.sd, 0);
  EXPECT_FALSE(one.has_ci());
  EXPECT_TRUE(std::isnan(one.ci95));
  const SampleSummary none = summarize({});
  EXPECT_EQ(none.n, 0u);
  EXPECT_TRUE(std::isnan(none.mean));
  EXPECT_FALSE(none.has_ci());
  // Equal values: a zero-width interval.
  const SampleSummary same = summarize({2, 2, 2});
  EXPECT_EQ(same.ci95, 0);
}

}  // namespace
}  // namespace vfo::report
