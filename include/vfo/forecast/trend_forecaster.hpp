#pragma once
// A forecaster that needs no training (the runtime's default): each node's CPU and RAM utilisation
// series is followed by Holt's linear exponential smoothing (a level and a trend), and p_fail is the chance
// that the series crosses its threshold within the horizon, reading the one-step errors seen so far as
// Gaussian noise that grows with the square root of the steps ahead:
//   p_fail = max over channels c, steps k = 1..H of  1 - Phi((threshold_c - (level_c + k trend_c)) / (sigma_c sqrt(k)))
// where H = ceil(horizon_s / interval_s) and sigma_c is the root of an exponentially weighted mean of squared
// one-step errors, never below `min_sigma_pct`. A stress that ramps up is seen coming; a jump is not.
//
// A node's readings are only a trend while the same VFs run there. When the set of VFs on a node (running,
// or moving in) changes, and when a node is first seen, its history is dropped: the next `settle_readings`
// readings are ignored (they straddle the change: a partial window, a VF's start-up, a replay burst), and
// p_fail stays 0 until `min_readings` readings have been taken after them. Without this a VF that starts
// or arrives looks like a ramp, and a moved VF would be moved again (ping-pong).
#include <cstdint>
#include <unordered_map>
#include <vector>

#include "vfo/forecast/forecaster.hpp"
#include "vfo/model/ids.hpp"

namespace vfo {

struct TrendForecasterConfig {
  double interval_s = 1;          // readings come this far apart (the probing period)
  double alpha = 0.5;             // level smoothing, in (0, 1]
  double beta = 0.3;              // trend smoothing, in [0, 1]
  double error_weight = 0.2;      // of the newest squared error in sigma's mean
  double cpu_threshold_pct = 90;  // a node with more CPU in use than this is overloaded
  double ram_threshold_pct = 90;
  double min_sigma_pct = 2;
  int settle_readings = 2;  // ignored after a change in a node's VFs
  int min_readings = 3;     // taken after those before p_fail may be above 0
};

class TrendForecaster : public Forecaster {
 public:
  // Throws std::invalid_argument naming the field when the config is out of range.
  explicit TrendForecaster(TrendForecasterConfig config);

  // Fed once per probing round, in time order. A node that did not answer gets 0 and keeps its history.
  std::vector<double> assess(const ClusterSnapshot& snapshot, double horizon_s) override;

 private:
  struct Channel {
    double level = 0;
    double trend = 0;
    double mean_square_error = 0;
    int readings = 0;
    void update(double reading, const TrendForecasterConfig& c);
    double p_exceed(double threshold, int steps, const TrendForecasterConfig& c) const;
  };
  struct History {
    std::vector<FunctionRef> functions;  // on the node when this history began, sorted
    int ignored = 0;                     // readings ignored since it began
    Channel cpu;
    Channel ram;
  };
  TrendForecasterConfig config_;
  std::unordered_map<std::uint32_t, History> histories_;
};

}  // namespace vfo
