#pragma once
// Means with 95 % confidence intervals (Student t) for the runtime's repeated measurements: `vfo demo`'s
// recovery times and `vfo experiment testbed`'s per-seed fps, as JSON. The statistics are report::summarize's
// (vfo/report/sample_summary.hpp); this adds the zeros the commands print where there is no interval.
#include <cstddef>
#include <vector>

#include <nlohmann/json.hpp>

namespace vfo::cli {

struct MeanInterval {
  std::size_t n = 0;
  double mean = 0;
  double sd = 0;          // sample standard deviation (divisor n - 1); 0 when n < 2
  double half_width = 0;  // t(0.975, n - 1) * sd / sqrt(n); 0 when n < 2
  double low() const { return mean - half_width; }
  double high() const { return mean + half_width; }
};

// The mean of `values` and its 95 % interval; all zeros for no value.
MeanInterval mean_interval(const std::vector<double>& values);

// {"n", "mean", "sd", "ci95_low", "ci95_high"}; the interval's ends are null when n < 2.
nlohmann::json to_json(const MeanInterval& m);

}  // namespace vfo::cli
