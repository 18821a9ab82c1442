#pragma once
// Turns a point forecaster's predictions into p_fail, the probability that a node overloads within the
// horizon, from the errors the forecaster made on validation data.
#include <cstdint>
#include <vector>

namespace vfo {

// A node overloads when a channel's reading exceeds its threshold (strictly), in percent.
struct OverloadThresholds {
  double cpu_pct = 90;
  double ram_pct = 90;
};

// p_fail = P(CPU peak > cpu threshold OR RAM peak > ram threshold within the horizon | prediction),
// estimated from an empirical distribution of residual vectors r = peak - prediction (one value per
// channel, from the same validation example, so the channels' dependence is kept). The residuals are
// grouped by the predicted CPU into bins, so their spread may depend on the level:
//   probability(x) = fraction of the residual vectors r of x's bin with r_c > threshold_c - x_c for some
//   channel c (computed in double), i.e. x_c + r_c > threshold_c. With one channel only CPU counts.
// Immutable once built; probability() is const and thread-safe.
class OverloadCalibration {
 public:
  // Everything the calibration is, as plain data (to save and rebuild it). With B bins:
  //  - bin_upper_edges: B - 1 strictly increasing finite edges; a prediction x goes to the first bin b
  //    with x_cpu <= bin_upper_edges[b], else to the last bin;
  //  - residuals[b]: bin b's residual vectors, flat (vector k's channel c at k * channels + c), at least
  //    one vector per bin, all finite.
  struct State {
    int channels = 1;  // 1 (CPU) or 2 (CPU, RAM)
    OverloadThresholds thresholds;
    std::vector<double> bin_upper_edges;
    std::vector<std::vector<float>> residuals;
  };

  // A calibration without uncertainty, until a real one is fitted or loaded: one channel, the default
  // thresholds, one bin holding the single residual 0, so p_fail is 1 when the predicted CPU exceeds
  // the threshold and 0 otherwise.
  OverloadCalibration();
  // Validates `state` (the rules above; finite thresholds); throws std::invalid_argument when violated.
  explicit OverloadCalibration(State state);

  // predictions, peaks: count x channels (as Examples::peaks), from the same validation examples. The
  // examples are sorted by predicted CPU and cut into `bins` groups of (nearly) equal count; a cut is
  // moved up past equal predictions, so a bin never shares a predicted value with the next, and empty
  // groups are dropped (hence fewer bins when predictions repeat). Each such group is then split at every
  // multiple of `level_step` % of predicted CPU that leaves at least 100 examples on both sides (so the high
  // predictions, where overloads are, get bins of their own; 0: no such split). An edge is the midpoint between
  // the largest prediction of its bin and the smallest of the next. A bin with more than
  // `max_residuals_per_bin` examples keeps a uniform random subset of that many, drawn from
  // vfo::Rng(seed), so the fit is deterministic. Throws std::invalid_argument on no data, mismatched or
  // non-finite sizes/values, channels not 1 or 2, bins < 1 or max_residuals_per_bin < 1.
  static OverloadCalibration fit(const std::vector<float>& predictions, const std::vector<float>& peaks, int channels,
                                 OverloadThresholds thresholds, std::uint64_t seed, int bins = 10,
                                 int max_residuals_per_bin = 256, double level_step = 10);

  // p_fail for one prediction of `channels` values (CPU first); 0 when a value is NaN.
  double probability(const float* prediction) const;
  // p_fail for each of predictions.size() / channels predictions; throws std::invalid_argument when the
  // size is not a multiple of channels.
  std::vector<double> probabilities(const std::vector<float>& predictions) const;

  const State& state() const { return state_; }
  int channels() const { return state_.channels; }

 private:
  State state_;
  // residuals_by_channel_[b][c]: channel c of bin b's residual vectors, padded with -inf to a whole
  // number of scan blocks (see probability()).
  std::vector<std::vector<std::vector<float>>> residuals_by_channel_;
};

}  // namespace vfo
