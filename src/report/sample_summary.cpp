#include "vfo/report/sample_summary.hpp"

#include <fmt/core.h>

#include <cmath>
#include <stdexcept>

namespace vfo::report {

namespace {

// The continued fraction of the incomplete beta function (modified Lentz), which converges fast for
// x < (a + 1) / (a + b + 2).
double beta_continued_fraction(double a, double b, double x) {
  constexpr double kTiny = 1e-300;
  constexpr double kEpsilon = 1e-16;
  const double qab = a + b, qap = a + 1, qam = a - 1;
  double c = 1;
  double d = 1 - qab * x / qap;
  if (std::abs(d) < kTiny) d = kTiny;
  d = 1 / d;
  double h = d;
  for (int m = 1; m <= 100000; ++m) {
    const double m2 = 2.0 * m;
    double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (std::abs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1 / d;
    h *= d * c;
    aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (std::abs(d) < kTiny) d = kTiny;
    c = 1 + aa / c;
    if (std::abs(c) < kTiny) c = kTiny;
    d = 1 / d;
    const double step = d * c;
    h *= step;
    if (std::abs(step - 1) < kEpsilon) break;
  }
  return h;
}

// The regularized incomplete beta function I_x(a, b), given x and y = 1 - x separately so that neither loses
// digits when the other is close to 1.
double incomplete_beta(double a, double b, double x, double y) {
  if (x <= 0) return 0;
  if (y <= 0) return 1;
  const double front =
      std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log(y));
  if (x < (a + 1) / (a + b + 2)) return front * beta_continued_fraction(a, b, x) / a;
  return 1 - front * beta_continued_fraction(b, a, y) / b;
}

// P(T > t) for t >= 0: precise where it is small (t large).
double upper_tail(double t, double dof) {
  const double t2 = t * t;
  return 0.5 * incomplete_beta(dof / 2, 0.5, dof / (dof + t2), t2 / (dof + t2));
}

// P(0 < T <= t) for t >= 0: precise where it is small (t near 0).
double central(double t, double dof) {
  const double t2 = t * t;
  return 0.5 * incomplete_beta(0.5, dof / 2, t2 / (dof + t2), dof / (dof + t2));
}

void check_dof(double dof, const char* function) {
  if (!(dof > 0)) throw std::domain_error(fmt::format("{}: degrees of freedom {} (expected > 0)", function, dof));
}

}  // namespace

double student_t_cdf(double t, double dof) {
  check_dof(dof, "student_t_cdf");
  if (std::isnan(t)) return t;
  const double c = central(std::abs(t), dof);
  if (c < 0.25) return t >= 0 ? 0.5 + c : 0.5 - c;
  const double tail = upper_tail(std::abs(t), dof);
  return t >= 0 ? 1 - tail : tail;
}

double student_t_quantile(double p, double dof) {
  check_dof(dof, "student_t_quantile");
  if (!(p > 0 && p < 1)) throw std::domain_error(fmt::format("student_t_quantile: p = {} (expected 0 < p < 1)", p));
  if (p == 0.5) return 0;
  if (p < 0.5) return -student_t_quantile(1 - p, dof);
  // Solve for t > 0 with whichever probability is small, so that no digit is lost: P(0 < T <= t) = p - 0.5,
  // which grows with t, or P(T > t) = 1 - p, which falls (both differences are exact in floating point).
  const bool near_zero = p - 0.5 <= 0.25;
  const double target = near_zero ? p - 0.5 : 1 - p;
  // True when the quantile lies above t.
  const auto above = [&](double t) { return near_zero ? central(t, dof) < target : upper_tail(t, dof) > target; };
  double lo = 0, hi = 1;
  while (above(hi) && hi < 1e300) {
    lo = hi;
    hi *= 2;
  }
  for (int i = 0; i < 2000; ++i) {
    const double mid = lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    (above(mid) ? lo : hi) = mid;
  }
  return lo + (hi - lo) / 2;
}

SampleSummary summarize(const std::vector<double>& values) {
  SampleSummary s;
  s.n = values.size();
  if (s.n == 0) return s;
  double sum = 0;
  for (double v : values) sum += v;
  s.mean = sum / static_cast<double>(s.n);
  if (s.n == 1) {
    s.sd = 0;
    return s;
  }
  double squares = 0;
  for (double v : values) squares += (v - s.mean) * (v - s.mean);
  s.sd = std::sqrt(squares / static_cast<double>(s.n - 1));
  s.ci95 = student_t_quantile(0.975, static_cast<double>(s.n - 1)) * s.sd / std::sqrt(static_cast<double>(s.n));
  return s;
}

}  // namespace vfo::report
