#pragma once
// Scores of point forecasts and of overload probabilities.
#include <cstddef>
#include <vector>

#include "vfo/forecast/examples.hpp"
#include "vfo/forecast/overload_calibration.hpp"

namespace vfo {

struct ErrorStats {
  double mae = 0, rmse = 0;
  std::size_t count = 0;
};

// Mean absolute and root-mean-square error of channel `channel` of count x channels predictions against
// the targets laid out alike (count = size / channels; all zero when count is 0). Throws
// std::invalid_argument on different sizes, a size not a multiple of channels, or a channel out of range.
ErrorStats error_stats(const std::vector<float>& predictions, const std::vector<float>& targets, int channels,
                       int channel);

// Mean of (p_i - o_i)^2. Throws std::invalid_argument on different sizes, no data, or an outcome not 0/1.
double brier_score(const std::vector<double>& probabilities, const std::vector<int>& outcomes);

// One bin of a reliability diagram: the forecasts with p in [lo, hi) (the last bin also takes p == 1),
// their mean p and the fraction of them that happened (both 0 when count is 0).
struct ReliabilityBin {
  double lo, hi;
  std::size_t count;
  double mean_probability;
  double observed_frequency;
};

// `bins` equal-width bins on [0, 1], all kept (empty ones with count 0). Throws std::invalid_argument on
// different sizes, bins < 1, a p outside [0, 1] (or NaN), or an outcome not 0/1.
std::vector<ReliabilityBin> reliability_table(const std::vector<double>& p, const std::vector<int>& outcomes,
                                              int bins = 10);

// Per example, 1 when some channel's peak is strictly above its threshold (CPU: cpu_pct, RAM: ram_pct),
// else 0. Throws std::invalid_argument when examples.peaks is not count x channels.
std::vector<int> overload_outcomes(const Examples& examples, const OverloadThresholds& thresholds);

}  // namespace vfo
