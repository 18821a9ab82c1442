#pragma once
// Means with 95 % confidence intervals (Student t) for the runtime's repeated measurements: `vfo demo`'s
// recovery times and `vfo experiment testbed`'s per-seed fps.
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

namespace vfo::cli {

// The 0.975 quantile of Student's t with `df` degrees of freedom (df >= 1): exact to three decimals for df <= 30
// (a table), the Cornish-Fisher expansion beyond (within 1e-4 there).
double t_quantile_975(std::size_t df);

struct MeanInterval {
  std::size_t n = 0;
  double mean = 0;
  double sd = 0;          // sample standard deviation (divisor n - 1); 0 when n < 2
  double half_width = 0;  // t_quantile_975(n - 1) * sd / sqrt(n); 0 when n < 2
  double low() const { return mean - half_width; }
  double high() const { return mean + half_width; }
};

// The mean of `values` and its 95 % interval; all zeros for no value.
MeanInterval mean_interval(const std::vector<double>& values);

// {"n", "mean", "sd", "ci95_low", "ci95_high"}; the interval's ends are null when n < 2.
nlohmann::json to_json(const MeanInterval& m);

}  // namespace vfo::cli
