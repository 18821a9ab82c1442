#pragma once
// A sample of independent replications summarised: its size, mean, sample standard deviation and the
// half-width of the 95 % confidence interval of the mean (Student's t with n - 1 degrees of freedom).
#include <cstddef>
#include <limits>
#include <vector>

namespace vfo::report {

struct SampleSummary {
  std::size_t n = 0;
  double mean = std::numeric_limits<double>::quiet_NaN();  // NaN when n = 0
  double sd = std::numeric_limits<double>::quiet_NaN();    // divisor n - 1; 0 when n = 1, NaN when n = 0
  // Half-width of the 95 % CI of the mean: t(0.975, n - 1) sd / sqrt(n). NaN when n < 2: one value says
  // nothing about the noise, so the interval is undefined (read as unbounded).
  double ci95 = std::numeric_limits<double>::quiet_NaN();

  bool has_ci() const { return n >= 2; }
  double low() const { return mean - ci95; }  // NaN without a CI
  double high() const { return mean + ci95; }
};

// Summarises `values` in their order (the same values in the same order give the same bits).
SampleSummary summarize(const std::vector<double>& values);

// The p-quantile of Student's t distribution with `dof` degrees of freedom: the x with P(T <= x) = p. `dof`
// may be any real > 0. Computed by inverting the regularized incomplete beta function with bisection, to
// about 1e-12 relative. Throws std::domain_error unless 0 < p < 1 and dof > 0.
double student_t_quantile(double p, double dof);

// P(T <= t) for Student's t with `dof` > 0 degrees of freedom. Throws std::domain_error unless dof > 0.
double student_t_cdf(double t, double dof);

}  // namespace vfo::report
